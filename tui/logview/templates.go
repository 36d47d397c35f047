package logview

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/logs"
)

const (
	// maxTemplateInput mirrors the logs library's cut before templating
	// (unexported there): a long message must give the template the
	// table counted it under.
	maxTemplateInput = 2048
	// maxTemplateLines bounds the lines one template opens: the newest.
	maxTemplateLines = 5000
)

// windowText is TemplateWindow as people write it ("15m", not "15m0s").
var windowText = strings.TrimSuffix(strings.TrimSuffix(TemplateWindow.String(), "0s"), "0m")

// masks are the placeholders Template writes; what lies between them is
// the message's literal text.
var masks = strings.NewReplacer(logs.MaskNum, "\x00", logs.MaskHex, "\x00", logs.MaskUUID, "\x00",
	logs.MaskIP, "\x00", logs.MaskDur, "\x00", logs.MaskTime, "\x00", logs.MaskID, "\x00",
	logs.MaskEmail, "\x00")

// templateLines finds the held lines whose message reduces to tmpl,
// oldest first. Templating every line would cost a pass of Template over
// the buffer, so a line must first contain the template's longest
// literal piece, which Template copies verbatim.
func (m Model) templateLines(tmpl string) []entry {
	lit := ""
	for _, p := range strings.Split(masks.Replace(tmpl), "\x00") {
		if len(p) > len(lit) {
			lit = p
		}
	}
	var out []entry
	ents := m.buf.ents
	for i := len(ents) - 1; i >= 0 && len(out) < maxTemplateLines; i-- {
		if ents[i].marker {
			continue
		}
		msg := ents[i].Msg
		if msg == "" {
			msg = ents[i].Text
		}
		if strings.Contains(msg, lit) && templateOf(msg) == tmpl {
			out = append(out, ents[i])
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// templateOf is the template logs.TemplateStats files msg under.
func templateOf(msg string) string {
	return cutUTF8(logs.Template(cutUTF8(msg, maxTemplateInput)), maxTemplateInput)
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// templatesView lists the templates only the target logs, two rows each:
// count, level and template, then an example line.
func (m Model) templatesView(s screen, n int) []string {
	tgt := m.st.side[1].r(m.opts.Target.Label)
	head := " Only on " + tgt + m.st.dim.r(" · last "+windowText+" · "+
		commas(len(s.report))+" templates · enter shows its lines")
	if len(s.report) == 0 {
		return []string{head, "", m.st.dim.r("   no template seen only on " + m.opts.Target.Label +
			" in the last " + windowText)}
	}
	lw := 5
	for _, r := range s.report {
		lw = max(lw, min(len(r.Level), 8))
	}
	rows := []string{head, m.st.dim.r("  COUNT  " + padRight("LEVEL", lw) + "  TEMPLATE")}
	fit := max((n-2)/2, 1)
	start := max(s.cur-fit+1, 0)
	for i := start; i < len(s.report) && len(rows)+2 <= n; i++ {
		r := s.report[i]
		mark, lv := " ", padRight(ansi.Truncate(r.Level, lw, ""), lw)
		if i == s.cur {
			mark = m.st.sel.r("▸")
		}
		if r.Level == "error" || r.Level == "fatal" || r.Level == "panic" || r.Level == "critical" {
			lv = m.st.bad.r(lv)
		}
		indent := strings.Repeat(" ", 1+6+2+lw+2)
		rows = append(rows,
			mark+padLeft(commas(r.Count), 6)+"  "+lv+"  "+ansi.Truncate(r.Template, m.w-len(indent), "…"),
			indent+m.st.dim.r(ansi.Truncate(displayText(r.Example), m.w-len(indent), "…")))
	}
	return rows
}

// templateLinesView lists one template's held lines as the merged layout
// draws them, one row each, with the cursor kept in view.
func (m Model) templateLinesView(s screen, n int) []string {
	head := " " + commas(len(s.lines)) + " held lines of " + m.st.warn.r(s.tmpl)
	rows := []string{ansi.Truncate(head, m.w, "…"), ""}
	if len(s.lines) == 0 {
		return append(rows, m.st.dim.r("   none held any more: the pane's buffer has moved on"))
	}
	flat := m
	flat.wrap = false
	c := flat.columns(m.w, true)
	start := max(s.cur-(n-2)+1, 0)
	for i := start; i < len(s.lines) && len(rows) < n; i++ {
		rows = append(rows, flat.renderEntry(&s.lines[i], c, i == s.cur, 1)...)
	}
	return rows
}
