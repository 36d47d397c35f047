package inventory

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// pairCache remembers each pair's drift and references with the resource
// versions they were computed from, so a rebuild after one pod changed does
// not normalise and diff every service again. Only rebuild uses it.
type pairCache struct {
	entries map[string]cacheEntry
}

type cacheEntry struct {
	sig   string
	drift []rewrite.Finding
	refs  []rewrite.Reference
}

func newPairCache() *pairCache { return &pairCache{entries: map[string]cacheEntry{}} }

// compare returns the pair's drift (when both sides run it) and the target
// side's old-account references.
func (pc *pairCache) compare(key string, cfg Config, src, dst []related, both bool) ([]rewrite.Finding, []rewrite.Reference) {
	sig := signature(src, dst)
	if e, ok := pc.entries[key]; ok && e.sig == sig {
		return e.drift, e.refs
	}
	var e cacheEntry
	e.sig = sig
	target := toUnstructured(dst)
	if both {
		e.drift = rewrite.Drift(cfg.Mapping, toUnstructured(src), target)
	}
	if len(dst) > 0 {
		e.refs = rewrite.References(cfg.Mapping, target)
	}
	pc.entries[key] = e
	return e.drift, e.refs
}

// keep forgets pairs that no longer exist.
func (pc *pairCache) keep(live map[string]bool) {
	for k := range pc.entries {
		if !live[k] {
			delete(pc.entries, k)
		}
	}
}

func signature(src, dst []related) string {
	var b strings.Builder
	for _, side := range [][]related{src, dst} {
		for _, r := range side {
			b.WriteString(r.gvk.Kind)
			b.WriteByte('/')
			b.WriteString(r.name)
			b.WriteByte('@')
			b.WriteString(r.rv)
			// An update always replaces the cached object, so its address
			// changes too; that covers clients that set no resourceVersion.
			fmt.Fprintf(&b, "%p ", r.obj)
		}
		b.WriteByte('|')
	}
	return b.String()
}

// toUnstructured converts typed cache objects (whose TypeMeta informers
// leave empty) into the unstructured form the rewrite rules work on. The
// converter copies, so the caches are never touched.
func toUnstructured(objs []related) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, r := range objs {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(r.obj)
		if err != nil {
			continue // a typed object always converts; nothing to compare otherwise
		}
		u := &unstructured.Unstructured{Object: m}
		u.SetGroupVersionKind(r.gvk)
		out = append(out, u)
	}
	return out
}
