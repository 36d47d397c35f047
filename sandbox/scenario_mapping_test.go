package sandbox

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestScenarioInSyncAfterMapping compares each service's kops and eks objects after the
// expected mapping. undo reverts the table's deliberate drift (and the sandbox-only log
// annotations) on the normalized eks workload; with it the pair must be equal, without it
// a drifted pair must differ, so both "drift exists" and "nothing else differs" are checked.
func TestScenarioInSyncAfterMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ns, name string
		undo     func(*corev1.PodTemplateSpec, runtime.Object)
	}{
		{nsPayments, "checkout-api", dropAnnotation(LogInjectAnnotation)},
		{nsPayments, "ledger", undoLedger},
		{nsPayments, "refund-worker", dropAnnotation(LogInjectAnnotation)},
		{nsOrders, "orders-api", undoOrdersAPI},
		{nsOrders, "fulfillment-worker", undoFulfillment},
		{nsPlatform, "auth-gateway", nil},
		{nsPlatform, "feature-flags", nil},
	}
	kops, eks := mustObjects(t, ClusterKops), mustObjects(t, ClusterEKS)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, dst := serviceObjects(kops, tc.ns, tc.name), serviceObjects(eks, tc.ns, tc.name)
			if len(src) < 3 || len(src) != len(dst) {
				t.Fatalf("object kinds: kops %d, eks %d", len(src), len(dst))
			}
			for kind, s := range src {
				ns, nd := normalize(t, s), normalize(t, dst[kind])
				pt := podTemplateOf(nd)
				if pt != nil && tc.undo != nil {
					if equality.Semantic.DeepEqual(ns, nd) {
						t.Errorf("%s: want drift before undo, got none", kind)
					}
					tc.undo(pt, nd)
				}
				if !equality.Semantic.DeepEqual(ns, nd) {
					t.Errorf("%s differs after mapping:\nkops %s\neks  %s", kind, js(ns), js(nd))
				}
			}
		})
	}
}

func dropAnnotation(key string) func(*corev1.PodTemplateSpec, runtime.Object) {
	return func(pt *corev1.PodTemplateSpec, _ runtime.Object) { delete(pt.Annotations, key) }
}

func undoLedger(pt *corev1.PodTemplateSpec, _ runtime.Object) {
	for _, cs := range [][]corev1.Container{pt.Spec.InitContainers, pt.Spec.Containers} {
		for i := range cs {
			cs[i].Image = strings.Replace(cs[i].Image, ":2.4.0", ":2.3.1", 1)
			for j := range cs[i].Env {
				if cs[i].Env[j].Name == "LEDGER_BATCH_SIZE" {
					cs[i].Env[j].Value = "100"
				}
			}
		}
	}
}

func undoOrdersAPI(pt *corev1.PodTemplateSpec, o runtime.Object) {
	n := int32(3)
	o.(*appsv1.Deployment).Spec.Replicas = &n
	pt.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("500m")
}

func undoFulfillment(pt *corev1.PodTemplateSpec, _ runtime.Object) {
	delete(pt.Labels, BehaviorLabel)
	pt.Annotations[LogsAnnotation] = "worker-json"
}

func js(o runtime.Object) string {
	b, _ := json.Marshal(o)
	return string(b)
}

func TestScenarioConfigAndSecretsMatch(t *testing.T) {
	t.Parallel()
	kops, eks := mustObjects(t, ClusterKops), mustObjects(t, ClusterEKS)
	tests := []struct{ kind, ns, name string }{
		{"ConfigMap", nsPayments, "refund-worker-config"},
		{"ConfigMap", nsPlatform, "feature-flags"},
		{"Secret", nsOrders, "orders-db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, d := find(kops, tc.kind, tc.ns, tc.name), find(eks, tc.kind, tc.ns, tc.name)
			if s == nil || d == nil {
				t.Fatalf("missing: kops %v, eks %v", s != nil, d != nil)
			}
			if !equality.Semantic.DeepEqual(normalize(t, s), normalize(t, d)) {
				t.Errorf("differs after mapping:\nkops %s\neks  %s", js(s), js(d))
			}
		})
	}
}

// TestScenarioOldAccountReferences: kops workloads that talk to AWS reference the old
// account; on eks the only surviving reference is refund-worker-config's queue URL (the
// log-inject annotation quotes it too, as the error it simulates, and is skipped).
func TestScenarioOldAccountReferences(t *testing.T) {
	t.Parallel()
	kops := mustObjects(t, ClusterKops)
	for _, name := range []string{"checkout-api", "ledger", "orders-api", "fulfillment-worker", "invoice-renderer"} {
		t.Run("kops/"+name, func(t *testing.T) {
			t.Parallel()
			var found bool
			for _, o := range kops {
				m, _ := meta.Accessor(o)
				if pt := podTemplateOf(o); pt != nil && m.GetName() == name {
					for _, e := range pt.Spec.Containers[0].Env {
						found = found || strings.Contains(e.Value, kopsSide.account)
					}
				}
			}
			if !found {
				t.Error("no env value references the old account")
			}
		})
	}
	t.Run("eks", func(t *testing.T) {
		t.Parallel()
		var hits []string
		for _, o := range mustObjects(t, ClusterEKS) {
			c := o.DeepCopyObject()
			if pt := podTemplateOf(c); pt != nil {
				delete(pt.Annotations, LogInjectAnnotation)
			}
			if s := js(c); strings.Contains(s, kopsSide.account) || strings.Contains(s, kopsSide.alias) {
				m, _ := meta.Accessor(o)
				hits = append(hits, kindOf(o)+" "+m.GetNamespace()+"/"+m.GetName())
			}
		}
		if want := []string{"ConfigMap payments/refund-worker-config"}; strings.Join(hits, ",") != want[0] {
			t.Errorf("old-account references on eks = %v, want %v", hits, want)
		}
	})
}
