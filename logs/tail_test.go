package logs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

func fakePod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: k8stypes.UID("uid-" + name)},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Name: "app", ContainerID: "fake://" + name,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		}}},
	}
}

// TestCapQueues: 6 containers, cap 2, no follow: all are read, never more
// than 2 at once, and the waiting count is visible meanwhile.
func TestCapQueues(t *testing.T) {
	t.Parallel()
	var pods []runtime.Object
	for i := range 6 {
		pods = append(pods, fakePod(fmt.Sprint("p", i)))
	}
	var cur, peak atomic.Int32
	release := make(chan struct{})
	open := func(ctx context.Context, c Container, _ *corev1.PodLogOptions) (io.ReadCloser, error) {
		n := cur.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release
		cur.Add(-1)
		return io.NopCloser(strings.NewReader("2026-01-01T00:00:00Z hello from " + c.Pod + "\n")), nil
	}
	tl, err := Run(t.Context(), Config{MaxStreams: 2, Sources: []Source{{Label: "A", Client: fake.NewClientset(pods...), open: open}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return tl.Stats().Sides[0].Waiting == 4 })
	close(release)
	select {
	case <-tl.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("not done: %+v", tl.Stats())
	}
	st := tl.Stats()
	if st.Sides[0].Lines != 6 || st.Sides[0].Ended != 6 || peak.Load() > 2 || st.Sides[0].PeakConcurrent != 2 {
		t.Errorf("lines %d ended %d peak %d/%d", st.Sides[0].Lines, st.Sides[0].Ended, peak.Load(), st.Sides[0].PeakConcurrent)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReconnectResumes: the connection drops mid-log; the stream reports
// reconnecting, asks again with SinceTime, and no line is lost or doubled.
func TestReconnectResumes(t *testing.T) {
	t.Parallel()
	log := []string{
		"2026-01-01T00:00:01.000000001Z a", "2026-01-01T00:00:01.000000002Z b",
		"2026-01-01T00:00:01.000000002Z b", "2026-01-01T00:00:02Z c",
	}
	var mu sync.Mutex
	var calls []*corev1.PodLogOptions
	open := func(ctx context.Context, c Container, o *corev1.PodLogOptions) (io.ReadCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, o)
		if len(calls) == 1 { // first connection dies after three lines
			return io.NopCloser(strings.NewReader(strings.Join(log[:3], "\n") + "\n")), nil
		}
		if len(calls) == 2 {
			return nil, fmt.Errorf("connection refused")
		}
		// The server rounds SinceTime down to the second and replays.
		return io.NopCloser(strings.NewReader(strings.Join(log, "\n") + "\n")), nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tl, err := Run(ctx, Config{Follow: true, Sources: []Source{{Label: "A", Client: fake.NewClientset(fakePod("p")), open: open}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return tl.Ring().Len() >= 4 })
	time.Sleep(100 * time.Millisecond)
	lines, _, _ := tl.Ring().Since(0)
	if got := texts(lines); got != "a,b,b,c" {
		t.Errorf("lines %s, want a,b,b,c", got)
	}
	mu.Lock()
	if len(calls) < 3 || calls[0].SinceTime != nil || calls[2].SinceTime == nil || !calls[0].Timestamps {
		t.Errorf("requests %+v", calls)
	}
	mu.Unlock()
	cancel()
	<-tl.Done()
	if s := tl.Stats().Streams[0]; s.State != StateEnded || s.Attempts < 3 {
		t.Errorf("stream %+v", s)
	}
}

// TestTemplatesFed: with Config.Templates set, each side's lines are counted
// for its role, so an error only the target logs shows in the report and a
// line both sides log does not.
func TestTemplatesFed(t *testing.T) {
	t.Parallel()
	body := map[string]string{
		"A": "2026-01-01T00:00:01Z {\"level\":\"info\",\"msg\":\"served request 17\"}\n",
		"B": "2026-01-01T00:00:01Z {\"level\":\"info\",\"msg\":\"served request 42\"}\n" +
			"2026-01-01T00:00:02Z {\"level\":\"error\",\"msg\":\"AccessDenied on queue 111111111111\"}\n",
	}
	src := func(label string, role Side) Source {
		open := func(ctx context.Context, c Container, _ *corev1.PodLogOptions) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(body[label])), nil
		}
		return Source{Label: label, Role: role, Client: fake.NewClientset(fakePod("p")), open: open}
	}
	ts := NewTemplateStats(TemplateStatsOptions{})
	tl, err := Run(t.Context(), Config{Templates: ts, Sources: []Source{src("A", SideSource), src("B", SideTarget)}})
	if err != nil {
		t.Fatal(err)
	}
	<-tl.Done()
	if tl.Templates() != ts {
		t.Fatal("Templates() is not the configured table")
	}
	rep := ts.Report(time.Hour, time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC))
	if len(rep) != 1 || !strings.Contains(rep[0].Template, "AccessDenied") || rep[0].Count != 1 {
		t.Fatalf("report %+v, want only the AccessDenied line", rep)
	}
}

// TestDeletedPodPruned: in follow mode a deleted pod's stream ends, leaves
// the stream list (a long follow over many rollouts must not grow without
// bound) and stays counted as ended.
func TestDeletedPodPruned(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(fakePod("a"), fakePod("b"))
	open := func(ctx context.Context, c Container, _ *corev1.PodLogOptions) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			fmt.Fprintf(pw, "2026-01-01T00:00:00Z hello from %s\n", c.Pod)
			<-ctx.Done()
			pw.CloseWithError(ctx.Err())
		}()
		return pr, nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tl, err := Run(ctx, Config{Follow: true, Sources: []Source{{Label: "A", Client: cs, open: open}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return tl.Stats().Sides[0].Live == 2 })
	if err := cs.CoreV1().Pods("ns").Delete(t.Context(), "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(tl.Stats().Streams) == 1 })
	st := tl.Stats()
	if st.Streams[0].Pod != "b" || st.Sides[0].Ended != 1 || st.Sides[0].Live != 1 || st.Streams[0].Err != "" {
		t.Errorf("after delete: side %+v streams %+v", st.Sides[0], st.Streams)
	}
	cancel()
	<-tl.Done()
	if st := tl.Stats(); st.Sides[0].Ended != 2 || len(st.Streams) != 1 || st.Streams[0].Err != "" {
		t.Errorf("after stop: side %+v streams %+v; want both ended, the live one still listed, no error", st.Sides[0], st.Streams)
	}
}
