package sandbox_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

func TestClustersReadyWithSeed(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, side := range sandbox.Sides() {
		t.Run(side.Name, func(t *testing.T) {
			cs := env.Kube(t, side.Name)
			node, err := cs.CoreV1().Nodes().Get(t.Context(), sandbox.NodeName(side), metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !nodeReady(node) {
				t.Errorf("node %s not Ready: %+v", node.Name, node.Status.Conditions)
			}
			if got := node.Labels[side.NodeLabel[0]]; got != side.NodeLabel[1] {
				t.Errorf("node label %s = %q, want %q", side.NodeLabel[0], got, side.NodeLabel[1])
			}
			for _, ns := range sandbox.SeedNamespaces {
				if _, err := cs.CoreV1().Namespaces().Get(t.Context(), ns, metav1.GetOptions{}); err != nil {
					t.Errorf("namespace %s: %v", ns, err)
				}
			}
			waitRunning(t, cs, "platform", "app=auth-gateway", 1, 30*time.Second)
		})
	}
	_, err := env.Kube(t, "eks").AppsV1().Deployments("orders").Get(t.Context(), "invoice-renderer", metav1.GetOptions{})
	if err == nil {
		t.Error("orders/invoice-renderer exists on eks; the scenario has it only on kops")
	}
}

// TestCrashLoopOnEKS checks the kwok stages: the eks fulfillment-worker
// restarts and remembers its last termination, with container IDs set.
func TestCrashLoopOnEKS(t *testing.T) {
	env := sandboxtest.Get(t)
	cs := env.Kube(t, "eks")
	err := wait.PollUntilContextTimeout(t.Context(), 500*time.Millisecond, 45*time.Second, true, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods("orders").List(ctx, metav1.ListOptions{LabelSelector: "app=fulfillment-worker"})
		if err != nil || len(pods.Items) == 0 {
			return false, nil
		}
		for _, cst := range pods.Items[0].Status.ContainerStatuses {
			if cst.RestartCount > 0 && cst.LastTerminationState.Terminated != nil &&
				cst.LastTerminationState.Terminated.ExitCode == 1 && cst.ContainerID != "" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("eks orders/fulfillment-worker never showed a restart with a terminated last state: %v", err)
	}
}

// TestScaleOnEKS: a Deployment scaled up on eks gets Running pods within 10 s.
func TestScaleOnEKS(t *testing.T) {
	env := sandboxtest.Get(t)
	cs := env.Kube(t, "eks")
	ns := testNamespace(t, cs)
	dep := deployment("scale-me", 0)
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	patch := []byte(`{"spec":{"replicas":3}}`)
	if _, err := cs.AppsV1().Deployments(ns).Patch(t.Context(), "scale-me", types.MergePatchType, patch, metav1.PatchOptions{}, "scale"); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, cs, ns, "app=scale-me", 3, 10*time.Second)
	t.Logf("3 pods Running %s after the scale", time.Since(start).Round(10*time.Millisecond))
}

// TestFollowLogsDeliversNewLine: a line appended to a container's log file
// arrives through the apiserver's pods/log?follow=true within 2 s.
func TestFollowLogsDeliversNewLine(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, side := range sandbox.Sides() {
		t.Run(side.Name, func(t *testing.T) {
			cs := env.Kube(t, side.Name)
			pod := waitRunning(t, cs, "platform", "app=auth-gateway", 1, 30*time.Second)[0]
			container := pod.Spec.Containers[0].Name
			file := env.SB.Config().ContainerLogFile(side, pod.Namespace, pod.Name, container)
			waitFile(t, file, 20*time.Second)

			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			zero := int64(0)
			stream, err := cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{
				Container: container, Follow: true, TailLines: &zero}).Stream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			lines := make(chan string, 1024)
			go func() {
				sc := bufio.NewScanner(stream)
				for sc.Scan() {
					select {
					case lines <- sc.Text():
					case <-ctx.Done():
						return
					}
				}
			}()
			time.Sleep(300 * time.Millisecond) // let the stream attach before writing
			marker := fmt.Sprintf("ferry-test-marker %d", time.Now().UnixNano())
			appendCRI(t, file, marker)
			written := time.Now()
			for {
				select {
				case l := <-lines:
					if strings.Contains(l, marker) {
						if d := time.Since(written); d > 2*time.Second {
							t.Fatalf("marker arrived after %s, want within 2s", d)
						}
						t.Logf("marker arrived %s after it was written", time.Since(written).Round(time.Millisecond))
						return
					}
				case <-time.After(2*time.Second - time.Since(written)):
					t.Fatal("marker line not delivered through pods/log?follow=true within 2s")
				}
			}
		})
	}
}

func TestAWSIdentities(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, side := range sandbox.Sides() {
		out, err := sts.NewFromConfig(env.AWS(t, side.Name)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: GetCallerIdentity: %v", side.Profile, err)
		}
		if got := *out.Account; got != side.Account {
			t.Errorf("%s: account %s, want %s", side.Profile, got, side.Account)
		}
		if !strings.Contains(*out.Arn, side.Account) {
			t.Errorf("%s: caller ARN %s does not name account %s", side.Profile, *out.Arn, side.Account)
		}
	}
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitRunning waits for at least n Running pods matching selector.
func waitRunning(t *testing.T, cs kubernetes.Interface, ns, selector string, n int, timeout time.Duration) []corev1.Pod {
	t.Helper()
	var running []corev1.Pod
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, nil
		}
		running = running[:0]
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				running = append(running, p)
			}
		}
		return len(running) >= n, nil
	})
	if err != nil {
		t.Fatalf("%s %s: %d Running pods after %s, want %d", ns, selector, len(running), timeout, n)
	}
	return running
}

func waitFile(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("log file %s not created within %s", path, timeout)
}

func appendCRI(t *testing.T, path, msg string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := fmt.Sprintf("%s stdout F %s\n", time.Now().UTC().Format(time.RFC3339Nano), msg)
	if _, err := f.WriteString(line); err != nil {
		t.Fatal(err)
	}
}

// TestUpIsIdempotent: Up on a running sandbox starts nothing and returns in
// seconds.
func TestUpIsIdempotent(t *testing.T) {
	env := sandboxtest.Get(t)
	var out strings.Builder
	start := time.Now()
	if err := env.SB.Up(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "started ") || strings.Contains(out.String(), "building ") {
		t.Errorf("second Up started or built something:\n%s", out.String())
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("second Up took %s", d)
	}
	if st := env.SB.Status(); !st.Up() {
		t.Errorf("status after Up: %d of %d running", st.Running, st.Total)
	}
}
