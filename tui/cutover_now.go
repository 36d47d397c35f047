package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// nowLines say what is happening and what the operator can do: the dwell
// and its countdown, a stage interrupted or failed, or the next stage.
func (c *cutoverScreen) nowLines(rows []stageRow) []string {
	st := c.status
	switch {
	case c.rolling:
		return []string{c.st.warn.Render("↺ returning all traffic to " + c.guard.src + "…")}
	case st.Stage != "":
		return c.inFlightLines(rows)
	}
	// A stage applying that this ferry's board does not show is another
	// ferry's.
	if i := applyingStage(rows); i >= 0 {
		s := rows[i]
		what := "applying"
		if s.view.Action == runbook.ActionRollback {
			what = "rolling back"
		}
		line := fmt.Sprintf("◐ the %d%% stage is %s in another ferry", s.Percent, what)
		if p := s.view.Progress; p != nil {
			line += ": " + clean(p.Message)
		}
		return []string{c.st.warn.Render(line)}
	}
	for _, s := range rows {
		if s.state() == runbook.StateInterrupted {
			return c.interruptedLines(s)
		}
	}
	i := nextStage(rows)
	if i < 0 {
		return append([]string{c.st.ok.Render(fmt.Sprintf("✓ every stage is done: %s takes the traffic (weights %s)",
			c.guard.dst, label(weightsNow(st.Routers), "not read")))}, c.hint("u returns it to "+c.guard.src)...)
	}
	s := rows[i]
	if s.state() == runbook.StateFailed {
		return c.failedLines(s)
	}
	next := fmt.Sprintf("next: %d%% to %s (%s), then it holds %s with the gates watched", s.Percent, c.guard.dst, s.want(), shortDur(s.Dwell))
	return append([]string{c.st.bold.Render(next)}, c.hint("a applies it after you confirm")...)
}

// hint is what the keys would do, or why they do nothing here.
func (c *cutoverScreen) hint(keys string) []string {
	switch {
	case c.rb == nil:
		return c.wrapped(c.st.bad, c.noRunbook(), 2)
	case !c.keys.Advance.Enabled():
		return c.wrapped(c.st.warn, runbook.ErrReadOnly.Error(), 2)
	}
	return c.wrapped(c.st.dim, "  "+keys, 2)
}

// wrapped is text in style, wrapped to the width in at most n lines; a
// longer text ends with "…".
func (c *cutoverScreen) wrapped(style lipgloss.Style, text string, n int) []string {
	w := max(20, c.width)
	lines := strings.Split(ansi.Wrap(clean(text), w, ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], w-1, "") + "…"
	}
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// inFlightLines are the stage this ferry applies: its phase, and while it
// dwells the countdown and a bar, then what follows it.
func (c *cutoverScreen) inFlightLines(rows []stageRow) []string {
	st := c.status
	name := pctName(rows, st.Stage)
	var first string
	switch {
	case st.Phase == "dwelling" && !st.DwellEnd.IsZero():
		total, left := st.DwellEnd.Sub(st.DwellStart), max(0, st.DwellEnd.Sub(c.now()))
		p := runbook.Progress{Done: int((total - left).Seconds()), Total: int(total.Seconds())}
		first = fmt.Sprintf("◐ dwelling at %s: %s left %s %s of %s", name, shortDur(left), progressBar(p, 20),
			shortDur(total-left), shortDur(total))
	case st.Phase == "shifting":
		first = fmt.Sprintf("◐ %s: shifting every router to %s", name, st.Want)
	default:
		first = fmt.Sprintf("◐ %s: %s", name, label(st.Phase, "starting"))
	}
	lines := []string{c.st.warn.Render(first)}
	i := 0
	for i < len(rows) && rows[i].ID != st.Stage {
		i++
	}
	var then string
	switch {
	case i+1 >= len(rows):
		then = fmt.Sprintf("then: the last stage holds; %s takes the traffic", c.guard.dst)
	case rows[i+1].Auto && c.paused:
		then = fmt.Sprintf("then: %d%% is auto but paused: it waits for a (p resumes)", rows[i+1].Percent)
	case rows[i+1].Auto:
		then = fmt.Sprintf("then: %d%% starts by itself (auto; p pauses)", rows[i+1].Percent)
	default:
		then = fmt.Sprintf("then: %d%% waits for you (a)", rows[i+1].Percent)
	}
	if c.applying == "" {
		// Started elsewhere: u asks whoever applies it to stop first.
		return append(lines, c.wrapped(c.st.dim, "  started from the runbook screen or another ferry; "+then+"; u stops it and returns all traffic to "+c.guard.src, 2)...)
	}
	return append(lines, c.wrapped(c.st.dim, "  "+then+"; u returns all traffic to "+c.guard.src, 2)...)
}

// interruptedLines are a stage whose ferry stopped mid-way: where it
// was, what the routers hold now, and that nothing moves by itself.
func (c *cutoverScreen) interruptedLines(s stageRow) []string {
	marker := label(clean(s.view.Marker), "none: it stopped before moving traffic")
	first := fmt.Sprintf("⚠ interrupted at %d%% (last marker: %s) — weights now %s; nothing moves until you act",
		s.Percent, marker, label(weightsNow(c.status.Routers), "not read yet"))
	return append(c.wrapped(c.st.bad, first, 3),
		c.hint(fmt.Sprintf("a applies %d%% again from the weights it saved; u returns all traffic to %s", s.Percent, c.guard.src))...)
}

// failedLines are the next stage's failure, wrapped to two lines, then
// the weights and the way on.
func (c *cutoverScreen) failedLines(s stageRow) []string {
	why := strings.TrimPrefix(clean(s.view.Error), "apply "+s.ID+": ")
	next := fmt.Sprintf("weights now %s; a tries %d%% again, u returns all traffic to %s",
		label(weightsNow(c.status.Routers), "not read"), s.Percent, c.guard.src)
	return append(c.wrapped(c.st.bad, fmt.Sprintf("✗ %d%% failed: %s", s.Percent, why), 2), c.hint(next)...)
}
