package logview

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// View draws exactly the pane's height in rows, none wider than its
// width. It renders only what is on screen: finding the window is a
// binary search and a walk over the visible lines, so 100k held lines
// cost what 1k do.
func (m Model) View() string {
	g := m.geom()
	rows := make([]string, 0, m.h)
	if g.title {
		rows = append(rows, fit(m.titleRow(), m.w))
	}
	// The body is drawn to width by construction; measuring it again
	// would be a third of the cost of a frame.
	rows = append(rows, m.body(g.body)...)
	if g.status {
		rows = append(rows, fit(m.statusRow(0), m.w), fit(m.statusRow(1), m.w))
	}
	if g.message {
		rows = append(rows, fit(m.messageRow(), m.w))
	}
	return strings.Join(rows[:min(len(rows), m.h)], "\n")
}

// body is exactly n rows, so the status rows stay at the bottom.
func (m Model) body(n int) []string {
	var rows []string
	switch {
	case len(m.stack) > 0:
		rows = m.screenView(n)
	case m.split:
		rows = m.splitBody(n)
	default:
		rows, _ = m.column(listAll, m.columns(m.w, true), n, -1)
	}
	rows = rows[:min(len(rows), n)]
	for len(rows) < n {
		rows = append(rows, "")
	}
	// The lines are drawn to width by construction, except in columns
	// too narrow for the prefix; the other views are small and measured.
	if len(m.stack) > 0 || m.w < 2*minText+2 {
		for i, r := range rows {
			rows[i] = fit(r, m.w)
		}
	}
	return rows
}

// column renders list k into n rows. The cursor's column shows the
// paused view or the newest lines; another column (end >= 0) ends at
// index end, so both halves of the split show the same moment.
func (m Model) column(k int, c cols, n, end int) (rows []string, last int) {
	l := m.buf.list(k)
	if len(l) == 0 {
		text := m.st.dim.r(m.emptyText(k))
		if c.pad {
			text = padRight(ansi.Truncate(text, c.width, "…"), c.width)
		}
		return []string{text}, -1
	}
	switch {
	case end >= 0:
		return m.rowsUpTo(k, min(end, len(l)-1), c, n), end
	case m.follow:
		return m.rowsUpTo(k, len(l)-1, c, n), len(l) - 1
	}
	return m.rowsFrom(k, min(m.buf.index(k, m.top.pos), len(l)-1), c, n)
}

func (m Model) emptyText(k int) string {
	switch {
	case m.buf.len() == 0:
		return "  waiting for lines…"
	case k == listAll:
		return "  no line matches the filter"
	}
	return "  no " + m.label(k-listSource) + " line matches the filter"
}

// rowsFrom renders from list k's line i down until n rows are full.
func (m Model) rowsFrom(k, i int, c cols, n int) (rows []string, last int) {
	l := m.buf.list(k)
	sel := m.buf.index(k, m.sel.pos)
	last = i
	for ; i < len(l) && len(rows) < n; i++ {
		rows = append(rows, m.renderEntry(m.buf.item(k, i), c, i == sel, n)...)
		last = i
	}
	return rows[:min(len(rows), n)], last
}

// rowsUpTo renders the lines ending with list k's line end, newest at the
// bottom. Only whole lines are shown, so a wrapped line never starts
// mid-text at the top; one line taller than the view shows its start.
func (m Model) rowsUpTo(k, end int, c cols, n int) []string {
	if end < 0 {
		return nil
	}
	sel := -1
	if !m.follow && k == m.activeList() {
		sel = m.buf.index(k, m.sel.pos)
	}
	var chunks [][]string
	got := 0
	for i := end; i >= 0; i-- {
		r := m.renderEntry(m.buf.item(k, i), c, i == sel, n)
		if got+len(r) > n && got > 0 {
			break
		}
		chunks = append(chunks, r)
		if got += len(r); got >= n {
			break
		}
	}
	rows := make([]string, 0, got)
	for i := len(chunks) - 1; i >= 0; i-- {
		rows = append(rows, chunks[i]...)
	}
	return rows[:min(len(rows), n)]
}

// splitBody is the two columns under a header naming each side.
func (m Model) splitBody(n int) []string {
	w := m.colWidths()
	a, o := m.focus, 1-m.focus
	var cs [2]cols
	for i := range cs {
		cs[i] = m.columns(w[i], false)
	}
	cs[0].pad = true // the divider must line up
	var cells [2][]string
	var last int
	cells[a], last = m.column(listSource+a, cs[a], n-1, -1)
	other := m.buf.list(listSource + o)
	end := len(other) - 1
	if !m.follow && last >= 0 {
		end = m.buf.lastUpTo(listSource+o, m.buf.item(listSource+a, last).Time)
	}
	if end >= 0 || len(other) == 0 { // else all its lines are later than the view
		cells[o], _ = m.column(listSource+o, cs[o], n-1, max(end, 0))
	}
	divider, blank := m.st.dim.r("│"), strings.Repeat(" ", w[0])
	rows := make([]string, 0, n)
	rows = append(rows, padRight(m.columnHeader(0, w[0]), w[0])+divider+m.columnHeader(1, w[1]))
	for i := 0; i < n-1; i++ {
		left := blank
		if i < len(cells[0]) {
			left = cells[0][i]
		}
		rows = append(rows, left+divider+cellAt(cells[1], i))
	}
	return rows
}

func cellAt(c []string, i int) string {
	if i < len(c) {
		return c[i]
	}
	return ""
}

// columnHeader names a split column's side and counts its lines; the
// marker shows which column the cursor is in.
func (m Model) columnHeader(s, w int) string {
	mark := " "
	if s == m.focus && !m.follow {
		mark = m.st.sel.r("▸")
	}
	h := mark + m.st.side[s].r(m.label(s)) + m.st.dim.r(" · "+commas(len(m.buf.list(listSource+s))-m.buf.markers)+" lines")
	return ansi.Truncate(h, w, "…")
}

func (m Model) label(s int) string {
	if s == 1 {
		return m.opts.Target.Label
	}
	return m.opts.Source.Label
}

// titleRow is the pane's title and modes on the left, line and drop
// counts on the right; the title gives way first.
func (m Model) titleRow() string {
	modes := []string{"merged"}
	if m.split {
		modes[0] = "split"
	}
	if m.follow {
		modes = append(modes, "following")
	} else {
		modes = append(modes, m.st.warn.r("PAUSED +"+commas(m.fresh)+" new"))
	}
	if m.wrap {
		modes = append(modes, "wrap")
	}
	left := m.st.title.r(m.opts.Title) + "  " + strings.Join(modes, " · ")
	right := m.countText() + " · " + m.droppedText()
	room := m.w - ansi.StringWidth(right) - 2
	if room < 8 {
		return right
	}
	left = ansi.Truncate(left, room, "…")
	return left + strings.Repeat(" ", m.w-ansi.StringWidth(left)-ansi.StringWidth(right)) + right
}

func (m Model) countText() string {
	shown, held := len(m.buf.list(listAll))-m.buf.markers, m.buf.len()-m.buf.markers
	if m.flt.Include == nil && m.flt.Exclude == nil {
		return commas(held) + " lines"
	}
	return commas(shown) + " of " + commas(held) + " lines"
}

// droppedText adds the lines the ring dropped before the pane read them
// to those the pane evicted at its capacity.
func (m Model) droppedText() string {
	d := m.lost + m.buf.evicted
	if d == 0 {
		return m.st.dim.r("dropped 0")
	}
	return m.st.warn.r("dropped " + commas(int(d)) + " (ring " + commas(int(m.lost)) +
		", pane " + commas(int(m.buf.evicted)) + ")")
}

// fit cuts a row to w cells.
func fit(row string, w int) string {
	if len(row) > w && ansi.StringWidth(row) > w { // bytes bound cells
		return ansi.Truncate(row, w, "…")
	}
	return row
}

// commas writes n with thousands separators, as counts read best.
func commas(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// clock formats a time for the detail and template views, in UTC like
// the kubelet's timestamps.
func clock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000 UTC") }
