package rewrite

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// ObjectDiff is the side-by-side view of one object of a service: the
// source as it is (normalized) on the left, the target on the right.
type ObjectDiff struct {
	Kind  string     `json:"kind"`
	Name  string     `json:"name"`
	Lines []DiffLine `json:"lines"`
}

// Diffs renders each object of a service on both sides, paired as in Drift,
// and aligns them with SideBySide. The left column is the source before the
// mapping, so the operator sees the old registry and the kube2iam
// annotation; rows the mapping accounts for are marked Expected, and the
// other differing rows are the lines of Drift's findings.
func Diffs(m Mapping, source, target []*unstructured.Unstructured, width int) ([]ObjectDiff, error) {
	var out []ObjectDiff
	for _, p := range pairs(m, source, target) {
		var text [3][]string
		for n, o := range []*unstructured.Unstructured{p.raw, p.mapped, p.target} {
			s, err := Render(o)
			if err != nil {
				return nil, err
			}
			text[n] = lines(s)
		}
		out = append(out, ObjectDiff{Kind: p.kind, Name: p.name, Lines: classify(text[0], text[1], text[2], width)})
	}
	return out, nil
}

// classify aligns raw source and target and marks a differing row as
// expected when the mapping explains both its sides. A left line is
// explained when the mapping removes it, or changes it into a line the
// target has; a line the mapping leaves alone is not. A right line is
// explained when the mapped source has it too.
func classify(raw, mapped, target []string, width int) []DiffLine {
	leftOK := make([]bool, len(raw))
	rightOK := make([]bool, len(target))
	mappedOK := make([]bool, len(mapped))
	for _, r := range align(mapped, target) {
		if r.kind == Same {
			mappedOK[r.i], rightOK[r.j] = true, true
		}
	}
	for _, r := range align(raw, mapped) {
		switch r.kind {
		case Removed:
			leftOK[r.i] = true
		case Changed:
			leftOK[r.i] = mappedOK[r.j]
		}
	}
	var out []DiffLine
	for _, r := range align(raw, target) {
		l := DiffLine{Kind: r.kind, Left: cut(at(raw, r.i), width), Right: cut(at(target, r.j), width)}
		switch r.kind {
		case Changed:
			l.Expected = leftOK[r.i] && rightOK[r.j]
		case Removed:
			l.Expected = leftOK[r.i]
		case Added:
			l.Expected = rightOK[r.j]
		}
		out = append(out, l)
	}
	return out
}
