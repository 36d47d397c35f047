package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func testPod(ns, name string, uid types.UID, ann map[string]string, init []string, containers ...string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, Annotations: ann},
		Spec:       corev1.PodSpec{NodeName: "kwok-node-0"},
	}
	for _, c := range init {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: c})
	}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
	}
	return p
}

func testConfig(t *testing.T) logsConfig {
	return logsConfig{dir: t.TempDir(), seed: 1, rateScale: 1, grace: time.Second, log: slog.New(slog.DiscardHandler)}
}

// readCRI parses a log file, failing on any malformed or out-of-order line,
// and returns the messages.
func readCRI(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends in a partial line", filepath.Base(path))
	}
	var msgs []string
	var last time.Time
	for line := range strings.SplitSeq(strings.TrimSuffix(string(b), "\n"), "\n") {
		m := criLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s: not a CRI line: %q", filepath.Base(path), line)
		}
		ts, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil || ts.Location() != time.UTC || ts.Before(last) {
			t.Fatalf("%s: timestamp %q (err %v) not UTC or before %v", filepath.Base(path), m[1], err, last)
		}
		last = ts
		msgs = append(msgs, m[3])
	}
	return msgs
}

func lineCount(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte{'\n'})
}

func TestLogsWriterCrashloopRotates(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	pod := testPod("orders", "fulfillment-worker-0", "u1", nil, []string{"wait-db"}, "app")
	w, err := newPodWriter(cfg, pod, logSpec{profile: profileCrashloop, rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer w.closeFiles()
	base := filepath.Join(cfg.dir, "orders", "fulfillment-worker-0")
	if got := readCRI(t, filepath.Join(base, "wait-db.log")); len(got) != len(initLines) || got[len(got)-1] != "init done" {
		t.Fatalf("init container log = %q", got)
	}
	prev := readCRI(t, filepath.Join(base, "app.previous.log"))
	if !endsInFatal(prev) {
		t.Fatalf("previous log does not end in a fatal error: %q", prev)
	}

	// One run is startup + retries + fatal; then the pause, then a new run.
	run := len(crashStartup) + crashRetries + 1
	w.emit(time.Duration(run+crashPause+3) * time.Millisecond)
	prev = readCRI(t, filepath.Join(base, "app.previous.log"))
	if !strings.Contains(prev[0], "starting worker") || !endsInFatal(prev) {
		t.Fatalf("rotated previous log = %q", prev)
	}
	cur := readCRI(t, filepath.Join(base, "app.log"))
	if len(cur) != 3 || !strings.Contains(cur[0], "starting worker") {
		t.Fatalf("log of the new run = %q", cur)
	}
}

func endsInFatal(msgs []string) bool {
	last := strings.Join(msgs, "\n")
	return strings.Contains(last, "level=fatal") || strings.Contains(last, "panic: ") && strings.HasPrefix(msgs[len(msgs)-1], "\t/src/")
}

func TestLogsWriterAppendsOnRestartResetsOnNewPod(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	spec := logSpec{profile: profileWorkerPlain, rate: 1000}
	path := filepath.Join(cfg.dir, "payments", "ledger-0", "app.log")
	write := func(uid types.UID, d time.Duration) {
		w, err := newPodWriter(cfg, testPod("payments", "ledger-0", uid, nil, nil, "app"), spec)
		if err != nil {
			t.Fatal(err)
		}
		w.emit(d)
		w.closeFiles()
	}
	write("u1", 5*time.Millisecond)
	write("u1", 5*time.Millisecond) // the writer restarted: same pod
	if n := len(readCRI(t, path)); n != 10 {
		t.Fatalf("after a writer restart the log has %d lines, want 10 (appended)", n)
	}
	write("u2", 3*time.Millisecond) // a new pod with the same name
	if n := len(readCRI(t, path)); n != 3 {
		t.Fatalf("a re-created pod's log has %d lines, want 3 (fresh)", n)
	}
}

// TestLogsWriterHistory: a pod asking for history starts with that many
// lines, in time order ending now, and keeps appending after them; a
// writer restart does not write the history twice.
func TestLogsWriterHistory(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	pod := testPod("bench", "logbench-0", "u1", map[string]string{annLogHistory: "500", annLogProfile: profileHTTPJSON}, nil, "app")
	spec := parseLogSpec(pod.Annotations, 1)
	if spec.history != 500 {
		t.Fatalf("history %d, want 500", spec.history)
	}
	spec.rate = 1000
	for range 2 {
		w, err := newPodWriter(cfg, pod, spec)
		if err != nil {
			t.Fatal(err)
		}
		w.emit(4 * time.Millisecond)
		w.closeFiles()
	}
	if n := len(readCRI(t, filepath.Join(cfg.dir, "bench", "logbench-0", "app.log"))); n != 508 {
		t.Fatalf("log has %d lines, want 500 of history and 2 x 4 appended", n)
	}
}
