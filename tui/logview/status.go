package logview

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/logs"
)

// note is the result of the last action (a save), shown on the message
// row until the next key.
type note struct {
	text string
	err  bool
}

// statusRow is one side's rates and stream states. Nothing about a
// stream is silent: reconnecting, ended and waiting streams are counted
// and a discovery error is spelled out.
func (m Model) statusRow(s int) string {
	label := m.label(s)
	head := m.st.side[s].r(padRight(ansi.Truncate(label, tagMaxW, ""), m.tagWidth()))
	ss, ok := m.sideStats(label)
	if !ok {
		return head + m.st.dim.r("  no streams yet")
	}
	errs := padLeft(strconv.FormatFloat(ss.ErrorsPerSec, 'f', 1, 64), 6) + " err/s"
	if ss.ErrorsPerSec > 0 {
		errs = m.st.bad.r(errs)
	}
	parts := []string{
		head + " " + padLeft(strconv.FormatFloat(ss.LinesPerSec, 'f', 1, 64), 7) + " lines/s" + errs,
		m.streamStates(ss),
	}
	if ss.DiscoveryErr != "" {
		parts = append(parts, m.st.bad.r("discovery: "+ss.DiscoveryErr))
	}
	return strings.Join(parts, "  ")
}

// streamStates counts a side's streams by state; live always shows, the
// others when there are any.
func (m Model) streamStates(ss logs.SideStats) string {
	out := []string{m.st.ok.r(strconv.Itoa(ss.Live) + " live")}
	add := func(n int, what string, p paint) {
		if n > 0 {
			out = append(out, p.r(strconv.Itoa(n)+" "+what))
		}
	}
	add(ss.Reconnecting, "reconnecting", m.st.warn)
	add(ss.Waiting, "waiting", m.st.warn)
	add(ss.Ended, "ended", m.st.dim)
	return strings.Join(out, " · ")
}

func (m Model) sideStats(label string) (logs.SideStats, bool) {
	for _, s := range m.stats.Sides {
		if s.Label == label {
			return s, true
		}
	}
	return logs.SideStats{}, false
}

// messageRow is the prompt while one is open, else the last result, else
// the active filters.
func (m Model) messageRow() string {
	switch {
	case m.prompt.open():
		label := promptNames[m.prompt.kind] + " › "
		var errText string
		if m.prompt.err != "" {
			errText = "  " + m.st.bad.r(m.prompt.err)
		}
		room := m.w - ansi.StringWidth(label) - min(ansi.StringWidth(errText), m.w/2)
		return m.st.title.r(label) + m.prompt.input.View(room) + errText
	case m.note.text != "" && m.note.err:
		return m.st.bad.r(m.note.text)
	case m.note.text != "":
		return m.st.ok.r(m.note.text)
	}
	var parts []string
	for _, k := range []promptKind{promptInclude, promptExclude, promptHighlight} {
		if p := (filterSet{&m.flt}).pattern(k); p != "" {
			// Quoted, not /slashed/: a pattern often starts with a path.
			parts = append(parts, promptNames[k]+" "+m.st.warn.r(`"`+p+`"`))
		}
	}
	if len(parts) == 0 {
		return m.st.dim.r("no filter · i include · x exclude · h highlight")
	}
	return strings.Join(parts, "  ")
}

func padLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}
