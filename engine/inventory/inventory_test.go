package inventory

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

func dep(ns, name, image string, replicas, ready int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), Generation: 1},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image}}},
			},
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: replicas, ReadyReplicas: ready,
			UpdatedReplicas: replicas, AvailableReplicas: ready},
	}
}

func crashingPod(ns, name, owner string) *corev1.Pod {
	yes := true
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: owner + "-abc", Controller: &yes}}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Name: owner, RestartCount: 4, ImageID: "repo/x@sha256:feed",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		}}},
	}
}

func replicaSet(ns, deployment string) *appsv1.ReplicaSet {
	yes := true
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: deployment + "-abc",
		OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: deployment, Controller: &yes}}}}
}

func startInventory(t *testing.T, src, dst []runtime.Object) (*Inventory, *fake.Clientset, *fake.Clientset) {
	t.Helper()
	srcCS, dstCS := fake.NewClientset(src...), fake.NewClientset(dst...)
	inv := New(srcCS, dstCS, Config{SourceName: "KOPS", TargetName: "EKS", Namespaces: []string{"shop"},
		Mapping: rewrite.Mapping{Accounts: map[string]string{"111111111111": "222222222222"},
			Registries: map[string]string{"111111111111.dkr.ecr.us-east-1.amazonaws.com": "222222222222.dkr.ecr.us-east-1.amazonaws.com"}},
		Debounce: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = inv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := inv.WaitSynced(wctx); err != nil {
		t.Fatal(err)
	}
	return inv, srcCS, dstCS
}

// waitFor waits for a snapshot satisfying ok.
func waitFor(t *testing.T, inv *Inventory, what string, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		s := inv.Snapshot()
		if ok(s) {
			return s
		}
		select {
		case <-inv.Changed():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no snapshot with %s; last: %+v", what, s)
		}
	}
}

func TestInventoryPairsAndStates(t *testing.T) {
	t.Parallel()
	old, nu := "111111111111.dkr.ecr.us-east-1.amazonaws.com", "222222222222.dkr.ecr.us-east-1.amazonaws.com"
	src := []runtime.Object{
		dep("shop", "api", old+"/api:1.0", 2, 2),
		dep("shop", "legacy", old+"/legacy:0.9", 1, 1),
		dep("shop", "worker", old+"/worker:2.0", 1, 1),
		dep("other", "ignored", old+"/x:1", 1, 1),
	}
	dst := []runtime.Object{
		dep("shop", "api", nu+"/api:1.0", 2, 2),
		dep("shop", "worker", nu+"/worker:2.0", 1, 0),
		replicaSet("shop", "worker"),
		crashingPod("shop", "worker-abc-1", "worker"),
	}
	inv, _, _ := startInventory(t, src, dst)
	snap := waitFor(t, inv, "3 pairs", func(s Snapshot) bool { return len(s.Pairs) == 3 })
	want := map[string]string{"shop/api": StateInSync, "shop/legacy": StateOnlySource, "shop/worker": StateFailingTarget}
	for key, state := range want {
		p, ok := snap.Pair(key)
		if !ok {
			t.Fatalf("pair %s missing", key)
		}
		if p.State != state {
			t.Errorf("%s state %s, want %s (drift %v)", key, p.State, state, p.Drift)
		}
	}
	w, _ := snap.Pair("shop/worker")
	if w.Target.Restarts != 4 || len(w.Target.Waiting) != 1 || w.Target.Images[0].Digest != "sha256:feed" {
		t.Errorf("worker target = %+v", w.Target)
	}
	if snap.Source.Health != HealthUp || snap.Target.Health != HealthUp {
		t.Errorf("health %s/%s", snap.Source.Health, snap.Target.Health)
	}
}

// TestInventorySeesChanges: an image change on the target shows as drift in
// a later snapshot, without polling.
func TestInventorySeesChanges(t *testing.T) {
	t.Parallel()
	src := []runtime.Object{dep("shop", "api", "r/api:1.0", 1, 1)}
	dst := []runtime.Object{dep("shop", "api", "r/api:1.0", 1, 1)}
	inv, _, dstCS := startInventory(t, src, dst)
	waitFor(t, inv, "api in sync", func(s Snapshot) bool {
		p, ok := s.Pair("shop/api")
		return ok && p.State == StateInSync
	})
	d := dep("shop", "api", "r/api:1.1", 1, 1)
	if _, err := dstCS.AppsV1().Deployments("shop").Update(context.Background(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap := waitFor(t, inv, "api drifted", func(s Snapshot) bool {
		p, ok := s.Pair("shop/api")
		return ok && p.State == StateDrifted
	})
	p, _ := snap.Pair("shop/api")
	if len(p.Drift) == 0 || p.Target.Images[0].Tag != "1.1" {
		t.Errorf("pair after change = %+v", p)
	}
}

func TestTag(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"nginx":                  "",
		"nginx:1.27":             "1.27",
		"localhost:5000/app":     "",
		"localhost:5000/app:2.0": "2.0",
		"r.io/app:3@sha256:abcd": "3",
		"111.dkr.ecr.us-east-1.amazonaws.com/ledger:2.3.1": "2.3.1",
	} {
		if got := Tag(in); got != want {
			t.Errorf("Tag(%q) = %q, want %q", in, got, want)
		}
	}
}
