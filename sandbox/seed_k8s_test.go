package sandbox

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// The fake clientset from NewClientset runs real server-side apply field management but no
// defaulting, admission or controllers, so these tests prove the apply bodies, the kind
// dispatch and idempotency; the sandbox integration tests cover a real kube-apiserver.

func TestSeedClusterCreatesEverything(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			if err := SeedCluster(t.Context(), cs, cluster); err != nil {
				t.Fatal(err)
			}
			want := mustObjects(t, cluster)
			for i, got := range stored(t, cs, want) {
				m, _ := meta.Accessor(got)
				mf := m.GetManagedFields()
				if len(mf) != 1 || mf[0].Manager != SeedFieldManager || mf[0].Operation != metav1.ManagedFieldsOperationApply {
					t.Errorf("%s %s: managed fields %+v", kindOf(want[i]), m.GetName(), mf)
				}
				if g := stripServerFields(got, want[i]); !equality.Semantic.DeepEqual(g, want[i]) {
					t.Errorf("%s %s stored differently:\ngot  %s\nwant %s", kindOf(want[i]), m.GetName(), js(g), js(want[i]))
				}
			}
		})
	}
}

func TestSeedClusterTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			want := mustObjects(t, cluster)
			if err := SeedCluster(t.Context(), cs, cluster); err != nil {
				t.Fatal(err)
			}
			first := stored(t, cs, want)
			if err := SeedCluster(t.Context(), cs, cluster); err != nil {
				t.Fatalf("second seed: %v", err)
			}
			second := stored(t, cs, want)
			for i := range first {
				a, b := stripServerFields(first[i], want[i]), stripServerFields(second[i], want[i])
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s changed on re-seed:\nfirst  %s\nsecond %s", kindOf(want[i]), js(a), js(b))
				}
			}
		})
	}
}

// TestSeedClusterRestoresDrift: a re-seed takes back fields someone else changed, which is
// what makes `make demo` reset a sandbox that ferry has been applying to.
func TestSeedClusterRestoresDrift(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cs := fake.NewClientset()
	if err := SeedCluster(ctx, cs, ClusterEKS); err != nil {
		t.Fatal(err)
	}
	cm, err := cs.CoreV1().ConfigMaps(nsPayments).Get(ctx, "refund-worker-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["REFUNDS_QUEUE_URL"] = eksSide.queueURL("refunds")
	if _, err := cs.CoreV1().ConfigMaps(nsPayments).Update(ctx, cm, metav1.UpdateOptions{FieldManager: "ferry"}); err != nil {
		t.Fatal(err)
	}
	if err := SeedCluster(ctx, cs, ClusterEKS); err != nil {
		t.Fatal(err)
	}
	cm, err = cs.CoreV1().ConfigMaps(nsPayments).Get(ctx, "refund-worker-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cm.Data["REFUNDS_QUEUE_URL"], kopsSide.queueURL("refunds"); got != want {
		t.Errorf("REFUNDS_QUEUE_URL after re-seed = %q, want %q", got, want)
	}
}

func TestSeedClusterUnknownCluster(t *testing.T) {
	t.Parallel()
	if err := SeedCluster(t.Context(), fake.NewClientset(), "gke"); err == nil {
		t.Fatal("want an error for an unknown cluster")
	}
}

// stored reads back each scenario object from the fake's tracker.
func stored(t *testing.T, cs *fake.Clientset, objs []runtime.Object) []runtime.Object {
	t.Helper()
	out := make([]runtime.Object, 0, len(objs))
	for _, o := range objs {
		m, _ := meta.Accessor(o)
		gvr, _ := meta.UnsafeGuessKindToResource(o.GetObjectKind().GroupVersionKind())
		got, err := cs.Tracker().Get(gvr, m.GetNamespace(), m.GetName())
		if err != nil {
			t.Fatalf("%s %s/%s not seeded: %v", kindOf(o), m.GetNamespace(), m.GetName(), err)
		}
		out = append(out, got)
	}
	return out
}

// stripServerFields returns a copy of got without what the server adds, typed like want.
func stripServerFields(got, want runtime.Object) runtime.Object {
	c := got.DeepCopyObject()
	m, _ := meta.Accessor(c)
	m.SetManagedFields(nil)
	m.SetResourceVersion("")
	m.SetUID("")
	m.SetCreationTimestamp(metav1.Time{})
	m.SetGeneration(0)
	c.GetObjectKind().SetGroupVersionKind(want.GetObjectKind().GroupVersionKind())
	return c
}
