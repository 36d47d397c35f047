package tui

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/logs"
)

// foldContext is how many unchanged lines stay around a fold: enough to
// see which block a change is in, few enough that 24 lines show the drift.
const foldContext = 2

// diffLines renders the side-by-side diff as `ferry diff` does (the same
// markers: blank same, ~ expected, ! drift, < and > one side only), with
// long unchanged runs folded when fold is set.
func diffLines(data *detailData, src, dst string, width int, fold bool, st *styles) []string {
	if data.err != nil {
		return []string{st.bad.Render("could not build the diff: " + data.err.Error())}
	}
	col := max(4, (width-5)/2)
	lines := []string{
		st.dim.Render(fmt.Sprintf("~ expected (mapping)  ! drift  < only on %s  > only on %s", src, dst)),
		"  " + padRight(st.source.Render(src+" as is"), col) + "   " + st.target.Render(dst),
	}
	if len(data.diffs) == 0 {
		return append(lines, st.dim.Render("no objects on either side"))
	}
	for _, d := range data.diffs {
		lines = append(lines, objectTitle(d, src, dst, width, st))
		lines = append(lines, foldSame(d.Lines, fold, col, st)...)
	}
	return lines
}

func objectTitle(d rewrite.ObjectDiff, src, dst string, width int, st *styles) string {
	title := "── " + d.Kind + " " + d.Name
	switch oneSide(d.Lines) {
	case rewrite.Removed:
		title += " (only on " + src + ")"
	case rewrite.Added:
		title += " (only on " + dst + ")"
	}
	title += " "
	return st.bold.Render(title + strings.Repeat("─", max(0, width-ansi.StringWidth(title))))
}

// oneSide says whether every line of an object is on one side only.
func oneSide(lines []rewrite.DiffLine) rewrite.DiffKind {
	if len(lines) == 0 {
		return rewrite.Same
	}
	k := lines[0].Kind
	for _, l := range lines {
		if l.Kind != k || (k != rewrite.Added && k != rewrite.Removed) {
			return rewrite.Same
		}
	}
	return k
}

// foldSame renders the rows, replacing a run of unchanged rows longer than
// twice the context by its ends and a count.
func foldSame(rows []rewrite.DiffLine, fold bool, col int, st *styles) []string {
	var out []string
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Kind == rewrite.Same {
			j++
		}
		if run := j - i; fold && run > 2*foldContext+1 {
			for _, l := range rows[i : i+foldContext] {
				out = append(out, diffRow(l, col, st))
			}
			out = append(out, st.dim.Render(fmt.Sprintf("  ⋯ %d unchanged lines (f shows them)", run-2*foldContext)))
			for _, l := range rows[j-foldContext : j] {
				out = append(out, diffRow(l, col, st))
			}
		} else {
			for _, l := range rows[i:j] {
				out = append(out, diffRow(l, col, st))
			}
		}
		if j < len(rows) {
			out = append(out, diffRow(rows[j], col, st))
			j++
		}
		i = j
	}
	return out
}

// diffRow is one row: marker, left cut to col, marker, right.
func diffRow(l rewrite.DiffLine, col int, st *styles) string {
	mark, style := diffMark(l, st)
	return style.Render(mark + " " + cell(l.Left, col) + " " + mark + " " + truncate(l.Right, col))
}

func diffMark(l rewrite.DiffLine, st *styles) (string, lipgloss.Style) {
	switch {
	case l.Kind == rewrite.Same:
		return " ", lipgloss.Style{}
	case l.Expected:
		return "~", st.diffExpected
	case l.Kind == rewrite.Removed:
		return "<", st.source
	case l.Kind == rewrite.Added:
		return ">", st.target
	}
	return "!", st.diffDrift
}

// clean makes text read from the clusters safe and one cell per column:
// no escape sequences (a value could hold some) and no tabs.
func clean(s string) string {
	return strings.ReplaceAll(logs.Sanitize(s, false), "\t", "  ")
}

// padRight pads s with spaces to w cells.
func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
}

// cell is s cleaned, cut to w cells and padded to w.
func cell(s string, w int) string { return padRight(truncate(s, w), w) }

// truncate is s cleaned and cut to w cells with "…".
func truncate(s string, w int) string { return ansi.Truncate(clean(s), w, "…") }

var (
	envNameLine  = regexp.MustCompile(`^\s*- name: (.+)$`)
	envValueLine = regexp.MustCompile(`^(\s*)value: (.*)$`)
)

// maskLiterals hides, in place, literal env values under credential-like
// names, as the env tab does. The engine hashes Secret data; a password
// typed into a pod spec is a Secret in all but kind. Block scalars ("|")
// lose their continuation lines too.
func maskLiterals(diffs []rewrite.ObjectDiff) {
	for i := range diffs {
		var left, right masker
		for j := range diffs[i].Lines {
			l := &diffs[i].Lines[j]
			l.Left, l.Right = left.line(l.Left), right.line(l.Right)
		}
	}
}

// masker follows one column of a diff: the last env name seen and, inside
// a masked block scalar, its indentation.
type masker struct {
	name       string
	blockDepth int // > 0 while inside a masked block value
}

func (m *masker) line(s string) string {
	indent := len(s) - len(strings.TrimLeft(s, " "))
	if m.blockDepth > 0 {
		if indent > m.blockDepth && strings.TrimSpace(s) != "" {
			return strings.Repeat(" ", indent) + "••••"
		}
		m.blockDepth = 0
	}
	if v := envValueLine.FindStringSubmatch(s); v != nil && secretName.MatchString(m.name) {
		m.name = ""
		if strings.HasPrefix(v[2], "|") || strings.HasPrefix(v[2], ">") {
			m.blockDepth = len(v[1])
		}
		return v[1] + "value: " + masked
	}
	m.name = ""
	if n := envNameLine.FindStringSubmatch(s); n != nil {
		m.name = n[1]
	}
	return s
}
