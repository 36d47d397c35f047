package logview

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Widths of a line's prefix fields.
const (
	timeLayout = "15:04:05.000"
	timeW      = len(timeLayout)
	podW       = 5  // a pod name's last segment: the replica's random suffix
	tagMaxW    = 8  // longer side labels are cut in the merged tag
	minText    = 16 // a field is dropped before the text gets narrower
	podMinCols = 70 // narrower columns leave the pod out
)

// cols is the layout of one column of lines: which prefix fields fit and
// how wide the text is.
type cols struct {
	time, tag, pod bool
	tagW, text     int
	width          int
	pad            bool // fill rows to width with spaces, for the split divider
}

// columns fits the prefix into width w: gutter, time, side tag (merged
// only), pod; each field only if the text keeps minText cells.
func (m Model) columns(w int, tag bool) cols {
	c := cols{tagW: m.tagWidth(), width: w}
	used := 1 // the gutter: cursor or error marker
	fit := func(n int) bool {
		if w-used-n >= minText {
			used += n
			return true
		}
		return false
	}
	if m.showTime {
		c.time = fit(timeW + 1)
	}
	if tag {
		c.tag = fit(c.tagW + 1)
	}
	if w >= podMinCols {
		c.pod = fit(podW + 1)
	}
	c.text = max(w-used, 1)
	return c
}

func (m Model) tagWidth() int {
	return min(max(ansi.StringWidth(m.opts.Source.Label), ansi.StringWidth(m.opts.Target.Label)), tagMaxW)
}

// height is how many rows an entry takes: one, or with wrap as many as
// its text needs, never more than the view.
func (m Model) height(e *entry, c cols, rows int) int {
	if !m.wrap || e.marker {
		return 1
	}
	n, rest := 0, displayText(e.Text)
	for n < rows {
		n++
		if _, rest, _ = wrapCut(rest, c.text); rest == "" {
			break
		}
	}
	return n
}

// renderEntry draws one line as at most maxRows rows, none wider than
// the column; with c.pad each is exactly as wide.
func (m Model) renderEntry(e *entry, c cols, selected bool, maxRows int) []string {
	if e.marker {
		return []string{m.markerRow(e, c, selected)}
	}
	var pre strings.Builder
	switch {
	case selected:
		pre.WriteString(m.st.sel.r("▸"))
	case e.IsError():
		pre.WriteString(m.st.bad.r("!"))
	default:
		pre.WriteByte(' ')
	}
	indent := 1
	if c.time {
		pre.WriteString(m.st.dim.r(e.Time.UTC().Format(timeLayout)) + " ")
		indent += timeW + 1
	}
	if c.tag {
		pre.WriteString(m.tag(e, c.tagW) + " ")
		indent += c.tagW + 1
	}
	if c.pod {
		id, _, w := cutWidth(e.Pod[strings.LastIndexByte(e.Pod, '-')+1:], podW)
		pre.WriteString(m.st.dim.r(id) + strings.Repeat(" ", podW-w+1))
		indent += podW + 1
	}
	base := m.st.errLine
	if !e.IsError() {
		base = paint{}
	}
	return m.textRows(pre.String(), indent, displayText(e.Text), c, base, maxRows)
}

// tag is a line's side label in the side's colour, padded to w.
func (m Model) tag(e *entry, w int) string {
	if e.Side == m.label(e.side) && w == m.tagWidth() {
		return m.tags[e.side] // the usual case, drawn once per pane
	}
	return m.st.side[e.side].r(padRight(ansi.Truncate(e.Side, w, ""), w))
}

// textRows puts the text after the prefix: cut with "…", or wrapped with
// rows after the first indented to the text column.
func (m Model) textRows(pre string, indent int, text string, c cols, base paint, maxRows int) []string {
	var rows []string
	for rest := text; len(rows) < maxRows; {
		var head string
		var w int
		if m.wrap {
			head, rest, w = wrapCut(rest, c.text)
		} else if head, rest, w = cutWidth(rest, c.text); rest != "" {
			head, _, w = cutWidth(text, c.text-1)
		}
		row := pre
		if len(rows) > 0 {
			row = strings.Repeat(" ", indent)
		}
		row += m.paintText(head, base)
		if !m.wrap && rest != "" {
			row, w = row+m.st.dim.r("…"), w+1
		}
		if c.pad && indent+w < c.width {
			row += strings.Repeat(" ", c.width-indent-w)
		}
		rows = append(rows, row)
		if !m.wrap || rest == "" {
			break
		}
	}
	return rows
}

// paintText styles one row's piece of a line's text, marking where the
// highlight regexp matches. Matching per row keeps the cost to what is
// shown; a match broken by a wrap is missed, a price worth paying.
func (m Model) paintText(s string, base paint) string {
	re := m.flt.Highlight
	if re == nil || !m.st.highlight.on || s == "" {
		return base.r(s)
	}
	var b strings.Builder
	last := 0
	for _, r := range re.FindAllStringIndex(s, -1) {
		if r[1] == r[0] {
			continue
		}
		b.WriteString(base.r(s[last:r[0]]))
		b.WriteString(m.st.highlight.r(s[r[0]:r[1]]))
		last = r[1]
	}
	b.WriteString(base.r(s[last:]))
	return b.String()
}

// cutWidth splits s after at most w cells and says how wide head is.
// Sanitized text has no control bytes, so plain ASCII is one cell a
// byte; anything else is measured by grapheme, on a bounded prefix so a
// 64 KiB line costs what a short one does.
func cutWidth(s string, w int) (head, rest string, hw int) {
	if w <= 0 {
		return "", s, 0
	}
	n := min(len(s), w)
	ascii := true
	for i := 0; i < n; i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s[:n], s[n:], n
	}
	head = ansi.Truncate(s[:min(len(s), w*8)], w, "")
	if head == "" { // a wide grapheme in a 1-cell column: overflow, never stall
		_, size := utf8.DecodeRuneInString(s)
		head = s[:size]
	}
	return head, s[len(head):], ansi.StringWidth(head)
}

// wrapCut is cutWidth at a word boundary when one is in the row's second
// half, so wrapped prose breaks between words and JSON or a long token
// still fills the row.
func wrapCut(s string, w int) (head, rest string, hw int) {
	head, rest, hw = cutWidth(s, w)
	if rest == "" || rest[0] == ' ' {
		return head, rest, hw
	}
	if i := strings.LastIndexByte(head, ' '); i >= len(head)/2 {
		if hw == len(head) { // one byte a cell: ASCII
			return s[:i+1], s[i+1:], i + 1
		}
		return s[:i+1], s[i+1:], ansi.StringWidth(s[:i+1])
	}
	return head, rest, hw
}

// displayText readies sanitized text for cell arithmetic: colour
// sequences the library kept go (the pane colours by side and level),
// and tabs, whose width terminals disagree on, become spaces.
func displayText(s string) string {
	if strings.IndexByte(s, '\x1b') >= 0 {
		s = ansi.Strip(s)
	}
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", "    ")
	}
	return s
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
