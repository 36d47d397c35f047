package runbook

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// crashedJournal is what a process killed mid-apply leaves: apply started,
// two undo payloads saved, no end, and half a line.
func crashedJournal(t *testing.T, step string) *Journal {
	t.Helper()
	j := tempJournal(t)
	dead := Record{Step: step, Run: "dead-run", Time: time.Now()}
	started := dead
	started.Action, started.Outcome = ActionApply, OutcomeStarted
	if err := j.Append(started); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"existed":false}`, `{"existed":true}`} {
		ref, err := j.undo.save(step, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		u := dead
		u.Action, u.Outcome, u.UndoRef = ActionApply, OutcomeUndo, &ref
		if err := j.Append(u); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"step":"` + step + `","action":"apply","outc`)
	f.Close()
	return j
}

func TestRunnerCrashIsInterruptedThenRollsBack(t *testing.T) {
	t.Parallel()
	s := newFake("clone/payments/ledger")
	s.exists = true // the crashed apply got as far as creating it
	r := newRunner(t, Config{Journal: crashedJournal(t, s.id)}, s)
	st := wantState(t, r, s.id, StateInterrupted)
	if len(st.Undo) != 2 {
		t.Errorf("undo refs %v", st.Undo)
	}
	snap := r.Snapshot()
	if len(snap.Damage) != 1 || !snap.Damage[0].Last {
		t.Errorf("the truncated line is not reported: %+v", snap.Damage)
	}
	if err := r.Rollback(t.Context(), s.id); err != nil {
		t.Fatal(err)
	}
	got := s.Undo()
	if len(got) != 2 || string(got[0]) != `{"existed":false}` || string(got[1]) != `{"existed":true}` {
		t.Errorf("rollback got %s, want both payloads oldest first", got)
	}
	if s.existsNow() {
		t.Error("rollback did not restore the state before the apply")
	}
	wantState(t, r, s.id, StateRolledBack)
	l, _ := r.cfg.Journal.Read()
	if len(l.Damage) != 1 || l.Damage[0].Last || l.Records[len(l.Records)-1].Outcome != OutcomeOK {
		t.Errorf("journal after recovery: damage %+v", l.Damage)
	}
}

func TestRunnerCrashThenReapply(t *testing.T) {
	t.Parallel()
	s := newFake("a")
	r := newRunner(t, Config{Journal: crashedJournal(t, "a")}, s)
	wantState(t, r, "a", StateInterrupted)
	if err := r.Apply(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	if st := wantState(t, r, "a", StateApplied); len(st.Undo) != 3 {
		t.Errorf("undo after re-apply %v: the crashed apply's records must stay", st.Undo)
	}
}

func TestRunnerRefusesTamperedUndo(t *testing.T) {
	t.Parallel()
	s := newFake("a")
	j := crashedJournal(t, "a")
	r := newRunner(t, Config{Journal: j}, s)
	ref := r.State("a").Undo[0]
	if err := os.WriteFile(j.undo.dir+"/"+ref.File, []byte(`{"existed":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := r.Rollback(t.Context(), "a")
	if err == nil || !strings.Contains(err.Error(), ref.File) {
		t.Fatalf("Rollback with a tampered payload = %v", err)
	}
	if len(s.Calls()) != 0 {
		t.Error("the step was called with a tampered payload")
	}
}

// gated returns a step that blocks mid-apply, after saving its undo.
func gated(id string) *fakeStep {
	s := newFake(id)
	s.gate, s.reached = make(chan struct{}), make(chan struct{}, 1)
	return s
}

func TestRunnerTwoRunnersOneLock(t *testing.T) {
	t.Parallel()
	cluster := fakeCluster()
	j := tempJournal(t)
	s1, s2 := gated("a"), newFake("a")
	r1 := newRunner(t, Config{Journal: j, Lock: NewLock(cluster, "prod", LockConfig{Holder: "alice@box pid 1 (ferry)"})}, s1)
	j2, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	lock2 := NewLock(cluster, "prod", LockConfig{Holder: "bob@box pid 2 (ferry)"})
	r2 := newRunner(t, Config{Journal: j2, Lock: lock2}, s2)

	done := make(chan error, 1)
	go func() { done <- r1.Apply(t.Context(), "a") }()
	<-s1.reached
	if st := r1.Snapshot(); st.Busy != "a" || st.Steps[0].State != StateApplying {
		t.Errorf("first runner while applying: busy %q state %s", st.Busy, st.Steps[0].State)
	}
	// The second ferry sees the apply as live, not interrupted, and may
	// not apply or roll back.
	if err := r2.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	wantState(t, r2, "a", StateApplying)
	for name, op := range map[string]func() error{
		"apply":    func() error { return r2.Apply(t.Context(), "a") },
		"rollback": func() error { return r2.Rollback(t.Context(), "a") },
	} {
		var locked ErrLocked
		if err := op(); !errors.As(err, &locked) || locked.Holder != "alice@box pid 1 (ferry)" {
			t.Errorf("second %s = %v, want ErrLocked naming alice", name, err)
		}
	}
	if len(s2.Calls()) != 0 {
		t.Error("the locked-out runner called its step")
	}
	close(s1.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := r2.Apply(t.Context(), "a"); err != nil {
		t.Fatalf("after the first released: %v", err)
	}
}

func TestRunnerLockLostCancelsApply(t *testing.T) {
	t.Parallel()
	cluster := fakeCluster()
	lock := NewLock(cluster, "prod", LockConfig{Duration: time.Second, RenewEvery: 20 * time.Millisecond})
	s := gated("a")
	r := newRunner(t, Config{Lock: lock}, s)
	done := make(chan error, 1)
	go func() { done <- r.Apply(t.Context(), "a") }()
	<-s.reached
	waitFor(t, func() bool {
		return cluster.CoordinationV1().Leases(DefaultLockNamespace).Delete(t.Context(), lock.cfg.Name, metav1.DeleteOptions{}) == nil
	}, "the lease to be deleted from under the holder")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "lock") {
			t.Errorf("Apply after losing the lock = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Apply kept going after the lock was lost")
	}
	wantState(t, r, "a", StateFailed)
}

func TestRunnerReadOnly(t *testing.T) {
	t.Parallel()
	cluster := fakeCluster()
	j := crashedJournal(t, "a")
	before, _ := os.ReadFile(j.Path())
	ro, err := OpenJournal(j.Path(), JournalReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	s := newFake("a")
	r := newRunner(t, Config{Journal: ro, ReadOnly: true, Lock: NewLock(cluster, "prod", LockConfig{})}, s)
	for name, err := range map[string]error{
		"apply":    r.Apply(t.Context(), "a"),
		"rollback": r.Rollback(t.Context(), "a"),
		"skip":     r.Skip(t.Context(), "a", "because"),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s = %v, want ErrReadOnly", name, err)
		}
	}
	if _, err := r.Verify(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	wantState(t, r, "a", StateVerified) // in memory only
	after, _ := os.ReadFile(j.Path())
	if string(before) != string(after) {
		t.Error("read-only runner wrote to the journal")
	}
	for _, a := range cluster.Actions() {
		if a.GetVerb() != "get" {
			t.Errorf("read-only runner sent %s %s", a.GetVerb(), a.GetResource().Resource)
		}
	}
	if len(s.Calls()) != 1 {
		t.Errorf("step calls %v, want only verify", s.Calls())
	}
	if _, err := NewRunner(Config{Journal: ro}); err == nil {
		t.Error("a writable runner accepted a read-only journal")
	}
}

func TestRecorderSaveRejectsInvalidJSON(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{}, newFake("a"))
	rec := &recorder{r: r, step: "a", action: ActionApply}
	if err := rec.Save(json.RawMessage(`{not json`)); err == nil {
		t.Error("invalid undo JSON accepted")
	}
}
