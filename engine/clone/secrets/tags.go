package secrets

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// mapTags is the source's tags as the target should hold them: keys kept,
// values through the mapping (a tag may name an ARN).
func mapTags(m rewrite.Mapping, tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = rewrite.String(m, v)
	}
	return out
}

// tagDiff is what to tag and untag on a resource holding have so that it
// holds want.
func tagDiff(want, have map[string]string) (set map[string]string, remove []string) {
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

// priorTags splits the tags a write changes into those to put back and
// those to remove on rollback.
func priorTags(have, set map[string]string, remove []string) (prior map[string]string, added []string) {
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

// tagUndo merges the tag parts of undo records oldest first: the oldest
// record to name a tag saw it before any apply.
type tagUndo struct {
	seen   map[string]bool
	prior  map[string]string
	remove []string
}

func newTagUndo() *tagUndo { return &tagUndo{seen: map[string]bool{}, prior: map[string]string{}} }

func (u *tagUndo) add(prior map[string]string, added []string) {
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

// restore is what to tag and untag on a resource holding cur to put the
// merged tags back.
func (u *tagUndo) restore(cur map[string]string) (set map[string]string, remove []string) {
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

// renderTags is the tags as indented YAML lines.
func renderTags(b *strings.Builder, tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	b.WriteString("tags:\n")
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		fmt.Fprintf(b, "  %s: %s\n", k, tags[k])
	}
}

// tagLines lists how have's tags differ from want's.
func tagLines(want, have map[string]string) []string {
	set, remove := tagDiff(want, have)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(set)) {
		out = append(out, fmt.Sprintf("tag %s: want %q, have %q", k, set[k], have[k]))
	}
	for _, k := range remove {
		out = append(out, fmt.Sprintf("tag %s: want none, have %q", k, have[k]))
	}
	return out
}
