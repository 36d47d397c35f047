package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
)

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *logsController) writer(key string) *podWriter {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writers[key]
}

func getLogs(t *testing.T, dyn *dynfake.FakeDynamicClient, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := dyn.Resource(logsGVR).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return u
}

// wantLogsEntries is the spec.logs a pod's Logs object should hold.
func wantLogsEntries(dir string, prev bool, containers ...string) []any {
	var out []any
	for _, c := range containers {
		e := map[string]any{"containers": []any{c}, "logsFile": filepath.Join(dir, c+".log"), "follow": true}
		if prev {
			e["previousLogsFile"] = filepath.Join(dir, c+".previous.log")
		}
		out = append(out, e)
	}
	return out
}

func logsObjectMatches(u *unstructured.Unstructured, uid string, entries []any) bool {
	if u == nil {
		return false
	}
	refs := u.GetOwnerReferences()
	got, _, _ := unstructured.NestedSlice(u.Object, "spec", "logs")
	return len(refs) == 1 && refs[0].Kind == "Pod" && refs[0].APIVersion == "v1" &&
		refs[0].Name == u.GetName() && string(refs[0].UID) == uid && reflect.DeepEqual(got, entries)
}

// startLogsController runs a controller on fake clients until the test ends.
func startLogsController(t *testing.T, cfg logsConfig, pods []runtime.Object, logs ...runtime.Object) (*logsController, *fake.Clientset, *dynfake.FakeDynamicClient) {
	// NewSimpleClientset, though deprecated, skips the managed-fields type
	// converter that costs NewClientset over a second under -race.
	kube := fake.NewSimpleClientset(pods...)
	dyn := dynfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{logsGVR: "LogsList"}, logs...)
	c := newLogsController(kube, dyn, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- c.run(ctx, func() { close(ready) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("controller not ready")
	}
	return c, kube, dyn
}

func TestLogsControllerLifecycle(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.grace = 500 * time.Millisecond
	ann := map[string]string{annLogProfile: profileHTTPJSON, annLogRate: "100"}
	api := testPod("payments", "checkout-api-0", "uid-api", ann, []string{"migrate"}, "app", "proxy")
	crash := testPod("orders", "fulfillment-worker-0", "uid-crash", map[string]string{annLogProfile: profileCrashloop}, nil, "app")
	pending := testPod("orders", "pending-0", "uid-pending", nil, nil, "app")
	pending.Spec.NodeName = ""
	stale := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs",
		"metadata": map[string]any{"namespace": "orders", "name": "fulfillment-worker-0"},
		"spec":     map[string]any{"logs": []any{map[string]any{"logsFile": "/nowhere"}}},
	}}
	c, kube, dyn := startLogsController(t, cfg, []runtime.Object{crash, pending}, stale)
	ctx := context.Background()

	if _, err := kube.CoreV1().Pods("payments").Create(ctx, api, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	apiDir := filepath.Join(cfg.dir, "payments", "checkout-api-0")
	crashDir := filepath.Join(cfg.dir, "orders", "fulfillment-worker-0")
	eventually(t, "Logs object of the new pod", func() bool {
		return logsObjectMatches(getLogs(t, dyn, "payments", "checkout-api-0"), "uid-api",
			wantLogsEntries(apiDir, false, "migrate", "app", "proxy"))
	})
	eventually(t, "stale Logs object updated", func() bool {
		return logsObjectMatches(getLogs(t, dyn, "orders", "fulfillment-worker-0"), "uid-crash",
			wantLogsEntries(crashDir, true, "app"))
	})
	if getLogs(t, dyn, "orders", "pending-0") != nil {
		t.Error("a pod without a node got a Logs object")
	}
	if len(readCRI(t, filepath.Join(apiDir, "migrate.log"))) != len(initLines) ||
		!endsInFatal(readCRI(t, filepath.Join(crashDir, "app.previous.log"))) {
		t.Error("init or previous log missing")
	}

	appLog := filepath.Join(apiDir, "app.log")
	eventually(t, "lines in app.log", func() bool { return lineCount(appLog) >= 5 })
	n := lineCount(appLog)
	eventually(t, "more lines in app.log", func() bool { return lineCount(appLog) > n })
	for _, m := range readCRI(t, appLog) {
		checkJSONLine(t, m)
	}

	if err := dyn.Resource(logsGVR).Namespace("payments").Delete(ctx, "checkout-api-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "deleted Logs object re-created", func() bool {
		return getLogs(t, dyn, "payments", "checkout-api-0") != nil
	})

	w := c.writer("payments/checkout-api-0")
	if err := kube.CoreV1().Pods("payments").Delete(ctx, "checkout-api-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	<-w.closed
	n = lineCount(appLog)
	time.Sleep(50 * time.Millisecond)
	if got := lineCount(appLog); got != n {
		t.Fatalf("app.log grew from %d to %d lines after the pod was deleted", n, got)
	}
	if _, err := os.Stat(appLog); err != nil {
		t.Fatalf("app.log went before the grace: %v", err)
	}
	eventually(t, "pod directory removed after the grace", func() bool {
		_, err := os.Stat(apiDir)
		return os.IsNotExist(err)
	})
	if _, err := os.Stat(crashDir); err != nil {
		t.Errorf("a live pod's directory went too: %v", err)
	}
}

// A StatefulSet replica deleted and re-created under the same name must get
// fresh logs, and the old pod's grace must not remove the new pod's files.
func TestLogsControllerPodRecreatedWithinGrace(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.grace = 200 * time.Millisecond
	ann := map[string]string{annLogProfile: profileWorkerJSON, annLogRate: "200"}
	old := testPod("payments", "ledger-0", "uid-old", ann, nil, "app")
	c, kube, dyn := startLogsController(t, cfg, []runtime.Object{old})
	ctx := context.Background()
	appLog := filepath.Join(cfg.dir, "payments", "ledger-0", "app.log")
	eventually(t, "lines of the old pod", func() bool { return lineCount(appLog) >= 20 })

	pods := kube.CoreV1().Pods("payments")
	if err := pods.Delete(ctx, "ledger-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Create(ctx, testPod("payments", "ledger-0", "uid-new", ann, nil, "app"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "writer of the new pod", func() bool {
		w := c.writer("payments/ledger-0")
		return w != nil && w.uid == "uid-new"
	})
	if n := lineCount(appLog); n >= 20 {
		t.Errorf("the new pod's log starts with %d lines: the old pod's were kept", n)
	}
	eventually(t, "Logs object owned by the new pod", func() bool {
		return logsObjectMatches(getLogs(t, dyn, "payments", "ledger-0"), "uid-new",
			wantLogsEntries(filepath.Dir(appLog), false, "app"))
	})
	time.Sleep(2 * cfg.grace)
	if uid, err := os.ReadFile(filepath.Join(filepath.Dir(appLog), uidFile)); err != nil || string(uid) != "uid-new" {
		t.Fatalf("after the old pod's grace the marker is %q, %v; want uid-new", uid, err)
	}
	readCRI(t, appLog)
}
