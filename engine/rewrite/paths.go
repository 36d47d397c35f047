package rewrite

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Paths name a field the way an operator reads a manifest:
//
//	spec.template.spec.containers[ledger].env[LEDGER_BATCH_SIZE]
//	metadata.annotations["iam.amazonaws.com/role"]
//	data.REFUNDS_QUEUE_URL
//
// Map keys made of letters, digits, '-' and '_' are joined with '.', other
// keys are quoted in brackets so a dotted annotation key stays one step.
// List elements are named by their key field (see listKey) when every
// element has a distinct one, because containers and env vars are matched
// by name, not position; otherwise by index, [0]. An env var's path stands
// for its value (".value" is left out): that is what an operator edits.

// absent is how a missing value is rendered in findings.
const absent = "<absent>"

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// keyFields are the fields that identify list elements, in order of
// preference. Only string values qualify, so a [8080] can never be mistaken
// for an index.
var keyFields = []string{"name", "mountPath", "devicePath", "key"}

// fieldPath appends a map key to a path.
func fieldPath(parent, key string) string {
	if !plainKey.MatchString(key) {
		return parent + `["` + key + `"]`
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// elemPath appends a list element, named by its key or index.
func elemPath(parent, id string) string {
	return parent + "[" + id + "]"
}

// childPath is fieldPath except inside an env var, whose value is the var.
func childPath(parent, key string, inEnv bool) string {
	if inEnv && key == "value" {
		return parent
	}
	return fieldPath(parent, key)
}

// listKey returns the key field shared by every element of the given lists,
// with distinct string values within each list, or "" when elements must be
// named by index.
func listKey(lists ...[]any) string {
	for _, f := range keyFields {
		if keyedBy(f, lists) {
			return f
		}
	}
	return ""
}

func keyedBy(field string, lists [][]any) bool {
	n := 0
	for _, l := range lists {
		seen := map[string]bool{}
		for _, e := range l {
			m, ok := e.(map[string]any)
			if !ok {
				return false
			}
			s, ok := m[field].(string)
			if !ok || s == "" || seen[s] {
				return false
			}
			seen[s] = true
			n++
		}
	}
	return n > 0
}

// elemID names element i of a list keyed by key ("" means by index).
func elemID(e any, i int, key string) string {
	if key == "" {
		return strconv.Itoa(i)
	}
	return e.(map[string]any)[key].(string)
}

// render shows a value in a finding: scalars as written in YAML, maps and
// lists as compact JSON with sorted keys, nil as <absent>.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return absent
	case string:
		return x
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return "<unrenderable>"
		}
		return string(b)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "<unrenderable>"
	}
	return strings.TrimSpace(string(b))
}

// same reports whether two unstructured values are equal once numbers are
// compared by value: int64(600) from a typed conversion equals float64(600)
// from a JSON decode.
func same(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
