package sandbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// TestLoadRunsAndUnloads: 20 load Deployments on eks get Running pods on a
// load node, each with its side's image; Unload leaves nothing behind.
func TestLoadRunsAndUnloads(t *testing.T) {
	env := sandboxtest.Get(t)
	side := sandboxtest.Side(t, "eks")
	cs := env.Kube(t, side.Name)
	l := sandbox.Load{Namespace: fmt.Sprintf("load-test-%d", time.Now().UnixNano()%1_000_000_000), Deployments: 20, Workers: 4}
	unloaded := false
	t.Cleanup(func() {
		if !unloaded { // t.Context is already cancelled when cleanups run
			_ = l.Unload(context.Background(), cs, time.Minute)
		}
	})

	start := time.Now()
	if err := l.Apply(t.Context(), cs, side, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("20 deployments running after %s", time.Since(start).Round(10*time.Millisecond))
	if err := l.Apply(t.Context(), cs, side, 30*time.Second); err != nil {
		t.Fatalf("applying a loaded namespace again: %v", err)
	}
	deps, err := cs.AppsV1().Deployments(l.Namespace).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(deps.Items) != 20 {
		t.Errorf("%d deployments, want 20", len(deps.Items))
	}
	pods, err := cs.CoreV1().Pods(l.Namespace).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantImage := "222222222222.dkr.ecr.us-east-1.amazonaws.com/load-0000:1.0.0"
	for _, p := range pods.Items {
		if !strings.HasPrefix(p.Spec.NodeName, "ferry-load-") {
			t.Errorf("pod %s on node %q, want a load node", p.Name, p.Spec.NodeName)
		}
		if p.Labels["app"] == "load-0000" && p.Spec.Containers[0].Image != wantImage {
			t.Errorf("pod %s runs %s, want %s", p.Name, p.Spec.Containers[0].Image, wantImage)
		}
	}

	unloaded = true
	if err := l.Unload(t.Context(), cs, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(t.Context(), l.Namespace, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s after Unload: %v, want not found", l.Namespace, err)
	}
	assertNoIdleLoadNode(t, cs)
}

// assertNoIdleLoadNode: every load node left runs a pod (another load's).
func assertNoIdleLoadNode(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	nodes, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: sandbox.LoadNodeLabel})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		pods, err := cs.CoreV1().Pods("").List(t.Context(), metav1.ListOptions{FieldSelector: "spec.nodeName=" + n.Name})
		if err != nil {
			t.Fatal(err)
		}
		if len(pods.Items) == 0 {
			t.Errorf("load node %s left behind with no pod on it", n.Name)
		}
	}
}

// TestLoadsShareNodes: a second namespace's load on top of one that fills
// a load node (110 pods) gets a node of its own instead of waiting for
// room that never comes.
func TestLoadsShareNodes(t *testing.T) {
	env := sandboxtest.Get(t)
	side := sandboxtest.Side(t, "kops")
	cs := env.Kube(t, side.Name)
	stamp := time.Now().UnixNano() % 1_000_000_000
	first := sandbox.Load{Namespace: fmt.Sprintf("load-a-%d", stamp), Deployments: 100}
	second := sandbox.Load{Namespace: fmt.Sprintf("load-b-%d", stamp), Deployments: 11}
	t.Cleanup(func() {
		_ = second.Unload(context.Background(), cs, time.Minute)
		_ = first.Unload(context.Background(), cs, time.Minute)
	})
	if err := first.Apply(t.Context(), cs, side, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := second.Apply(t.Context(), cs, side, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := second.Unload(t.Context(), cs, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := first.Unload(t.Context(), cs, time.Minute); err != nil {
		t.Fatal(err)
	}
	assertNoIdleLoadNode(t, cs)
}
