package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// View is, top to bottom: the title, a bar per router, the stages with
// what is happening now, the gates, and the history of weight changes, or
// the question being asked in the history's place.
func (c *cutoverScreen) View() string {
	if c.co == nil {
		return c.noCutover()
	}
	rows := c.rows()
	lines := append([]string{c.titleLine(rows)}, c.routerLines()...)
	lines = append(lines, ruleLine(c.st, c.width, "stages", false))
	lines = append(lines, c.stageLines(rows)...)
	lines = append(lines, c.nowLines(rows)...)
	gates := c.gateLines()
	left := c.height - len(lines)
	if c.ask != nil {
		ask := min(max(left, 0), 6)
		lines = append(lines, fit(strings.Join(gates, "\n"), c.width, max(0, left-ask))...)
		lines = append(lines, c.askLines(ask)...)
	} else {
		g := min(len(gates), max(0, left-2))
		lines = append(lines, gates[:g]...)
		lines = append(lines, c.historyLines(left-g)...)
	}
	return strings.Join(fit(strings.Join(lines, "\n"), c.width, c.height), "\n")
}

// noCutover says the plan has none and how to add one.
func (c *cutoverScreen) noCutover() string {
	lines := []string{
		c.st.bold.Render("No cutover in this plan: no traffic is set to move."),
		"Add a cutover: section to the plan file, then restart ferry. For example:",
		"",
	}
	for _, l := range []string{
		"cutover:",
		"  service: orders/orders-api        # one of services:, whose probes gate it",
		"  routers:",
		"    - route53:",
		"        account: source               # whose AWS profile reaches the zone",
		"        zone: acme.example.",
		"        record: shop.acme.example.",
		"        type: CNAME",
		"        targetValue: eks-ingress.acme.example.",
		"  steps:",
		"    - {percent: 10, dwell: 2m}",
		"    - {percent: 50, dwell: 5m}",
		"    - {percent: 100, dwell: 5m, auto: true}",
	} {
		lines = append(lines, "  "+c.st.dim.Render(l))
	}
	return strings.Join(append(lines, "",
		"Routers may also be alb or apiGateway; ferry plan lists the stages it makes."), "\n")
}

// titleLine names the service and the sides, the auto state and what
// this screen is doing.
func (c *cutoverScreen) titleLine(rows []stageRow) string {
	line := c.st.title.Render("Cutover") + "  " + c.service() + "  " +
		c.st.source.Render(c.guard.src) + " → " + c.st.target.Render(c.guard.dst) +
		fmt.Sprintf("  %d stages", len(rows))
	if anyAuto(rows) && c.keys.Advance.Enabled() {
		if c.paused {
			line += "  " + c.st.warn.Render("auto paused")
		} else {
			line += "  auto on"
		}
	}
	switch {
	case c.rolling:
		line += "  " + c.st.warn.Render("returning traffic to "+c.guard.src+"…")
	case c.applying != "":
		line += "  " + c.st.warn.Render("applying "+pctName(rows, c.applying)+"…")
	case c.refresh:
		line += "  " + c.st.dim.Render("reading routers and gates…")
	}
	return line
}

// routerLines are a bar per router: the source's share filled in its
// colour, the target's shaded in its own, then the weights and the age of
// the read. A router that could not be read says why.
func (c *cutoverScreen) routerLines() []string {
	rs := c.status.Routers
	if len(rs) == 0 {
		return []string{"  " + c.st.dim.Render("the routers have not been read yet")}
	}
	nameW := 0
	for _, r := range rs {
		nameW = max(nameW, ansi.StringWidth(clean(r.Name)))
	}
	nameW = min(nameW, max(16, c.width/2))
	fixed := 2 + nameW + 2 + ansi.StringWidth(c.guard.src) + 2 + ansi.StringWidth(c.guard.dst) + 2 + 5 + 9
	barW := max(10, min(40, c.width-fixed))
	lines := make([]string, 0, len(rs))
	for _, r := range rs {
		line := "  " + cell(r.Name, nameW) + "  "
		if r.Err != "" {
			lines = append(lines, line+c.st.bad.Render("✗ cannot read: "+clean(r.Err)))
			continue
		}
		line += c.st.source.Render(c.guard.src) + " " + c.weightBar(r.Weights.Source, barW) + " " +
			c.st.target.Render(c.guard.dst) + "  " + c.st.bold.Render(padRight(r.Weights.String(), 5)) +
			"  " + c.st.dim.Render(age(c.now(), r.At))
		lines = append(lines, line)
	}
	return lines
}

// weightBar is width cells: the source's percent as █, the target's as
// ░, each side at least one cell while it has any traffic at all.
func (c *cutoverScreen) weightBar(source, width int) string {
	n := (width*source + 50) / 100
	switch {
	case source > 0 && n == 0:
		n = 1
	case source < 100 && n == width:
		n = width - 1
	}
	n = max(0, min(width, n))
	return c.st.source.Render(strings.Repeat("█", n)) + c.st.target.Render(strings.Repeat("░", width-n))
}

// stageLines are the implicit start, then each stage: its state, share,
// weights, dwell, auto flag and step ID; the stage in focus highlighted.
func (c *cutoverScreen) stageLines(rows []stageRow) []string {
	if len(rows) == 0 {
		return []string{"  " + c.st.dim.Render("the cutover has no stages")}
	}
	start := fmt.Sprintf("    %-11s %4s  %-6s  all traffic on %s", "start", "0%", "100/0", c.guard.src)
	lines := []string{c.st.dim.Render(start)}
	focus := focusStage(rows)
	for i, s := range rows {
		icon, style := stateLook(s.state(), c.st)
		auto := ""
		if s.Auto {
			auto = "auto"
		}
		rest := fmt.Sprintf("%4s  %-6s  %-11s  %-4s  %s", fmt.Sprintf("%d%%", s.Percent), s.want(),
			"dwell "+shortDur(s.Dwell), auto, s.ID)
		state := icon + " " + padRight(string(s.state()), 11)
		if i == focus {
			lines = append(lines, c.st.selected.Render("› "+state+" "+rest))
			continue
		}
		lines = append(lines, "  "+style.Render(state)+" "+rest)
	}
	return lines
}

// gateLines are the gates' latest results: pass or fail, age, evidence.
func (c *cutoverScreen) gateLines() []string {
	lines := []string{ruleLine(c.st, c.width, "gates", false)}
	gates := c.status.Gates
	if len(gates) == 0 {
		return append(lines, "  "+c.st.dim.Render("no results yet: the gates are asked as the screen opens, before traffic moves and while a stage dwells"))
	}
	nameW := 0
	for _, g := range gates {
		nameW = max(nameW, ansi.StringWidth(clean(g.Gate)))
	}
	for _, g := range gates {
		mark, style := "✓ ok  ", c.st.ok
		if !g.OK {
			mark, style = "✗ fail", c.st.bad
		}
		lines = append(lines, "  "+style.Render(mark+" "+cell(g.Gate, min(nameW, 14)))+"  "+
			c.st.dim.Render(padRight(age(c.now(), g.At), 7))+"  "+clean(g.Evidence))
	}
	return lines
}

// historyLines are the stages' markers and failures from the journal,
// newest last, in h lines with the rule.
func (c *cutoverScreen) historyLines(h int) []string {
	if h <= 0 {
		return nil
	}
	title := "history"
	if d := c.snap.DroppedEvents; d > 0 {
		title += fmt.Sprintf(" (%d older journal events not shown)", d)
	}
	lines := []string{ruleLine(c.st, c.width, title, false)}
	rows := c.rows()
	var events []runbook.Event
	for _, e := range c.snap.Events {
		if _, ok := stageByID(rows, e.Step); ok && (e.Outcome == runbook.OutcomeMarker || e.Outcome == runbook.OutcomeFailed) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		lines = append(lines, "  "+c.st.dim.Render("no traffic has moved yet: each weight change shows here, in the journal and in the logs"))
	}
	for _, e := range events[max(0, len(events)-h+1):] {
		at := c.st.dim.Render(e.Time.In(c.now().Location()).Format("15:04:05"))
		if e.Outcome == runbook.OutcomeMarker {
			lines = append(lines, at+" ◆ "+clean(e.Message))
			continue
		}
		msg := strings.TrimPrefix(clean(e.Message), string(e.Action)+" "+e.Step+": ")
		lines = append(lines, at+" "+c.st.bad.Render(fmt.Sprintf("✗ %s %s failed: %s", e.Action, pctName(rows, e.Step), msg)))
	}
	return fit(strings.Join(lines, "\n"), c.width, h)
}

// ruleLine is a section's title line; the focused section's is heavy,
// which shows without colour too.
func ruleLine(st *styles, width int, title string, focused bool) string {
	line, style := "─", st.dim
	if focused {
		line, style = "━", st.bold
	}
	head := line + line + " " + title + " "
	return style.Render(head + strings.Repeat(line, max(0, width-ansi.StringWidth(head))))
}
