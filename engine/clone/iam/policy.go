package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// IAM hands policy documents back URL-encoded (RFC 3986, so "+" is a
// plus, as the AWS CLI's unquote reads it); some emulators hand them back
// as they were written. decodeDoc accepts both.
func decodeDoc(raw string) (string, error) {
	if json.Valid([]byte(raw)) {
		return raw, nil
	}
	s, err := url.PathUnescape(raw)
	if err != nil || !json.Valid([]byte(s)) {
		return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %.60q", raw)
	}
	return s, nil
}

// parse reads a document keeping numbers as written.
func parse(doc string) (any, error) {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("policy document is not JSON: %w", err)
	}
	return v, nil
}

// encode writes v with sorted keys and without HTML escaping; indent
// makes it the pretty form change sets show.
func encode(v any, indent bool) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if indent {
		e.SetIndent("", "  ")
	}
	if err := e.Encode(v); err != nil {
		return fmt.Sprint(v) // values from parse always encode
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// compact is doc as the step writes it: sorted keys, no spaces.
func compact(doc string) (string, error) {
	v, err := parse(doc)
	if err != nil {
		return "", err
	}
	return encode(v, false), nil
}

// pretty is doc indented with sorted keys, or as it is when it does not
// parse (so a plan still shows it).
func pretty(doc string) string {
	if doc == "" {
		return ""
	}
	v, err := parse(doc)
	if err != nil {
		return doc
	}
	return encode(v, true)
}

// listKeys are the policy elements where IAM treats "x" and ["x"] alike
// and the order of a list does not matter.
var listKeys = map[string]bool{
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true,
	"AWS": true, "Federated": true, "Service": true, "CanonicalUser": true,
}

// canonical rewrites a parsed document into one form per meaning: a lone
// statement becomes a list, single values of list elements and condition
// values become sorted, de-duplicated lists, and statements are sorted.
func canonical(v any) any {
	doc, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, val := range doc {
		out[k] = val
	}
	var stmts []any
	switch st := doc["Statement"].(type) {
	case []any:
		stmts = st
	case map[string]any:
		stmts = []any{st}
	}
	if stmts != nil {
		var norm []string
		for _, st := range stmts {
			norm = append(norm, encode(canonicalStatement(st), false))
		}
		slices.Sort(norm)
		out["Statement"] = norm
	}
	return out
}

// canonicalStatement normalizes one statement's list elements, principals
// and condition values.
func canonicalStatement(v any) any {
	st, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, val := range st {
		switch {
		case listKeys[k]:
			out[k] = stringSet(val)
		case k == "Principal" || k == "NotPrincipal" || k == "Condition":
			out[k] = nested(val, k != "Condition")
		default:
			out[k] = val
		}
	}
	return out
}

// nested normalizes a Principal (one level: type -> values) or a Condition
// (two levels: operator -> key -> values).
func nested(v any, principal bool) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v // "Principal": "*"
	}
	out := map[string]any{}
	for k, val := range m {
		if principal {
			out[k] = stringSet(val)
		} else {
			out[k] = nested(val, true)
		}
	}
	return out
}

// stringSet turns a value or a list of values into a sorted list without
// duplicates; other shapes are left alone.
func stringSet(v any) any {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case json.Number:
		out = []string{x.String()}
	case bool:
		out = []string{fmt.Sprint(x)}
	case []any:
		for _, e := range x {
			s, ok := stringSet(e).([]string)
			if !ok {
				return v
			}
			out = append(out, s...)
		}
	default:
		return v
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sameDoc reports whether two documents mean the same to IAM as far as
// form goes: string or list, order of lists and statements.
func sameDoc(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	va, errA := parse(a)
	vb, errB := parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return encode(canonical(va), false) == encode(canonical(vb), false)
}

// mapDoc rewrites every ARN and account id in a document through the
// mapping and returns it compact.
func mapDoc(m rewrite.Mapping, doc string) (string, error) {
	return compact(rewrite.String(m, doc))
}

// scanDoc names, statement by statement, each old account id left in a
// document: "<where> statement 2 (Sid X): arn:aws:...".
func scanDoc(where, doc string, old []string) []string {
	v, err := parse(doc)
	if err != nil {
		return prefixed(where, rewrite.Locators(doc, old))
	}
	m, _ := v.(map[string]any)
	stmts, ok := m["Statement"].([]any)
	if !ok {
		stmts = []any{m["Statement"]}
	}
	var out []string
	for i, st := range stmts {
		name := fmt.Sprintf("%s statement %d", where, i+1)
		if sm, ok := st.(map[string]any); ok && sm["Sid"] != nil {
			name += fmt.Sprintf(" (Sid %v)", sm["Sid"])
		}
		out = append(out, prefixed(name, rewrite.Locators(encode(st, false), old))...)
	}
	rest := map[string]any{}
	for k, val := range m {
		if k != "Statement" {
			rest[k] = val
		}
	}
	return append(out, prefixed(where, rewrite.Locators(encode(rest, false), old))...)
}

func prefixed(where string, locs []string) []string {
	var out []string
	for _, l := range locs {
		out = append(out, where+": "+l)
	}
	return out
}
