package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a plan file: where it is, which field, what is
// wrong and how to fix it.
type Error struct {
	File      string
	Line, Col int    // 1-based; 0 when the problem has no place in the file
	Path      string // the field, e.g. "source.aws.account"; empty for syntax errors
	Msg       string // what is wrong; the fix after "; "
}

// Error formats the problem as file:line:col: path: message, the shape
// editors and terminals turn into links.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a plan, in file order. Parse returns it
// whole so one edit-and-retry round fixes them all.
type Errors []*Error

// Error lists the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders the problems by position, then field, and drops repeats.
func (es Errors) sorted() Errors {
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Path, b.Path))
	})
	return slices.CompactFunc(out, func(a, b *Error) bool { return *a == *b })
}

// suggest returns the known name closest to an unknown one, or "" when none
// is close enough to be a likely typo.
func suggest(unknown string, known []string) string {
	best, bestDist := "", len(unknown)/2+2
	for _, k := range known {
		if strings.EqualFold(k, unknown) {
			return k
		}
		if strings.HasPrefix(strings.ToLower(k), strings.ToLower(unknown)) ||
			strings.HasPrefix(strings.ToLower(unknown), strings.ToLower(k)) {
			if d := abs(len(k) - len(unknown)); d < bestDist {
				best, bestDist = k, d
			}
			continue
		}
		if d := distance(strings.ToLower(unknown), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between two strings.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
