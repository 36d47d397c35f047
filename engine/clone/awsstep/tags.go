package awsstep

import (
	"maps"
	"slices"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// MapTags is the source's tags as the target should hold them: keys kept,
// values through the mapping (a tag may name an ARN).
func MapTags(m rewrite.Mapping, tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = rewrite.String(m, v)
	}
	return out
}

// TagDiff is what to tag (set) and untag (remove, sorted) on a resource
// holding have so that it holds want.
func TagDiff(want, have map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range want {
		if old, ok := have[k]; !ok || old != v {
			set[k] = v
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	slices.Sort(remove)
	return set, remove
}

// PriorTags splits the tags a write changes (set, remove) on a resource
// holding have into those a rollback puts back, as they were, and those it
// removes (added, sorted): what an undo record keeps of the tags.
func PriorTags(have, set map[string]string, remove []string) (prior map[string]string, added []string) {
	prior = map[string]string{}
	for k := range set {
		if v, ok := have[k]; ok {
			prior[k] = v
		} else {
			added = append(added, k)
		}
	}
	for _, k := range remove {
		prior[k] = have[k]
	}
	slices.Sort(added)
	return prior, added
}

// TagUndo merges the tag parts of undo records, added oldest first: the
// oldest record to name a tag saw it before any apply, later ones saw the
// clone's own writes. The zero value is ready.
type TagUndo struct {
	seen   map[string]bool
	prior  map[string]string
	remove []string
}

// Add merges one record's PriorTags result.
func (u *TagUndo) Add(prior map[string]string, added []string) {
	if u.seen == nil {
		u.seen, u.prior = map[string]bool{}, map[string]string{}
	}
	for k, v := range prior {
		if !u.seen[k] {
			u.seen[k], u.prior[k] = true, v
		}
	}
	for _, k := range added {
		if !u.seen[k] {
			u.seen[k], u.remove = true, append(u.remove, k)
		}
	}
}

// Keys are the tags the merged records touch, sorted: those a rollback
// puts back or removes.
func (u *TagUndo) Keys() []string { return slices.Sorted(maps.Keys(u.seen)) }

// Restore is what to tag (set) and untag (remove, sorted) on a resource
// holding cur to put the merged tags back as they were before the clone.
func (u *TagUndo) Restore(cur map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range u.prior {
		if old, ok := cur[k]; !ok || old != v {
			set[k] = v
		}
	}
	for _, k := range u.remove {
		if _, ok := cur[k]; ok {
			remove = append(remove, k)
		}
	}
	slices.Sort(remove)
	return set, remove
}
