package clone

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// builtin is the resource of each kind a service clone handles, for when no
// RESTMapper is given. The version comes from the object.
var builtin = map[schema.GroupKind]struct {
	resource   string
	namespaced bool
}{
	{Kind: "Namespace"}:                                     {"namespaces", false},
	{Kind: "ServiceAccount"}:                                {"serviceaccounts", true},
	{Kind: "ConfigMap"}:                                     {"configmaps", true},
	{Kind: "Secret"}:                                        {"secrets", true},
	{Kind: "Service"}:                                       {"services", true},
	{Kind: "Pod"}:                                           {"pods", true},
	{Group: "apps", Kind: "Deployment"}:                     {"deployments", true},
	{Group: "apps", Kind: "StatefulSet"}:                    {"statefulsets", true},
	{Group: "apps", Kind: "DaemonSet"}:                      {"daemonsets", true},
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}: {"horizontalpodautoscalers", true},
	{Group: "policy", Kind: "PodDisruptionBudget"}:          {"poddisruptionbudgets", true},
	{Group: "networking.k8s.io", Kind: "Ingress"}:           {"ingresses", true},
}

// applyOrder is the order objects are written in: what others refer to
// first, the workload after its configuration, and the Ingress last so
// traffic is routed only to something that exists. Rollback goes backwards.
var applyOrder = []string{"Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service",
	"Deployment", "StatefulSet", "DaemonSet", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress"}

// rank places a kind in applyOrder; kinds it does not know go last.
func rank(kind string) int {
	if i := slices.Index(applyOrder, kind); i >= 0 {
		return i
	}
	return len(applyOrder)
}

// sortForApply orders objects by kind (applyOrder), then name.
func sortForApply(objs []*unstructured.Unstructured) {
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int {
		if d := rank(a.GetKind()) - rank(b.GetKind()); d != 0 {
			return d
		}
		return strings.Compare(a.GetName(), b.GetName())
	})
}

// isWorkload reports whether a kind runs the service's pods.
func isWorkload(kind string) bool {
	return kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet"
}

// resource is where an object lives: its resource and whether it is
// namespaced.
type resource struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}

// resourceFor resolves an object's kind on the target.
func (s *serviceStep) resourceFor(gvk schema.GroupVersionKind) (resource, error) {
	if s.cfg.Mapper == nil {
		b, ok := builtin[gvk.GroupKind()]
		if !ok {
			return resource{}, fmt.Errorf("kind %s is not one a service clone handles; leave it out of the service or clone it by hand", gvk)
		}
		return resource{gvk.GroupVersion().WithResource(b.resource), b.namespaced}, nil
	}
	m, err := s.cfg.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return resource{}, fmt.Errorf("%s is not served by %s: %w; install its API there (preflight lists the kinds) or leave it out", gvk, s.cfg.TargetLabel, err)
	}
	return resource{m.Resource, m.Scope.Name() == meta.RESTScopeNameNamespace}, nil
}

// describe names an object in messages: "StatefulSet payments/ledger".
func describe(o *unstructured.Unstructured) string {
	if o.GetNamespace() == "" {
		return o.GetKind() + " " + o.GetName()
	}
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
}
