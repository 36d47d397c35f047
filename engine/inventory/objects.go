package inventory

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Objects returns a service's objects on both sides as the caches hold them
// now (copies), for the side-by-side diff. Either side may be empty.
func (inv *Inventory) Objects(key string) (source, target []*unstructured.Unstructured) {
	// The informer caches are safe to read from any goroutine; only the
	// pair cache belongs to rebuild, and this does not touch it.
	cfg := inv.cfg
	scope, targetScope := map[string]bool{}, map[string]bool{}
	for _, ns := range cfg.Namespaces {
		scope[ns] = true
		targetScope[mapNamespace(cfg, ns)] = true
	}
	src, dst := readSide(inv.source), readSide(inv.target)
	for _, u := range units(src, func(ns string) bool { return scope[ns] }) {
		if mapNamespace(cfg, u.namespace)+"/"+u.name == key {
			source = toUnstructured(relatedObjects(u, src), false)
		}
	}
	for _, u := range units(dst, func(ns string) bool { return targetScope[ns] }) {
		if u.namespace+"/"+u.name == key {
			target = toUnstructured(relatedObjects(u, dst), false)
		}
	}
	return source, target
}
