package runbook

import (
	"encoding/base64"
	"slices"
	"strings"
)

// Redactor masks secret text in what ferry writes to the journal. Steps
// already keep secret values out of change sets; the redactor is the second
// line of defence for what slips through (an error quoting a value, a
// check's evidence).
type Redactor func(string) string

// Redacted is what MaskValues puts in place of a secret value.
const Redacted = "[redacted]"

// MaskValues returns a Redactor that replaces every occurrence of each
// non-empty value, and of its base64 encoding (how Secrets carry it), with
// Redacted.
func MaskValues(values ...string) Redactor {
	var olds []string
	for _, v := range values {
		if v == "" {
			continue
		}
		olds = append(olds, v, base64.StdEncoding.EncodeToString([]byte(v)))
	}
	if len(olds) == 0 {
		return func(s string) string { return s }
	}
	// Longest first, so a value containing another is masked whole.
	slices.SortFunc(olds, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		pairs = append(pairs, o, Redacted)
	}
	rep := strings.NewReplacer(pairs...)
	return rep.Replace
}

// redactRecord returns a copy of r with every free-text field passed
// through red. Identifiers the journal is keyed by (step, action, outcome,
// run, undo reference) are left alone.
func redactRecord(r Record, red Redactor) Record {
	if red == nil {
		return r
	}
	r.Summary = red(r.Summary)
	r.Error = red(r.Error)
	if r.Changes != nil {
		cs := make([]Change, len(r.Changes))
		for i, c := range r.Changes {
			c.Kind, c.Namespace, c.Name = red(c.Kind), red(c.Namespace), red(c.Name)
			c.Before, c.After = red(c.Before), red(c.After)
			cs[i] = c
		}
		r.Changes = cs
	}
	if r.Checks != nil {
		cs := make([]Check, len(r.Checks))
		for i, c := range r.Checks {
			c.Name, c.Evidence = red(c.Name), red(c.Evidence)
			cs[i] = c
		}
		r.Checks = cs
	}
	return r
}
