package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// View draws the frame around the screen on top: three header lines, the
// body, the status bar and the footer, every line cut to the width and
// the whole exactly the terminal's height.
func (m Model) View() (v tea.View) {
	defer func() {
		// A bug in a renderer must not take the terminal down with it:
		// say so on screen and keep the keys working, so q still quits.
		if r := recover(); r != nil {
			m.log.Error("cockpit view panic", "panic", r)
			v = tea.NewView(fmt.Sprintf("ferry hit a bug drawing this screen (%v).\nesc goes back, q quits; details are in the log.", r))
			v.AltScreen = true
		}
	}()
	lines := m.header()
	lines = append(lines, fit(m.top().View(), m.width, m.bodyHeight())...)
	lines = append(lines, m.statusLine(), m.footer())
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	if len(lines) > m.height {
		lines = lines[:max(0, m.height)]
	}
	v = tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	v.WindowTitle = "ferry " + m.cfg.Environment
	return v
}

// fit cuts s to h lines of at most w cells, padding with empty lines.
func fit(s string, w, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(ansi.Truncate(l, w, "…"), " ")
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

func (m Model) header() []string {
	return []string{m.titleLine(), m.sideLine(true), m.sideLine(false)}
}

// titleLine is the environment, its protection, the read-only badge and,
// right-aligned, where the operator is.
func (m Model) titleLine() string {
	left := m.st.title.Render("ferry")
	if m.cfg.Environment != "" {
		left += "  env " + m.st.bold.Render(m.cfg.Environment)
	}
	if m.cfg.Protected {
		left += " " + m.st.protected.Render("(protected)")
	}
	if m.cfg.ReadOnly {
		left += "  " + m.st.badge.Render(" READ-ONLY ")
	}
	var crumbs []string
	for _, s := range m.stack {
		crumbs = append(crumbs, s.Title())
	}
	right := m.st.dim.Render(strings.Join(crumbs, " › "))
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 2 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// sideLine is one side's label, connection state, cluster, account,
// credential countdown and caller, most important first so a narrow
// terminal cuts the least useful.
func (m Model) sideLine(source bool) string {
	info, state := m.cfg.Target, m.snap.Target
	if source {
		info, state = m.cfg.Source, m.snap.Source
	}
	lw := max(ansi.StringWidth(m.src), ansi.StringWidth(m.dst))
	name := map[bool]string{true: m.src, false: m.dst}[source]
	parts := []string{m.st.side(source).Render(padRight(name, lw)), m.healthWord(state.Health)}
	if info.Cluster != "" {
		parts = append(parts, info.Cluster)
	}
	if info.IdentityErr != "" {
		parts = append(parts, m.st.bad.Render("identity unknown: "+clean(info.IdentityErr)))
	} else if info.Account != "" {
		parts = append(parts, "acct "+info.Account)
	}
	if c := m.countdown(info.Expires); c != "" {
		parts = append(parts, c)
	}
	if info.IdentityErr == "" && info.Caller != "" {
		parts = append(parts, m.st.dim.Render(info.Caller))
	}
	if state.Error != "" {
		parts = append(parts, m.st.bad.Render(clean(state.Error)))
	}
	return strings.Join(parts, "  ")
}

func (m Model) healthWord(h inventory.Health) string {
	switch h {
	case inventory.HealthUp:
		return m.st.ok.Render("up")
	case inventory.HealthDown, inventory.HealthForbidden:
		return m.st.bad.Render(string(h))
	case "":
		return m.st.warn.Render(string(inventory.HealthConnecting))
	}
	return m.st.warn.Render(string(h))
}

// countdown says how long the side's credentials have left: plain when
// there is time, yellow under ten minutes, red once they have lapsed.
func (m Model) countdown(expires time.Time) string {
	if expires.IsZero() {
		return ""
	}
	d := expires.Sub(m.now).Truncate(time.Second)
	switch {
	case d <= 0:
		return m.st.bad.Render("creds EXPIRED")
	case d < 10*time.Minute:
		return m.st.warn.Render(fmt.Sprintf("creds %dm%02ds", int(d.Minutes()), int(d.Seconds())%60))
	case d < time.Hour:
		return fmt.Sprintf("creds %dm", int(d.Minutes()))
	}
	return fmt.Sprintf("creds %dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// statusLine is the command line while it is open, else the last message,
// else what is wrong with a side, else when the snapshot was built.
func (m Model) statusLine() string {
	switch {
	case m.cmdline.Focused():
		return m.cmdline.View(m.width)
	case m.status.err:
		return m.st.statusErr.Render(m.status.text)
	case m.status.text != "":
		return m.st.status.Render(m.status.text)
	}
	for _, side := range []struct {
		name  string
		state inventory.SideState
	}{{m.src, m.snap.Source}, {m.dst, m.snap.Target}} {
		if msg := sideProblem(side.name, side.state, m.now); msg != "" {
			return m.st.statusErr.Render(msg)
		}
	}
	if m.snap.Built.IsZero() {
		return m.st.status.Render("waiting for the first inventory snapshot…")
	}
	return m.st.status.Render("updated " + m.snap.Built.Format("15:04:05") + " · ? for help")
}

// sideProblem says what is wrong with a side and what ferry does about it.
func sideProblem(name string, s inventory.SideState, now time.Time) string {
	since := ""
	if !s.Since.IsZero() {
		since = " for " + strings.TrimSuffix(age(now, s.Since), " ago")
	}
	switch s.Health {
	case inventory.HealthDown:
		return fmt.Sprintf("%s down%s: %s (ferry keeps retrying; check the network or kubeconfig)", name, since, clean(s.Error))
	case inventory.HealthForbidden:
		return fmt.Sprintf("%s forbidden%s: %s (the caller needs list/watch on the plan's namespaces)", name, since, clean(s.Error))
	}
	return ""
}

// footer is the short help of the screen on top, then the global keys
// that work there; while a prompt has the keys, only the prompt's.
func (m Model) footer() string {
	if m.cmdline.Focused() {
		return m.help.ShortHelpView(append([]key.Binding{m.keys.Accept, m.keys.Complete, m.keys.Cancel}, commandHelp()...))
	}
	top := m.top()
	if top.Capturing() {
		return m.help.ShortHelpView(top.ShortHelp())
	}
	global := []key.Binding{m.keys.Help, m.keys.Command}
	if len(m.stack) > 1 {
		global = append(global, m.keys.Back)
	}
	return m.help.ShortHelpView(append(top.ShortHelp(), append(global, m.keys.Quit)...))
}
