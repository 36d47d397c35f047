package secrets

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
)

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
	set, remove := awsstep.TagDiff(want, have)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(set)) {
		out = append(out, fmt.Sprintf("tag %s: want %q, have %q", k, set[k], have[k]))
	}
	for _, k := range remove {
		out = append(out, fmt.Sprintf("tag %s: want none, have %q", k, have[k]))
	}
	return out
}
