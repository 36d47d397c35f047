package runbook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRequestStop: another ferry's request reaches the holder within its
// stop poll; a free lock has nobody to ask; the next holder starts clean.
func TestRequestStop(t *testing.T) {
	t.Parallel()
	c := fakeCluster()
	holder := NewLock(c, "prod", LockConfig{Holder: "ana@laptop pid 1 (ferry)", Duration: time.Second, RenewEvery: 200 * time.Millisecond, StopPoll: 20 * time.Millisecond})
	asker := NewLock(c, "prod", LockConfig{Holder: "bo@desk pid 2 (ferry)", Wait: 5 * time.Second, Poll: 10 * time.Millisecond})

	if h, err := asker.RequestStop(t.Context(), "bo"); err != nil || h != nil {
		t.Fatalf("a free lock: asked %+v, %v; want nobody", h, err)
	}
	held, err := holder.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if h, err := holder.RequestStop(t.Context(), "ana"); err != nil || h != nil {
		t.Fatalf("asking oneself: %+v, %v; want nobody", h, err)
	}
	select {
	case <-held.StopRequested():
		t.Fatal("stop signalled before anyone asked")
	case <-time.After(100 * time.Millisecond):
	}
	h, err := asker.RequestStop(t.Context(), "bo@desk pid 2 (ferry rollback)")
	if err != nil || h == nil || h.Holder != "ana@laptop pid 1 (ferry)" {
		t.Fatalf("asked %+v, %v; want the holder", h, err)
	}
	select {
	case <-held.StopRequested():
	case <-time.After(2 * time.Second):
		t.Fatal("the holder did not see the stop request")
	}
	if held.StopBy() != "bo@desk pid 2 (ferry rollback)" {
		t.Errorf("StopBy = %q", held.StopBy())
	}
	_ = held.Release(t.Context())

	next, err := asker.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer next.Release(t.Context())
	lease, err := getLease(t, c, asker)
	if err != nil {
		t.Fatal(err)
	}
	if by, ok := lease.Annotations[annotationStop]; ok {
		t.Errorf("the new holder's lease still asks to stop (%q)", by)
	}
	time.Sleep(50 * time.Millisecond)
	select {
	case <-next.StopRequested():
		t.Error("the new holder was told to stop by a request meant for the previous one")
	default:
	}
}

// TestRunnerStopsOnRequest: an apply in flight is cancelled with the
// request as its cause, and the lock is free for the asker afterwards.
func TestRunnerStopsOnRequest(t *testing.T) {
	t.Parallel()
	c := fakeCluster()
	lock := NewLock(c, "prod", LockConfig{Duration: time.Second, RenewEvery: 200 * time.Millisecond, StopPoll: 20 * time.Millisecond})
	step := newFake("cutover/x/10")
	step.gate, step.reached = make(chan struct{}), make(chan struct{}, 1)
	r := newRunner(t, Config{Lock: lock}, step)
	done := make(chan error, 1)
	go func() { done <- r.Apply(t.Context(), step.id) }()
	<-step.reached

	asker := NewLock(c, "prod", LockConfig{Wait: 5 * time.Second, Poll: 10 * time.Millisecond})
	if h, err := asker.RequestStop(t.Context(), "bo (ferry rollback)"); err != nil || h == nil {
		t.Fatalf("RequestStop: %+v, %v", h, err)
	}
	select {
	case err := <-done:
		var stop ErrStopRequested
		if !errors.As(err, &stop) || stop.By != "bo (ferry rollback)" {
			t.Errorf("the apply ended with %v; want the stop request", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the apply did not stop")
	}
	if st := r.State(step.id); st.State != StateFailed || !strings.Contains(st.Error, "stopped at the request of bo (ferry rollback)") {
		t.Errorf("journaled %s %q; want failed, naming who stopped it", st.State, st.Error)
	}
	held, err := asker.Acquire(t.Context())
	if err != nil {
		t.Fatalf("the asker could not take the lock after the stop: %v", err)
	}
	_ = held.Release(t.Context())
}

// TestRunnerRequestStopOwnApply: a stage applied from another screen of
// the same ferry is stopped, and the rollback queued behind it runs.
func TestRunnerRequestStopOwnApply(t *testing.T) {
	t.Parallel()
	s := gated("cutover/x/10")
	r := newRunner(t, Config{Lock: NewLock(fakeCluster(), "prod", LockConfig{})}, s)
	done := make(chan error, 1)
	go func() { done <- r.Apply(t.Context(), s.id) }()
	<-s.reached
	who, err := r.RequestStop(t.Context(), "ana (cutover screen)")
	if err != nil || who != "this ferry's cutover/x/10" {
		t.Fatalf("RequestStop = %q, %v", who, err)
	}
	var stop ErrStopRequested
	if err := <-done; !errors.As(err, &stop) {
		t.Fatalf("the apply ended with %v; want the stop request", err)
	}
	if err := r.Rollback(t.Context(), s.id); err != nil {
		t.Fatalf("rollback after the stop: %v", err)
	}
	if who, err := r.RequestStop(t.Context(), "ana"); err != nil || who != "" {
		t.Errorf("nothing in the way now, yet RequestStop = %q, %v", who, err)
	}
}

// TestRunnerRequestStopOtherFerry: the second ferry asks the first to
// stop, and its rollback waits for the lock instead of refusing at once.
func TestRunnerRequestStopOtherFerry(t *testing.T) {
	t.Parallel()
	cluster := fakeCluster()
	j := tempJournal(t)
	s1, s2 := gated("cutover/x/10"), newFake("cutover/x/10")
	lock1 := NewLock(cluster, "prod", LockConfig{Holder: "alice@box pid 1 (ferry)", Duration: time.Second, RenewEvery: 200 * time.Millisecond, StopPoll: 20 * time.Millisecond})
	r1 := newRunner(t, Config{Journal: j, Lock: lock1}, s1)
	j2, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	r2 := newRunner(t, Config{Journal: j2, Lock: NewLock(cluster, "prod", LockConfig{Holder: "bob@box pid 2 (ferry)", Poll: 10 * time.Millisecond})}, s2)
	done := make(chan error, 1)
	go func() { done <- r1.Apply(t.Context(), s1.id) }()
	<-s1.reached

	who, err := r2.RequestStop(t.Context(), "bob (cutover screen)")
	if err != nil || who != "alice@box pid 1 (ferry)" {
		t.Fatalf("RequestStop = %q, %v; want alice asked", who, err)
	}
	if err := r2.Rollback(t.Context(), s2.id); err != nil {
		t.Fatalf("the rollback did not wait for the stopped ferry: %v", err)
	}
	var stop ErrStopRequested
	if err := <-done; !errors.As(err, &stop) || stop.By != "bob@box pid 2 (ferry), bob (cutover screen)" {
		t.Errorf("alice's apply ended with %v; want bob's stop request", err)
	}
}
