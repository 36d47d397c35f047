package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// diffContext is how many unchanged lines show around a change.
const diffContext = 2

// renderDetail fills the viewport with the selected step's detail. A live
// update keeps the scroll; another step starts at its top.
func (r *runbookScreen) renderDetail() {
	v, ok := r.selected()
	if !ok || r.width <= 0 {
		r.vp.SetContentLines(nil)
		return
	}
	lines := stepDetail(v, r.st)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, r.width, "…")
	}
	r.vp.SetContentLines(lines)
	if v.ID != r.shown {
		r.shown = v.ID
		r.vp.GotoTop()
	}
}

// detailRule titles the detail with the step, and where the view is in
// it when it does not fit.
func (r *runbookScreen) detailRule() string {
	v, ok := r.selected()
	if !ok {
		return r.rule("no step", r.focus)
	}
	title := v.ID + " · " + v.Kind
	if total, h := r.vp.TotalLineCount(), r.vp.Height(); total > h {
		top := r.vp.YOffset()
		title += fmt.Sprintf(" · lines %d-%d of %d", top+1, min(total, top+h), total)
		if !r.focus {
			title += " · enter scrolls"
		}
	}
	return r.rule(title, r.focus)
}

// stepDetail is what the detail shows of a step, most urgent first: the
// progress of an apply, the last error, the last verify's checks, then the
// change set with the plan's notes and each object's diff.
func stepDetail(v runbook.StepView, st *styles) []string {
	lines := []string{st.bold.Render(clean(v.Title)) + st.dim.Render(depsText(v.Deps))}
	switch p := v.Progress; {
	case v.State == runbook.StateApplying && p != nil:
		lines = append(lines, st.warn.Render("◐ "+progressBar(*p, 20)+" "+clean(progressText(*p))))
	case v.State == runbook.StateInterrupted:
		at := ""
		if p != nil {
			at = " at " + clean(progressText(*p))
		}
		lines = append(lines, st.bad.Render("⚠ interrupted"+at+": its ferry stopped mid-way."),
			st.warn.Render("  v verifies what is there, a applies again (safe to repeat), u rolls back"))
	}
	if v.Error != "" {
		for _, l := range strings.Split(clean(v.Error), "\n") {
			lines = append(lines, st.bad.Render("✗ "+l))
		}
	}
	if len(v.Checks) > 0 {
		lines = append(lines, st.bold.Render("checks (last verify)"))
		nameW := 0
		for _, c := range v.Checks {
			nameW = max(nameW, ansi.StringWidth(clean(c.Name)))
		}
		for _, c := range v.Checks {
			mark, style := "✓", st.ok
			if !c.OK {
				mark, style = "✗", st.bad
			}
			lines = append(lines, "  "+style.Render(mark+" "+cell(c.Name, min(nameW, 24)))+"  "+clean(c.Evidence))
		}
	}
	return append(lines, changeSetLines(v.Plan, st)...)
}

func depsText(deps []string) string {
	if len(deps) == 0 {
		return ""
	}
	return "  after " + strings.Join(deps, ", ")
}

// progressBar is a bar of width cells, filled Done/Total of the way.
func progressBar(p runbook.Progress, width int) string {
	if p.Total <= 0 {
		return ""
	}
	done := min(width, width*max(0, p.Done)/p.Total)
	return "[" + strings.Repeat("█", done) + strings.Repeat("░", width-done) + "]"
}

// changeSetLines are the plan: its notes, then each change's operation
// and object, with the unified diff of its before and after.
func changeSetLines(cs *runbook.ChangeSet, st *styles) []string {
	if cs == nil {
		return []string{st.dim.Render("not planned yet: p computes the change set live, changing nothing")}
	}
	lines := []string{st.bold.Render("change set: " + changeSummary(*cs))}
	for _, n := range cs.Notes {
		lines = append(lines, st.warn.Render("  note: "+clean(n)))
	}
	for _, c := range cs.Changes {
		lines = append(lines, changeLines(c, st)...)
	}
	return lines
}

var opMarks = map[runbook.Op]string{runbook.OpCreate: "+", runbook.OpUpdate: "~", runbook.OpDelete: "-", runbook.OpNone: "="}

// changeLines are one change: "~ update Deployment ns/name", then its
// diff, indented.
func changeLines(c runbook.Change, st *styles) []string {
	name := c.Name
	if c.Namespace != "" {
		name = c.Namespace + "/" + c.Name
	}
	style := st.dim
	switch c.Op {
	case runbook.OpCreate:
		style = st.diffAdd
	case runbook.OpUpdate:
		style = st.warn
	case runbook.OpDelete:
		style = st.diffDel
	}
	lines := []string{style.Render(fmt.Sprintf("%s %-6s %s %s", opMarks[c.Op], c.Op, c.Kind, clean(name)))}
	if c.Op == runbook.OpNone {
		return lines
	}
	for _, l := range unifiedLines(c.Before, c.After) {
		switch {
		case strings.HasPrefix(l, "+"):
			l = st.diffAdd.Render(l)
		case strings.HasPrefix(l, "-"):
			l = st.diffDel.Render(l)
		case strings.HasPrefix(l, "@@"):
			l = st.dim.Render(l)
		}
		lines = append(lines, "    "+l)
	}
	return lines
}

// unifiedLines is the unified diff of before and after, cleaned, without
// the file header lines.
func unifiedLines(before, after string) []string {
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: splitLines(before), B: splitLines(after), Context: diffContext})
	if err != nil {
		return []string{"(no diff: " + err.Error() + ")"}
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for len(lines) > 0 && !strings.HasPrefix(lines[0], "@@") {
		lines = lines[1:] // the "---" and "+++" header
	}
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return lines
}

// splitLines is difflib's lines of s, none for an empty s, and no empty
// last line for the final newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return difflib.SplitLines(strings.TrimSuffix(s, "\n"))
}
