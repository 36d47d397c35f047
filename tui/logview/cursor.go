package logview

// geom is how the pane's height is shared. Small panes lose the status
// rows first, then the title and message rows, so the lines always get
// the most room.
type geom struct {
	title, status, message bool
	body                   int // rows between title and status, incl. a split header
}

func (m Model) geom() geom {
	switch {
	case m.h >= 8:
		return geom{title: true, status: true, message: true, body: m.h - chromeRows}
	case m.h >= 3:
		return geom{title: true, message: true, body: m.h - 2}
	}
	return geom{body: m.h}
}

// linesRows is the rows the log lines get: the body less the split
// layout's column header.
func (m Model) linesRows() int {
	if m.split {
		return max(m.geom().body-1, 1)
	}
	return max(m.geom().body, 1)
}

// colWidths are the widths of the split columns around a one-cell
// divider, or the whole width in merged.
func (m Model) colWidths() [2]int {
	if !m.split {
		return [2]int{m.w, m.w}
	}
	left := max((m.w-1)/2, 1)
	return [2]int{left, max(m.w-1-left, 1)}
}

// activeCols is the layout of the column the cursor is in.
func (m Model) activeCols() cols {
	return m.columns(m.colWidths()[m.focus], !m.split)
}

// pause stops following with the view where it was: the newest line
// selected at the bottom.
func (m *Model) pause() {
	if !m.follow {
		return
	}
	m.follow, m.fresh = false, 0
	k := m.activeList()
	n := len(m.buf.list(k))
	if n == 0 {
		m.sel, m.top = anchor{}, anchor{}
		return
	}
	m.sel = m.buf.anchorOf(k, n-1)
	m.top = m.buf.anchorOf(k, m.topFor(k, n-1))
}

// resume follows the newest line again.
func (m *Model) resume() { m.follow, m.fresh = true, 0 }

// move moves the cursor by d lines, pausing first.
func (m *Model) move(d int) {
	m.pause()
	k := m.activeList()
	n := len(m.buf.list(k))
	if n == 0 {
		return
	}
	i := min(max(m.buf.index(k, m.sel.pos)+d, 0), n-1)
	m.sel = m.buf.anchorOf(k, i)
	m.keepCursorVisible()
}

// keepCursorVisible scrolls so that the selected line is on screen,
// moving the view as little as possible.
func (m *Model) keepCursorVisible() {
	if m.follow {
		return
	}
	k := m.activeList()
	n := len(m.buf.list(k))
	if n == 0 {
		return
	}
	si := min(m.buf.index(k, m.sel.pos), n-1)
	ti := min(m.buf.index(k, m.top.pos), n-1)
	if si < ti {
		ti = si
	} else {
		ti = max(ti, m.topFor(k, si))
	}
	m.top = m.buf.anchorOf(k, ti)
}

// topFor is the first line of a view whose last line is list k's line i:
// only the lines that fit are measured, so the cost follows the screen.
func (m Model) topFor(k, i int) int {
	c, rows := m.activeCols(), m.linesRows()
	used := 0
	for j := i; j >= 0; j-- {
		used += m.height(m.buf.item(k, j), c, rows)
		if used > rows {
			return min(j+1, i)
		}
	}
	return 0
}
