package inventory

import (
	"context"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// TestTrim: the caches keep what the inventory reads and nothing else.
func TestTrim(t *testing.T) {
	t.Parallel()
	managed := []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}
	pod := crashingPod("shop", "worker-abc-1", "worker")
	pod.ManagedFields = managed
	pod.Spec = corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "worker", Image: "r/worker:1"}}}
	pod.Status.Phase, pod.Status.PodIP = corev1.PodRunning, "10.0.0.1"
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady}}
	if _, err := trim(pod); err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != "" || len(pod.Spec.Containers) != 0 || pod.Status.PodIP != "" || len(pod.Status.Conditions) != 0 || len(pod.ManagedFields) != 0 {
		t.Errorf("pod keeps what is never read: spec %+v, status %+v, managed %v", pod.Spec, pod.Status, pod.ManagedFields)
	}
	if pod.Status.Phase != corev1.PodRunning || pod.Status.ContainerStatuses[0].RestartCount != 4 || controller(pod.OwnerReferences) != "worker-abc" {
		t.Errorf("pod lost what workloadState and index read: %+v", pod)
	}

	rs := replicaSet("shop", "worker")
	rs.ManagedFields = managed
	rs.Spec.Template = dep("shop", "worker", "r/worker:1", 1, 1).Spec.Template
	rs.Status.Replicas = 1
	if _, err := trim(rs); err != nil {
		t.Fatal(err)
	}
	if len(rs.Spec.Template.Spec.Containers) != 0 || rs.Status.Replicas != 0 || len(rs.ManagedFields) != 0 {
		t.Errorf("replica set keeps its spec or status: %+v", rs)
	}
	if controller(rs.OwnerReferences) != "worker" {
		t.Errorf("replica set lost its owner: %+v", rs.OwnerReferences)
	}

	d := dep("shop", "api", "r/api:1", 2, 2)
	d.ManagedFields = managed
	if _, err := trim(d); err != nil {
		t.Fatal(err)
	}
	if len(d.ManagedFields) != 0 || d.Status.ReadyReplicas != 2 || d.Spec.Template.Spec.Containers[0].Image != "r/api:1" {
		t.Errorf("deployment: managed fields must go, the rest stay: %+v", d)
	}
	if obj, err := trim("not an object"); err != nil || obj != "not an object" {
		t.Errorf("trim of a non-object: %v, %v", obj, err)
	}
}

func TestSelects(t *testing.T) {
	t.Parallel()
	pod := map[string]string{"app": "api", "tier": "web"}
	for _, tc := range []struct {
		sel  map[string]string
		want bool
	}{
		{nil, false}, // an empty selector selects nothing here (no endpoints are made for it)
		{map[string]string{"app": "api"}, true},
		{map[string]string{"app": "api", "tier": "web"}, true},
		{map[string]string{"app": "api", "tier": "db"}, false},
		{map[string]string{"app": "api", "zone": "a"}, false},
		{map[string]string{"app": ""}, false},
	} {
		if got := selects(tc.sel, pod); got != tc.want {
			t.Errorf("selects(%v) = %v, want %v", tc.sel, got, tc.want)
		}
	}
}

func TestSameObjects(t *testing.T) {
	t.Parallel()
	a, b := dep("shop", "api", "r/api:1", 1, 1), dep("shop", "api", "r/api:1", 1, 1)
	a.ResourceVersion, b.ResourceVersion = "7", "7"
	rel := func(d *appsv1.Deployment) related {
		return related{gvk: gvkApps("Deployment"), name: d.Name, rv: d.ResourceVersion, obj: d}
	}
	bumped := b.DeepCopy()
	bumped.ResourceVersion = "8"
	noRV, noRV2 := a.DeepCopy(), a.DeepCopy()
	noRV.ResourceVersion, noRV2.ResourceVersion = "", ""
	for name, tc := range map[string]struct {
		x, y []related
		want bool
	}{
		"same object":                       {[]related{rel(a)}, []related{rel(a)}, true},
		"relisted: new copy, same version":  {[]related{rel(a)}, []related{rel(b)}, true},
		"updated":                           {[]related{rel(a)}, []related{rel(bumped)}, false},
		"no versions, other copy":           {[]related{rel(noRV)}, []related{rel(noRV2)}, false},
		"one more object":                   {[]related{rel(a)}, []related{rel(a), rel(b)}, false},
		"both empty":                        {nil, nil, true},
		"same version, other kind and name": {[]related{rel(a)}, []related{{gvk: gvkConfigMap, name: "api", rv: "7", obj: b}}, false},
	} {
		if got := sameObjects(tc.x, tc.y); got != tc.want {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}
}

// TestWithoutStatus: the diff's copy has no status; the cache's keeps it.
func TestWithoutStatus(t *testing.T) {
	t.Parallel()
	d := dep("shop", "api", "r/api:1", 2, 2)
	c, ok := withoutStatus(d).(*appsv1.Deployment)
	if !ok || c == d || c.Status.ReadyReplicas != 0 || c.Spec.Template.Spec.Containers[0].Image != "r/api:1" {
		t.Errorf("copy = %+v", c)
	}
	if d.Status.ReadyReplicas != 2 {
		t.Error("withoutStatus changed the cache object")
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}}
	if withoutStatus(cm) != runtime.Object(cm) {
		t.Error("an object without status should come back as it is")
	}
}

// TestBuildPairsManyAtOnce: the first build diffs every pair in parallel
// (run with -race), each pair gets its own drift, and the next build takes
// every unchanged pair from the cache.
func TestBuildPairsManyAtOnce(t *testing.T) {
	t.Parallel()
	cfg := Config{Namespaces: []string{"shop"}, WarningWindow: time.Hour,
		Mapping: rewrite.Mapping{Registries: map[string]string{"old.io": "new.io"}}}
	src, dst := sideData{synced: true}, sideData{synced: true}
	const n = 64
	for i := range n {
		name := "svc-" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		tag := "1"
		if i%2 == 1 {
			tag = "2" // drifted
		}
		src.deployments = append(src.deployments, dep("shop", name, "old.io/"+name+":1", 1, 1))
		dst.deployments = append(dst.deployments, dep("shop", name, "new.io/"+name+":"+tag, 1, 1))
	}
	pc := newPairCache()
	first := buildPairs(src, dst, cfg, pc, time.Now())
	if len(first) != n {
		t.Fatalf("%d pairs, want %d", len(first), n)
	}
	for i, p := range first {
		want := StateInSync
		if i%2 == 1 {
			want = StateDrifted
		}
		if p.State != want {
			t.Errorf("%s: %s, want %s (drift %v)", p.Key(), p.State, want, p.Drift)
		}
		if want == StateDrifted && (len(p.Drift) != 1 || p.Drift[0].Name != p.Name) {
			t.Errorf("%s: drift %v, want one finding about itself", p.Key(), p.Drift)
		}
	}
	second := buildPairs(src, dst, cfg, pc, time.Now())
	for i := 1; i < n; i += 2 {
		if &second[i].Drift[0] != &first[i].Drift[0] {
			t.Fatalf("%s was diffed again though nothing changed", second[i].Key())
		}
	}
}

// TestNoPairsWhileASideLists: while one side is still on its first list,
// snapshots carry the sides' states but no pairs; they come in one piece
// once it has listed.
func TestNoPairsWhileASideLists(t *testing.T) {
	t.Parallel()
	srcCS := fake.NewClientset(dep("shop", "api", "r/api:1", 1, 1))
	dstCS := fake.NewClientset(dep("shop", "api", "r/api:1", 1, 1))
	release := make(chan struct{})
	var once sync.Once
	releasePods := func() { once.Do(func() { close(release) }) }
	dstCS.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		<-release              // the fake holds its lock meanwhile: all of eks waits
		return false, nil, nil // on to the object tracker
	})
	inv := New(srcCS, dstCS, Config{SourceName: "KOPS", TargetName: "EKS", Namespaces: []string{"shop"}, Debounce: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = inv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	t.Cleanup(releasePods) // first, whatever happens
	snap := waitFor(t, inv, "source up", func(s Snapshot) bool { return s.Source.Health == HealthUp })
	time.Sleep(50 * time.Millisecond) // room for a rebuild that should not build pairs
	if snap = inv.Snapshot(); len(snap.Pairs) != 0 || snap.Target.Health != HealthConnecting {
		t.Errorf("while eks lists: %d pairs, target %s; want none, connecting", len(snap.Pairs), snap.Target.Health)
	}
	releasePods()
	waitFor(t, inv, "api in sync once both listed", func(s Snapshot) bool {
		p, ok := s.Pair("shop/api")
		return ok && p.State == StateInSync && s.Target.Health == HealthUp
	})
}

// TestEmptyClustersSync: a cluster with nothing in it lists without a
// single event, and still comes up.
func TestEmptyClustersSync(t *testing.T) {
	t.Parallel()
	inv, _, _ := startInventory(t, nil, nil) // fails unless WaitSynced returns
	if s := inv.Snapshot(); s.Source.Health != HealthUp || s.Target.Health != HealthUp || len(s.Pairs) != 0 {
		t.Errorf("empty clusters: %s/%s, %d pairs", s.Source.Health, s.Target.Health, len(s.Pairs))
	}
}
