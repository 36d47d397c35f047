package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// stateLook is how a step state shows: an icon that reads without colour,
// and the colour.
func stateLook(s runbook.State, st *styles) (string, lipgloss.Style) {
	switch s {
	case runbook.StatePlanned:
		return "○", lipgloss.Style{}
	case runbook.StateApplying:
		return "◐", st.warn
	case runbook.StateApplied:
		return "●", st.ok
	case runbook.StateVerified:
		return "✓", st.ok
	case runbook.StateFailed:
		return "✗", st.bad
	case runbook.StateRolledBack:
		return "↺", st.warn
	case runbook.StateSkipped:
		return "–", st.dim
	case runbook.StateInterrupted:
		return "⚠", st.bad
	}
	return "·", st.dim
}

// stateOrder is the title line's order of the state counts.
var stateOrder = []runbook.State{runbook.StateVerified, runbook.StateApplied, runbook.StateApplying,
	runbook.StateInterrupted, runbook.StateFailed, runbook.StateRolledBack, runbook.StatePlanned,
	runbook.StateSkipped, runbook.StatePending}

// runbookLayout splits the body's h lines: the title, the step list, the
// detail's rule and viewport, and the bottom (journal or question).
func runbookLayout(h, steps int) (list, detail, bottom int) {
	bottom = min(9, max(4, h/5+1))
	rest := max(0, h-bottom-2)
	list = min(max(1, steps), max(3, rest/2))
	detail = max(1, rest-list)
	return list, detail, bottom
}

func (r *runbookScreen) listHeight() int {
	list, _, _ := runbookLayout(r.height, len(r.snap.Steps))
	return list
}

// relayout sizes the viewport, keeps the cursor in the list's window and
// renders the detail of the selected step.
func (r *runbookScreen) relayout() {
	list, detail, _ := runbookLayout(r.height, len(r.snap.Steps))
	if r.cursor < r.offset {
		r.offset = r.cursor
	}
	if r.cursor >= r.offset+list {
		r.offset = r.cursor - list + 1
	}
	r.offset = max(0, min(r.offset, len(r.snap.Steps)-list))
	r.vp.SetWidth(max(1, r.width))
	r.vp.SetHeight(detail)
	r.renderDetail()
}

// View is the title, the steps, the selected step's detail and the
// journal's tail, or the question being asked in the journal's place.
func (r *runbookScreen) View() string {
	if r.rb == nil {
		return r.unavailable()
	}
	list, detail, bottom := runbookLayout(r.height, len(r.snap.Steps))
	lines := []string{r.titleLine()}
	lines = append(lines, fit(strings.Join(r.listLines(list), "\n"), r.width, list)...)
	lines = append(lines, r.detailRule())
	lines = append(lines, fit(r.vp.View(), r.width, detail)...)
	if r.ask != nil {
		lines = append(lines, r.askLines(bottom)...)
	} else {
		lines = append(lines, r.journalLines(bottom)...)
	}
	return strings.Join(lines, "\n")
}

func (r *runbookScreen) unavailable() string {
	why := r.why
	if why == "" {
		why = "ferry was started without one"
	}
	return r.st.bad.Render("The runbook is unavailable: "+clean(why)) + "\n" +
		r.st.dim.Render("ferry builds it from the plan and keeps its journal next to the plan; the log says more.")
}

// titleLine counts the steps by state, then says what is running.
func (r *runbookScreen) titleLine() string {
	n := map[runbook.State]int{}
	for _, v := range r.snap.Steps {
		n[v.State]++
	}
	words, icons := []string{}, []string{}
	for _, s := range stateOrder {
		if n[s] > 0 {
			icon, style := stateLook(s, r.st)
			words = append(words, style.Render(fmt.Sprintf("%s %d %s", icon, n[s], s)))
			icons = append(icons, style.Render(fmt.Sprintf("%s%d", icon, n[s])))
		}
	}
	line := r.st.title.Render("Runbook") + fmt.Sprintf("  %d steps  ", len(r.snap.Steps))
	if long := line + strings.Join(words, "  "); ansi.StringWidth(long) <= r.width {
		line = long
	} else {
		line += strings.Join(icons, " ")
	}
	for _, j := range r.jobs {
		line += "  " + r.st.warn.Render(j.act.ing()+" "+j.id+"…")
	}
	return line
}

// stepWidths are the list's column widths: the IDs' and, on a wide
// screen, the scopes'; the title takes the rest.
func (r *runbookScreen) stepWidths() (id, scope int) {
	for _, v := range r.snap.Steps {
		id = max(id, ansi.StringWidth(v.ID))
		scope = max(scope, ansi.StringWidth(stepScope(v)))
	}
	id = min(id, max(12, r.width/2))
	if r.width < 110 {
		return id, 0
	}
	return id, min(scope, 28)
}

func (r *runbookScreen) listLines(h int) []string {
	if len(r.snap.Steps) == 0 {
		return []string{"  " + r.st.dim.Render("the runbook has no steps: the plan names no services")}
	}
	idW, scopeW := r.stepWidths()
	var lines []string
	for i := r.offset; i < min(len(r.snap.Steps), r.offset+h); i++ {
		lines = append(lines, r.stepLine(r.snap.Steps[i], idW, scopeW, i == r.cursor))
	}
	return lines
}

// stepLine is one step: cursor, icon and state, ID, scope, and the title,
// or while applying the progress.
func (r *runbookScreen) stepLine(v runbook.StepView, idW, scopeW int, selected bool) string {
	icon, style := stateLook(v.State, r.st)
	what := v.Title
	if p := v.Progress; p != nil && v.State == runbook.StateApplying {
		what = progressText(*p)
	}
	cells := []string{cell(v.ID, idW)}
	if scopeW > 0 {
		cells = append(cells, cell(stepScope(v), scopeW))
	}
	rest := strings.Join(cells, "  ") + "  " + clean(what)
	mark := "  "
	if selected {
		mark = "› "
	}
	if selected && !r.focus {
		return r.st.selected.Render(mark + icon + " " + padRight(string(v.State), 11) + " " + rest)
	}
	return mark + style.Render(icon+" "+padRight(string(v.State), 11)) + " " + rest
}

// stepScope is the namespace/service a step belongs to, "all" for the
// runbook-wide ones.
func stepScope(v runbook.StepView) string {
	switch {
	case v.Namespace == "":
		return "all"
	case v.Service == "":
		return v.Namespace + "/*"
	}
	return v.Namespace + "/" + v.Service
}

// progressText is "3/7 Deployment orders/x", or the message alone when
// the step does not count.
func progressText(p runbook.Progress) string {
	if p.Total <= 0 {
		return p.Message
	}
	return strings.TrimSpace(fmt.Sprintf("%d/%d %s", p.Done, p.Total, p.Message))
}

// rule is a section's title line; the focused section's is heavy, which
// shows without colour too.
func (r *runbookScreen) rule(title string, focused bool) string {
	return ruleLine(r.st, r.width, title, focused)
}

// journalLines are the journal's newest events that fit, newest last.
func (r *runbookScreen) journalLines(h int) []string {
	title := "journal"
	if d := r.snap.DroppedEvents; d > 0 {
		title += fmt.Sprintf(" (%d older not shown)", d)
	}
	if d := len(r.snap.Damage); d > 0 {
		title += fmt.Sprintf("  ⚠ %d damaged line(s) skipped", d)
	}
	lines := []string{r.rule(title, false)}
	events := r.snap.Events
	if len(events) == 0 {
		lines = append(lines, r.st.dim.Render("nothing journaled yet"))
	}
	events = events[max(0, len(events)-(h-1)):]
	stepW := 0
	for _, e := range events {
		stepW = max(stepW, ansi.StringWidth(e.Step))
	}
	for _, e := range events {
		lines = append(lines, r.eventLine(e, min(stepW, max(12, r.width/2))))
	}
	return fit(strings.Join(lines, "\n"), r.width, h)
}

func (r *runbookScreen) eventLine(e runbook.Event, stepW int) string {
	at := e.Time.In(r.now().Location()).Format("15:04:05")
	if e.Action == "" {
		return r.st.dim.Render(at) + " " + r.st.warn.Render("⚠ "+clean(e.Message))
	}
	style := lipgloss.Style{}
	switch e.Outcome {
	case runbook.OutcomeFailed:
		style = r.st.bad
	case runbook.OutcomeOK:
		style = r.st.ok
	}
	return fmt.Sprintf("%s %-8s %s %s  %s", r.st.dim.Render(at), e.Action,
		style.Render(padRight(string(e.Outcome), 7)), cell(e.Step, stepW), clean(e.Message))
}
