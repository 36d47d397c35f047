package sandbox

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// mustObjects is ScenarioObjects for tests.
func mustObjects(t *testing.T, cluster string) []runtime.Object {
	t.Helper()
	objs, err := ScenarioObjects(cluster)
	if err != nil {
		t.Fatalf("ScenarioObjects(%q): %v", cluster, err)
	}
	return objs
}

func kindOf(obj runtime.Object) string { return obj.GetObjectKind().GroupVersionKind().Kind }

// find returns the object of that kind, namespace and name, or nil.
func find(objs []runtime.Object, kind, ns, name string) runtime.Object {
	for _, o := range objs {
		m, err := meta.Accessor(o)
		if err == nil && kindOf(o) == kind && m.GetNamespace() == ns && m.GetName() == name {
			return o
		}
	}
	return nil
}

// serviceObjects returns every object of one service: its ServiceAccount, Service,
// workload, Ingress and ConfigMap, keyed by kind.
func serviceObjects(objs []runtime.Object, ns, name string) map[string]runtime.Object {
	out := map[string]runtime.Object{}
	for _, kind := range []string{"ServiceAccount", "Service", "Deployment", "StatefulSet", "Ingress"} {
		if o := find(objs, kind, ns, name); o != nil {
			out[kind] = o
		}
	}
	if o := find(objs, "ConfigMap", ns, name+"-config"); o != nil {
		out["ConfigMap"] = o
	}
	return out
}

// podTemplateOf returns a workload's pod template, or nil for other kinds.
func podTemplateOf(obj runtime.Object) *corev1.PodTemplateSpec {
	switch w := obj.(type) {
	case *appsv1.Deployment:
		return &w.Spec.Template
	case *appsv1.StatefulSet:
		return &w.Spec.Template
	}
	return nil
}

// normalize applies the expected kops<->eks mapping to a copy of obj, so that an in-sync
// pair compares equal: eks names become kops names, and what the mapping adds or removes
// (kube2iam vs IRSA, node selector, ingress class, alb annotations) is dropped.
func normalize(t *testing.T, obj runtime.Object) runtime.Object {
	t.Helper()
	c := obj.DeepCopyObject()
	if pt := podTemplateOf(c); pt != nil {
		delete(pt.Annotations, kube2iamAnnotation)
		pt.Spec.NodeSelector = nil
	}
	switch o := c.(type) {
	case *corev1.ServiceAccount:
		delete(o.Annotations, irsaAnnotation)
		if len(o.Annotations) == 0 {
			o.Annotations = nil
		}
	case *networkingv1.Ingress:
		o.Annotations, o.Spec.IngressClassName = nil, nil
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	mapped := strings.NewReplacer(eksSide.account, kopsSide.account, eksSide.alias, kopsSide.alias).Replace(string(raw))
	out := reflect.New(reflect.TypeOf(obj).Elem()).Interface().(runtime.Object)
	if err := json.Unmarshal([]byte(mapped), out); err != nil {
		t.Fatal(err)
	}
	return out
}
