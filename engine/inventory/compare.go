package inventory

import (
	"runtime"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	runtimeobj "k8s.io/apimachinery/pkg/runtime"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// pairCache remembers each pair's drift and references with the objects
// they were computed from, so a rebuild after one pod changed does not
// normalise and diff every service again. Only rebuild uses it.
type pairCache struct {
	entries map[string]cacheEntry
}

type cacheEntry struct {
	src, dst []related // what drift and refs were computed from
	drift    []rewrite.Finding
	refs     []rewrite.Reference
}

func newPairCache() *pairCache { return &pairCache{entries: map[string]cacheEntry{}} }

// comparison is one pair's drift and references to compute: both sides'
// objects in, the cache entry out.
type comparison struct {
	key      string
	src, dst []related
	both     bool // the service runs on both sides: diff them
	entry    cacheEntry
}

// lookup returns the cached result when the pair's objects are the ones it
// was computed from.
func (pc *pairCache) lookup(c comparison) (cacheEntry, bool) {
	e, ok := pc.entries[c.key]
	return e, ok && sameObjects(e.src, c.src) && sameObjects(e.dst, c.dst)
}

// compareAll computes every comparison the cache could not answer, spread
// over all CPUs (the first snapshot diffs every pair at once: 1,000
// services take 0.7 s of CPU), and caches the results.
func (pc *pairCache) compareAll(cfg Config, cs []comparison) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(cs)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(cs); i = int(next.Add(1)) - 1 {
				cs[i].entry = compare(cfg, cs[i])
			}
		})
	}
	wg.Wait()
	for _, c := range cs {
		pc.entries[c.key] = c.entry
	}
}

// compare returns the pair's drift (when both sides run it) and the target
// side's old-account references. It only reads shared state, so any number
// run at once.
func compare(cfg Config, c comparison) cacheEntry {
	e := cacheEntry{src: c.src, dst: c.dst}
	target := toUnstructured(c.dst, true)
	if c.both {
		e.drift = rewrite.Drift(cfg.Mapping, toUnstructured(c.src, true), target)
	}
	if len(c.dst) > 0 {
		e.refs = rewrite.References(cfg.Mapping, target)
	}
	return e
}

// keep forgets pairs that no longer exist.
func (pc *pairCache) keep(live map[string]bool) {
	for k := range pc.entries {
		if !live[k] {
			delete(pc.entries, k)
		}
	}
}

// sameObjects reports whether two lists name the same object versions. An
// update always replaces the cached object, so the same pointer is the same
// version, also for clients that set no resourceVersion; after a relist
// the pointers are new but the resource versions tell.
func sameObjects(a, b []related) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].obj == b[i].obj {
			continue
		}
		if a[i].rv == "" || a[i].rv != b[i].rv || a[i].gvk != b[i].gvk || a[i].name != b[i].name {
			return false
		}
	}
	return true
}

// toUnstructured converts typed cache objects (whose TypeMeta informers
// leave empty) into the unstructured form the rewrite rules work on. The
// converter copies, so the caches are never touched. forDiff leaves status
// out: Normalize drops it anyway, and converting it was a tenth of the
// allocations of a diff.
func toUnstructured(objs []related, forDiff bool) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, r := range objs {
		obj := r.obj
		if forDiff {
			obj = withoutStatus(obj)
		}
		m, err := runtimeobj.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			continue // a typed object always converts; nothing to compare otherwise
		}
		u := &unstructured.Unstructured{Object: m}
		u.SetGroupVersionKind(r.gvk)
		out = append(out, u)
	}
	return out
}
