package rewrite

import (
	"cmp"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Finding is one difference between a service's source side, with the
// mapping applied, and its target side: drift an operator has to resolve.
type Finding struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Path is the field (see paths.go), "" when the object is on one side only.
	Path string `json:"path"`
	// Source and Target are the rendered values, "<absent>" when missing;
	// for a whole object, "present" or "<absent>".
	Source string `json:"source"`
	Target string `json:"target"`
	// Secret marks findings on a Secret, whose values are sha256 hashes.
	Secret bool `json:"secret,omitempty"`
}

// present stands for a whole object in a Finding; its content is in Render.
const present = "present"

// Drift compares one service's objects on both sides: each side is
// normalized, the mapping is applied to the source (ApplyToService),
// metadata keys in m.Ignore and controller-specific Ingress annotations are
// set aside (see forComparison), and objects are paired by kind and name.
// Differences the mapping explains produce no finding. Findings are ordered
// by kind, name, then field in document order.
func Drift(m Mapping, source, target []*unstructured.Unstructured) []Finding {
	var out []Finding
	for _, p := range pairs(m, source, target) {
		out = append(out, p.findings()...)
	}
	return out
}

// pair is one object on both sides, in comparable form; raw is the source
// normalized but not mapped, for the side-by-side view.
type pair struct {
	kind, name          string
	raw, mapped, target *unstructured.Unstructured
}

func pairs(m Mapping, source, target []*unstructured.Unstructured) []pair {
	source, target = owned(source), owned(target)
	byKey := map[string]*pair{}
	get := func(o *unstructured.Unstructured) *pair {
		k := o.GetKind() + "/" + o.GetName()
		if byKey[k] == nil {
			byKey[k] = &pair{kind: o.GetKind(), name: o.GetName()}
		}
		return byKey[k]
	}
	for i, o := range ApplyToService(m, source) {
		p := get(o)
		p.mapped = forComparison(m, Normalize(o))
		if i < len(source) {
			p.raw = forComparison(m, Normalize(source[i]))
		}
	}
	for _, o := range target {
		get(o).target = forComparison(m, Normalize(o))
	}
	out := make([]pair, 0, len(byKey))
	for _, p := range byKey {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b pair) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.name, b.name))
	})
	return out
}

// owned drops nils and objects every namespace gets from the cluster
// itself, which no operator deployed and no migration moves.
func owned(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o == nil {
			continue
		}
		if t, _, _ := unstructured.NestedString(o.Object, "type"); o.GetKind() == "Secret" && t == "kubernetes.io/service-account-token" {
			continue
		}
		if o.GetKind() == "ConfigMap" && o.GetName() == "kube-root-ca.crt" {
			continue
		}
		out = append(out, o)
	}
	return out
}

func (p pair) findings() []Finding {
	f := Finding{Kind: p.kind, Name: p.name, Secret: p.kind == "Secret"}
	switch {
	case p.mapped == nil:
		f.Source, f.Target = absent, present
		return []Finding{f}
	case p.target == nil:
		f.Source, f.Target = present, absent
		return []Finding{f}
	}
	var out []Finding
	diff(p.mapped.Object, p.target.Object, "", "", func(path string, a, b any) {
		f.Path, f.Source, f.Target = path, render(a), render(b)
		out = append(out, f)
	})
	return out
}

// diff walks a and b together and reports each differing leaf. Maps are
// walked key by key (a missing map counts as empty, so the finding names the
// key); lists of maps are paired by element key (a missing list counts as
// empty); lists of scalars are one value. field is the key a and b sit
// under, "env[]" for an env var.
func diff(a, b any, path, field string, emit func(path string, a, b any)) {
	ma, aMap := a.(map[string]any)
	mb, bMap := b.(map[string]any)
	if (aMap || a == nil) && (bMap || b == nil) && (aMap || bMap) {
		for _, k := range unionKeys(ma, mb) {
			diff(ma[k], mb[k], childPath(path, k, field == "env[]"), k, emit)
		}
		return
	}
	la, aList := a.([]any)
	lb, bList := b.([]any)
	if (aList || a == nil) && (bList || b == nil) && (aList || bList) && allMaps(la) && allMaps(lb) {
		diffList(la, lb, path, field+"[]", emit)
		return
	}
	if !same(a, b) {
		emit(path, a, b)
	}
}

func diffList(la, lb []any, path, field string, emit func(string, any, any)) {
	key := listKey(la, lb)
	ids, ia, ib := []string{}, map[string]any{}, map[string]any{}
	for i, e := range la {
		id := elemID(e, i, key)
		ids, ia[id] = append(ids, id), e
	}
	for i, e := range lb {
		id := elemID(e, i, key)
		if _, ok := ia[id]; !ok {
			ids = append(ids, id)
		}
		ib[id] = e
	}
	for _, id := range ids {
		a, b := ia[id], ib[id]
		if a == nil || b == nil {
			emit(elemPath(path, id), a, b)
			continue
		}
		diff(a, b, elemPath(path, id), field, emit)
	}
}

func allMaps(l []any) bool {
	for _, e := range l {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

func unionKeys(a, b map[string]any) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}
