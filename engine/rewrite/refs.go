package rewrite

import (
	"cmp"
	"encoding/base64"
	"maps"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Reference is a place on the target side that still points at the old
// account: an old account id (alone or in an ARN, queue URL or ECR host)
// or an old resource name.
type Reference struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Path is the field (see paths.go), e.g. data.REFUNDS_QUEUE_URL.
	Path string `json:"path"`
	// Match is only the old locator found, never the value around it.
	Match string `json:"match"`
	// Why says what is old about it: "old account 111111111111".
	Why string `json:"why"`
}

// References scans every string value of the target objects — env values,
// ConfigMap data, decoded Secret and binary data, annotations, images,
// args — for old account ids (keys of m.Accounts) and old resource names
// (From side of m.Names, prefix rules included). Metadata keys in m.Ignore
// are skipped. Secret values are decoded only to be scanned: a Reference
// carries the matched locator, not the value it was found in. Ordered by
// kind, namespace, name, path, match.
func References(m Mapping, target []*unstructured.Unstructured) []Reference {
	seen := map[Reference]bool{}
	var out []Reference
	for _, o := range owned(target) {
		ref := Reference{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
		scan := func(path, s string) {
			for _, mt := range scanString(m, s) {
				r := ref
				r.Path, r.Match, r.Why = path, mt.token, mt.why
				if !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		}
		scanEncoded(o, scan)
		n := stripIgnored(m, Normalize(o), false)
		for _, k := range encodedFields(o.GetKind()) {
			delete(n.Object, k)
		}
		walkStrings(n.Object, "", "", scan)
	}
	slices.SortFunc(out, func(a, b Reference) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Match, b.Match))
	})
	return out
}

// encodedFields are the top-level maps whose values are scanned decoded
// (and, for Secrets, must not reach Normalize's output anyway).
func encodedFields(kind string) []string {
	switch kind {
	case "Secret":
		return []string{"data", "stringData"}
	case "ConfigMap":
		return []string{"binaryData"}
	}
	return nil
}

// scanEncoded scans Secret data and ConfigMap binaryData decoded, and
// Secret stringData as is, all under data paths as the server stores them.
func scanEncoded(o *unstructured.Unstructured, scan func(path, s string)) {
	for _, field := range encodedFields(o.GetKind()) {
		values, _, _ := unstructured.NestedMap(o.Object, field)
		shown := field
		if field == "stringData" {
			shown = "data"
		}
		for _, k := range slices.Sorted(maps.Keys(values)) {
			s, _ := values[k].(string)
			if field != "stringData" {
				plain, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					continue
				}
				s = string(plain)
			}
			scan(fieldPath(shown, k), s)
		}
	}
}

// walkStrings calls fn with the path of every string value under node,
// naming fields as Drift does.
func walkStrings(node any, path, field string, fn func(path, s string)) {
	switch n := node.(type) {
	case string:
		fn(path, n)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(n)) {
			walkStrings(n[k], childPath(path, k, field == "env[]"), k, fn)
		}
	case []any:
		key := ""
		if allMaps(n) {
			key = listKey(n)
		}
		for i, e := range n {
			id := strconv.Itoa(i)
			if key != "" {
				id = elemID(e, i, key)
			}
			walkStrings(e, elemPath(path, id), field+"[]", fn)
		}
	}
}
