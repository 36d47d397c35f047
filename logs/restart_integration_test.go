package logs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ferry-dev/ferry/logs"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// TestResumeAfterAPIServerRestart: markers written before, during and after
// an eks apiserver outage all arrive exactly once.
func TestResumeAfterAPIServerRestart(t *testing.T) {
	env := sandboxtest.Isolated(t)
	cs := env.Kube(t, "eks")
	side := sandboxtest.Side(t, "eks")
	ns := ownNamespace(t, cs, "logs-restart-")
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), deployment("web", 1, "app"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := runningPods(t, cs, ns, 1)[0]
	file := env.SB.Config().ContainerLogFile(side, ns, pod.Name, "app")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tl, err := logs.Run(ctx, logs.Config{Follow: true, Sources: []logs.Source{{Label: "EKS", Client: cs,
		Selector: logs.Selector{Namespaces: []string{ns}}}}})
	if err != nil {
		t.Fatal(err)
	}
	write := func(from, to int) {
		for i := from; i < to; i++ {
			appendLog(t, file, fmt.Sprintf("marker-%02d", i))
			time.Sleep(20 * time.Millisecond)
		}
	}
	write(0, 5)
	waitMarkers(t, tl, 5, 10*time.Second)
	env.Stop(t, "eks", sandbox.ComponentAPIServer)
	write(5, 10)
	env.Start(t, "eks", sandbox.ComponentAPIServer)
	write(10, 15)
	waitMarkers(t, tl, 15, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show up
	counts := markers(tl)
	for i := range 15 {
		if n := counts[fmt.Sprintf("marker-%02d", i)]; n != 1 {
			t.Errorf("marker-%02d received %d times, want 1", i, n)
		}
	}
	if st := tl.Stats().Streams; len(st) != 1 || st[0].Attempts < 2 {
		t.Errorf("streams %+v; want one that reconnected", st)
	}
}

func markers(tl *logs.Tail) map[string]int {
	lines, _, _ := tl.Ring().Since(0)
	m := map[string]int{}
	for _, l := range lines {
		if strings.HasPrefix(l.Text, "marker-") {
			m[l.Text]++
		}
	}
	return m
}

func waitMarkers(t *testing.T, tl *logs.Tail, n int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for len(markers(tl)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d markers after %s: %v; streams %+v", len(markers(tl)), n, d, markers(tl), tl.Stats().Streams)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
