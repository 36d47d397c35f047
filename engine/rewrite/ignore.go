package rewrite

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Ingress controller annotation prefixes. An nginx Ingress and its ALB
// replacement configure the same routing in two vocabularies that cannot be
// translated key by key, so when the mapping moves nginx to alb both sets
// are left out of the comparison: the routing itself (rules, hosts, paths,
// backends, TLS) is still compared, and the probes check behaviour.
const (
	nginxPrefix = "nginx.ingress.kubernetes.io/"
	albPrefix   = "alb.ingress.kubernetes.io/"
)

// forComparison removes, in place, what is never drift: metadata keys in
// m.Ignore, everywhere metadata appears (object, pod template, claim
// templates), and the Ingress controller annotations when the classes
// change controller.
func forComparison(m Mapping, obj *unstructured.Unstructured) *unstructured.Unstructured {
	return stripIgnored(m, obj, true)
}

// stripIgnored is forComparison; controllers=false keeps the controller
// annotations, which the reference scan reads (an ALB certificate ARN can
// still name the old account).
func stripIgnored(m Mapping, obj *unstructured.Unstructured, controllers bool) *unstructured.Unstructured {
	if obj == nil {
		return nil
	}
	root, kind := obj.Object, obj.GetKind()
	swap := controllers && kind == "Ingress" && controllerSwap(m)
	for _, prefix := range metas.prefixes(kind) {
		visit(root, root, splitPath(prefix+".annotations"), dropMatching(func(k string) bool {
			return ignored(m.Ignore.Annotations, k) ||
				swap && (strings.HasPrefix(k, nginxPrefix) || strings.HasPrefix(k, albPrefix))
		}))
		visit(root, root, splitPath(prefix+".labels"), dropMatching(func(k string) bool {
			return ignored(m.Ignore.Labels, k)
		}))
		visit(root, root, splitPath(prefix+".annotations"), empty)
		visit(root, root, splitPath(prefix+".labels"), empty)
	}
	return obj
}

// controllerSwap reports whether the mapping moves an nginx class to an
// alb one. Class names are free-form; "contains nginx/alb" is how the
// controllers' own docs and Helm charts name them.
func controllerSwap(m Mapping) bool {
	for from, to := range m.IngressClasses {
		if strings.Contains(from, "nginx") && strings.Contains(to, "alb") {
			return true
		}
	}
	return false
}

// ignored matches key against patterns; a trailing "*" matches a prefix.
func ignored(patterns []string, key string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(key, prefix) || p == key {
			return true
		}
	}
	return false
}

// dropMatching deletes the keys of the map at the path that match.
func dropMatching(match func(string) bool) action {
	return func(_, parent map[string]any, key string) {
		m, _ := parent[key].(map[string]any)
		for k := range m {
			if match(k) {
				delete(m, k)
			}
		}
	}
}
