package rewrite

import (
	"fmt"
	"strings"

	// go-difflib is Python's difflib.SequenceMatcher in Go, the line matcher
	// testify prints its diffs with: small, dependency-free, stable for
	// years. Its opcodes (equal/replace/delete/insert) are exactly the rows
	// of a side-by-side view, where a Myers edit script (go-diff) would need
	// re-pairing into rows and go-cmp's report is not meant to be stable.
	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Render returns obj as YAML with sorted keys, stable from run to run, for
// the side-by-side view. A Secret is normalized whatever the caller passed
// in, so a Render output never holds a secret value.
func Render(obj *unstructured.Unstructured) (string, error) {
	if obj == nil {
		return "", nil
	}
	if obj.GetKind() == "Secret" {
		// Normalize is idempotent; on a raw Secret it hashes data and
		// stringData and drops kubectl's last-applied copy of them.
		obj = Normalize(obj)
	}
	b, err := yaml.Marshal(obj.Object)
	if err != nil {
		return "", fmt.Errorf("render %s %s: %w", obj.GetKind(), obj.GetName(), err)
	}
	return string(b), nil
}

// DiffKind says how a row of a side-by-side diff differs.
type DiffKind string

// The row kinds: a line on both sides, a line changed between them, a line
// only on the right (target), a line only on the left (source).
const (
	Same    DiffKind = "same"
	Changed DiffKind = "changed"
	Added   DiffKind = "added"
	Removed DiffKind = "removed"
)

// DiffLine is one row of a side-by-side diff; the side without a line is "".
type DiffLine struct {
	Kind  DiffKind `json:"kind"`
	Left  string   `json:"left"`
	Right string   `json:"right"`
	// Expected marks a difference the mapping accounts for (the old
	// registry, the kube2iam annotation), to colour apart from drift. Only
	// Diffs sets it.
	Expected bool `json:"expected,omitempty"`
}

// SideBySide aligns two texts line by line. With width > 0 each side is cut
// to width runes ("…" marks a cut); kinds are decided on the full lines.
func SideBySide(left, right string, width int) []DiffLine {
	a, b := lines(left), lines(right)
	rows := align(a, b)
	out := make([]DiffLine, len(rows))
	for n, r := range rows {
		out[n] = DiffLine{Kind: r.kind, Left: cut(at(a, r.i), width), Right: cut(at(b, r.j), width)}
	}
	return out
}

// row is an aligned pair of line indices, -1 for the missing side.
type row struct {
	kind DiffKind
	i, j int
}

func align(a, b []string) []row {
	var out []row
	// autoJunk off: in a long manifest, frequent lines ("- name: x") are
	// the structure, not noise.
	for _, op := range difflib.NewMatcherWithJunk(a, b, false, nil).GetOpCodes() {
		i, j := op.I1, op.J1
		for ; i < op.I2 && j < op.J2; i, j = i+1, j+1 {
			k := Changed
			if op.Tag == 'e' {
				k = Same
			}
			out = append(out, row{k, i, j})
		}
		for ; i < op.I2; i++ {
			out = append(out, row{Removed, i, -1})
		}
		for ; j < op.J2; j++ {
			out = append(out, row{Added, -1, j})
		}
	}
	return out
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func at(l []string, i int) string {
	if i < 0 {
		return ""
	}
	return l[i]
}

func cut(s string, width int) string {
	r := []rune(s)
	if width <= 0 || len(r) <= width {
		return s
	}
	if width == 1 {
		return "…"
	}
	return string(r[:width-1]) + "…"
}
