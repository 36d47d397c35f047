package logs_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/logs"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

func ownerSel(t *testing.T, ns, owner string) logs.Selector {
	t.Helper()
	o, err := logs.ParseOwner(owner)
	if err != nil {
		t.Fatal(err)
	}
	return logs.Selector{Namespaces: []string{ns}, Owner: o, Tail: 20}
}

// TestBothSidesTagged: auth-gateway's lines arrive from kops and eks, each
// tagged with its side, JSON parsed.
func TestBothSidesTagged(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Get(t)
	var srcs []logs.Source
	for _, s := range sandbox.Sides() {
		srcs = append(srcs, logs.Source{Label: strings.ToUpper(s.Name), Client: env.Kube(t, s.Name),
			Selector: ownerSel(t, "platform", "deployment/auth-gateway")})
	}
	tl, err := logs.Run(t.Context(), logs.Config{Sources: srcs})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tl, 30*time.Second)
	lines, _, _ := tl.Ring().Since(0)
	per := map[string]int{}
	for _, l := range lines {
		per[l.Side]++
		if !strings.HasPrefix(l.Pod, "auth-gateway-") || l.Time.IsZero() {
			t.Fatalf("line %+v", l)
		}
		if l.JSON && l.Msg == "" {
			t.Errorf("JSON line without msg: %q", l.Text)
		}
	}
	if per["KOPS"] == 0 || per["EKS"] == 0 {
		t.Errorf("lines per side %v; want both", per)
	}
}

func waitDone(t *testing.T, tl *logs.Tail, d time.Duration) {
	t.Helper()
	select {
	case <-tl.Done():
	case <-time.After(d):
		t.Fatalf("not done after %s: %+v", d, tl.Stats())
	}
}

// TestPrevious: the crash-looping worker's previous run ends with its fatal line.
func TestPrevious(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Get(t)
	sel := ownerSel(t, "orders", "deployment/fulfillment-worker")
	sel.Previous, sel.Tail = true, 0
	tl, err := logs.Run(t.Context(), logs.Config{Follow: true, // Previous never follows
		Sources: []logs.Source{{Label: "EKS", Client: env.Kube(t, "eks"), Selector: sel}}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tl, 30*time.Second)
	lines, _, _ := tl.Ring().Since(0)
	errs := 0
	for _, l := range lines {
		if l.IsError() || strings.HasPrefix(l.Text, "panic:") {
			errs++
		}
	}
	if len(lines) == 0 || errs == 0 {
		t.Errorf("%d previous lines, %d errors; want the crashed run's log", len(lines), errs)
	}
}

// ownNamespace makes a namespace for a test and deletes it afterwards.
func ownNamespace(t *testing.T, cs kubernetes.Interface, prefix string) string {
	t.Helper()
	ns, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	return ns.Name
}

func deployment(name string, replicas int32, containers ...string) *appsv1.Deployment {
	lbl := map[string]string{"app": name}
	var cs []corev1.Container
	for _, c := range containers {
		cs = append(cs, corev1.Container{Name: c, Image: "busybox"})
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{Containers: cs}}},
	}
}

// appendLog makes a pod "log" a line: kwok serves this CRI file.
func appendLog(t *testing.T, path, msg string) {
	t.Helper()
	if err := os.MkdirAll(strings.TrimSuffix(path, "/"+lastElem(path)), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s stdout F %s\n", time.Now().UTC().Format(time.RFC3339Nano), msg); err != nil {
		t.Fatal(err)
	}
}

func lastElem(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// runningPods waits for n running pods with container IDs in ns.
func runningPods(t *testing.T, cs kubernetes.Interface, ns string, n int) []corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		pl, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{})
		var ready []corev1.Pod
		if err == nil {
			for _, p := range pl.Items {
				if p.Status.Phase == corev1.PodRunning && len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].ContainerID != "" {
					ready = append(ready, p)
				}
			}
		}
		if len(ready) >= n {
			return ready
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d pods running in %s", len(ready), n, ns)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestNewPodFollowedAndCap: pods of a Deployment in our own namespace. With
// follow, a pod added by scaling up is streamed within 2 s; then no-follow
// with MaxStreams 2 over 6 containers reads all 6, never more than 2 at once.
func TestNewPodFollowedAndCap(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Get(t)
	cs := env.Kube(t, "eks")
	side := sandboxtest.Side(t, "eks")
	ns := ownNamespace(t, cs, "logs-test-")
	d, err := cs.AppsV1().Deployments(ns).Create(t.Context(), deployment("web", 1, "app", "side"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	runningPods(t, cs, ns, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tl, err := logs.Run(ctx, logs.Config{Follow: true, Sources: []logs.Source{{Label: "EKS", Client: cs,
		Selector: logs.Selector{Namespaces: []string{ns}}}}})
	if err != nil {
		t.Fatal(err)
	}
	patch := []byte(`{"spec":{"replicas":3}}`)
	if _, err := cs.AppsV1().Deployments(ns).Patch(t.Context(), d.Name, k8stypes.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := runningPods(t, cs, ns, 3)
	start := time.Now()
	for _, p := range pods {
		appendLog(t, env.SB.Config().ContainerLogFile(side, ns, p.Name, "app"), "marker "+p.Name)
	}
	got := map[string]bool{}
	var next uint64
	for len(got) < 3 {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("after 2 s saw markers of %v; stats %+v", got, tl.Stats().Streams)
		}
		lines, n, _ := tl.Ring().Since(next)
		next = n
		for _, l := range lines {
			if strings.HasPrefix(l.Text, "marker ") {
				got[l.Pod] = true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	waitDone(t, tl, 10*time.Second)

	// The cap: 3 pods x 2 containers, 2 at a time, no follow.
	tl, err = logs.Run(t.Context(), logs.Config{MaxStreams: 2, Sources: []logs.Source{{Label: "EKS", Client: cs,
		Selector: logs.Selector{Namespaces: []string{ns}}}}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tl, 30*time.Second)
	st := tl.Stats()
	if len(st.Streams) != 6 || st.Sides[0].Ended != 6 || st.Sides[0].PeakConcurrent > 2 {
		t.Errorf("streams %d ended %d peak %d; want 6, 6, <=2", len(st.Streams), st.Sides[0].Ended, st.Sides[0].PeakConcurrent)
	}
	for _, s := range st.Streams {
		if s.Err != "" || s.Attempts != 1 {
			t.Errorf("stream %+v", s)
		}
	}
}

// TestFollowAcrossContainerRestart: following the crash-looping worker on
// eks, the stream outlives its container: after a run's fatal line the next
// run's "starting worker" arrives. (KWOK keeps a follow open across the
// restart, as tail -F would; a kubelet ends it, and the stream then
// reconnects from its last line, which TestReconnectResumes covers.)
func TestFollowAcrossContainerRestart(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Get(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sel := ownerSel(t, "orders", "deployment/fulfillment-worker")
	sel.Tail = 1
	tl, err := logs.Run(ctx, logs.Config{Follow: true, Sources: []logs.Source{{Label: "EKS", Client: env.Kube(t, "eks"), Selector: sel}}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(45 * time.Second)
	var next uint64
	sawFatal := false
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no restart seen in 45 s (fatal seen: %v); streams %+v", sawFatal, tl.Stats().Streams)
		}
		lines, n, _ := tl.Ring().Since(next)
		next = n
		for _, l := range lines {
			switch {
			case l.Level == "fatal" || strings.HasPrefix(l.Text, "panic: "):
				sawFatal = true
			case sawFatal && strings.Contains(l.Text, `msg="starting worker"`):
				if st := tl.Stats().Streams; len(st) != 1 || st[0].State != logs.StateLive {
					t.Errorf("streams %+v; want the one stream, still live", st)
				}
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}
