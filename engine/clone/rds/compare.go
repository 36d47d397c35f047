package rds

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// accountScan finds old account ids in every string of the descriptions
// it is given, naming where each one is.
type accountScan struct {
	old    []string
	lines  []string
	fields int
}

func (c *common) newAccountScan() *accountScan {
	return &accountScan{old: rewrite.OldAccounts(c.mapping, c.sourceAccount)}
}

// scan walks v's JSON form under the name prefix.
func (a *accountScan) scan(prefix string, v any) {
	b, _ := json.Marshal(v)
	var doc any
	_ = json.Unmarshal(b, &doc)
	walk(prefix, doc, func(where, value string) {
		a.fields++
		for _, loc := range rewrite.Locators(value, a.old) {
			a.lines = append(a.lines, fmt.Sprintf("%s: %s", where, loc))
		}
	})
}

// check is the scan as the accounts check, with what passing means.
func (a *accountScan) check(ok string) runbook.Check {
	c := runbook.Check{Name: CheckAccounts, OK: len(a.lines) == 0, Evidence: strings.Join(a.lines, "\n")}
	if c.OK {
		c.Evidence = fmt.Sprintf("none of %s in %d fields of %s", strings.Join(a.old, ", "), a.fields, ok)
	}
	return c
}

// walk calls fn with the path and value of every string in a decoded JSON
// document.
func walk(path string, v any, fn func(where, value string)) {
	switch v := v.(type) {
	case string:
		fn(path, v)
	case []any:
		for i, e := range v {
			walk(fmt.Sprintf("%s[%d]", path, i), e, fn)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			walk(path+"."+k, v[k], fn)
		}
	}
}

// diff collects "name: want X, have Y" lines.
type diff []string

func (d *diff) cmp(name, want, have string) {
	if want != have {
		*d = append(*d, fmt.Sprintf("%s: want %s, have %s", name, shown(want), shown(have)))
	}
}

// tags compares tag maps key by key, prefix naming whose tags they are.
func (d *diff) tags(prefix string, want, have map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := have[k]; !ok || v != want[k] {
			*d = append(*d, fmt.Sprintf("%stag %s: want %s, have %s", prefix, k, shown(want[k]), shown(v)))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok {
			*d = append(*d, fmt.Sprintf("%stag %s: want none, have %s", prefix, k, shown(have[k])))
		}
	}
}

func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

func encryption(encrypted bool, key string) string {
	if !encrypted {
		return "encrypted: no"
	}
	return "encrypted: yes, KMS key " + key
}

// renderTags appends tags to a change set's rendering, one a line.
func renderTags(b *strings.Builder, indent string, tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	b.WriteString(indent + "tags:\n")
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		fmt.Fprintf(b, "%s  %s: %s\n", indent, k, tags[k])
	}
}
