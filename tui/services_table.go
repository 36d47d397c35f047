package tui

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// column is one column of the services table.
type column struct {
	title string
	side  int // 1 source, 2 target: the title takes the side's colour
	min   int // narrowest it may be cut to; == natural for fixed columns
	max   int // widest it grows to; 0 for no limit
	// drop orders the columns that go when the terminal is narrow: the
	// lowest first. soft ones go before any text is cut; 0 never goes.
	drop  int
	soft  bool
	right bool
	sort  sortColumn // the sort this column shows a marker for; -1 none
	cell  func(r row) string
	// style colours a cell that carries a verdict; nil for plain.
	style func(r row, st *styles) lipgloss.Style
}

const (
	colGap    = 1
	rowPrefix = 2 // "› " on the cursor's row, so it shows without colour
)

func serviceColumns(src, dst string) []column {
	return []column{
		{title: "NAMESPACE", min: 6, max: 20, drop: 6, sort: -1, cell: func(r row) string { return r.namespace }},
		{title: "SERVICE", min: 10, max: 40, sort: sortName, cell: func(r row) string { return r.name }},
		{title: src, side: 1, min: 4, sort: -1, cell: func(r row) string { return readyCell(r.source) },
			style: func(r row, st *styles) lipgloss.Style { return when(r.source.warn, st.bad) }},
		{title: "TAG", min: 5, max: 16, drop: 4, sort: -1, cell: func(r row) string { return r.source.tag }},
		{title: "RST", drop: 1, soft: true, right: true, sort: -1, cell: func(r row) string { return r.source.restarts }},
		{title: dst, side: 2, min: 4, sort: -1, cell: func(r row) string { return readyCell(r.target) },
			style: func(r row, st *styles) lipgloss.Style { return when(r.target.warn, st.bad) }},
		{title: "TAG", min: 5, max: 16, drop: 5, sort: -1, cell: func(r row) string { return r.target.tag }},
		{title: "RST", drop: 2, soft: true, right: true, sort: sortRestarts, cell: func(r row) string { return r.target.restarts }},
		{title: "DRIFT", right: true, drop: 3, sort: sortDrift, cell: func(r row) string { return strconv.Itoa(r.drift) },
			style: func(r row, st *styles) lipgloss.Style { return when(r.drift > 0, st.warn) }},
		{title: "REFS", right: true, sort: sortRefs, cell: func(r row) string { return strconv.Itoa(r.refs) },
			style: func(r row, st *styles) lipgloss.Style { return when(r.refs > 0, st.bad) }},
		{title: "STATE", min: 8, sort: sortState, cell: func(r row) string { return r.word },
			style: func(r row, st *styles) lipgloss.Style { return stateStyle(r.state, st) }},
	}
}

// readyCell is "ready/desired", then "!" when the side has warnings, so a
// crash-looping side stands out even where colour is off.
func readyCell(c sideCells) string {
	if c.warn {
		return c.ready + "!"
	}
	return c.ready
}

// columnTitle is a column's header text, with the sort marker when the
// table is sorted by it.
func columnTitle(c column, q rowQuery) string {
	if c.sort != q.sort {
		return c.title
	}
	if q.desc {
		return c.title + "▼"
	}
	return c.title + "▲"
}

// layoutColumns decides each column's width for the terminal width, 0 for
// a dropped column. Soft columns (restarts) go first, then text columns are
// cut down to their minimum, then more columns go in drop order.
func layoutColumns(cols []column, rows []row, q rowQuery, width int) []int {
	widths := make([]int, len(cols))
	for i, c := range cols {
		w := ansi.StringWidth(columnTitle(c, q))
		for _, r := range rows {
			w = max(w, ansi.StringWidth(c.cell(r)))
		}
		if c.max > 0 {
			w = min(w, max(c.max, ansi.StringWidth(columnTitle(c, q))))
		}
		widths[i] = w
	}
	dropWhile(cols, widths, width, func(c column) bool { return c.soft })
	shrink(cols, widths, width)
	dropWhile(cols, widths, width, func(column) bool { return true })
	return widths
}

func tableWidth(widths []int) int {
	total, n := rowPrefix, 0
	for _, w := range widths {
		if w > 0 {
			total += w
			n++
		}
	}
	return total + max(0, n-1)*colGap
}

// dropWhile drops eligible columns, lowest drop rank first, until the
// table fits.
func dropWhile(cols []column, widths []int, width int, eligible func(column) bool) {
	for tableWidth(widths) > width {
		best := -1
		for i, c := range cols {
			if widths[i] > 0 && c.drop > 0 && eligible(c) && (best < 0 || c.drop < cols[best].drop) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		widths[best] = 0
	}
}

// shrink takes cells from the widest cuttable column, one at a time, so
// the cut is spread over the text columns rather than eating one of them.
func shrink(cols []column, widths []int, width int) {
	for tableWidth(widths) > width {
		best := -1
		for i, c := range cols {
			if widths[i] > c.min && c.min > 0 && (best < 0 || widths[i]-c.min > widths[best]-cols[best].min) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		widths[best]--
	}
}

// renderTableHeader renders the column titles.
func renderTableHeader(cols []column, widths []int, q rowQuery, st *styles) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", rowPrefix))
	first := true
	for i, c := range cols {
		if widths[i] == 0 {
			continue
		}
		style := st.colHeader
		switch c.side {
		case 1:
			style = st.source
		case 2:
			style = st.target
		}
		writeCell(&b, c, columnTitle(c, q), widths[i], style, !first)
		first = false
	}
	return b.String()
}

// renderRow renders one row. The cursor's row is drawn plain and then
// reversed as a whole, because per-cell colours would end the highlight
// at their first reset.
func renderRow(cols []column, widths []int, r row, selected bool, st *styles) string {
	var b strings.Builder
	if selected {
		b.WriteString("› ")
	} else {
		b.WriteString("  ")
	}
	first := true
	for i, c := range cols {
		if widths[i] == 0 {
			continue
		}
		style := lipgloss.Style{}
		if !selected && c.style != nil {
			style = c.style(r, st)
		}
		writeCell(&b, c, c.cell(r), widths[i], style, !first)
		first = false
	}
	if selected {
		return st.selected.Render(b.String())
	}
	return b.String()
}

func writeCell(b *strings.Builder, c column, text string, width int, style lipgloss.Style, gap bool) {
	if gap {
		b.WriteString(strings.Repeat(" ", colGap))
	}
	text = ansi.Truncate(text, width, "…")
	pad := strings.Repeat(" ", width-ansi.StringWidth(text))
	if c.right {
		b.WriteString(pad + style.Render(text))
		return
	}
	b.WriteString(style.Render(text) + pad)
}

// when is s when cond holds, else the plain style.
func when(cond bool, s lipgloss.Style) lipgloss.Style {
	if cond {
		return s
	}
	return lipgloss.Style{}
}

func stateStyle(state string, st *styles) lipgloss.Style {
	switch state {
	case inventory.StateFailingTarget, inventory.StateFailingSource:
		return st.bad
	case inventory.StateDrifted, inventory.StateUnknown, inventory.StateRollingOut:
		return st.warn
	case inventory.StateOnlySource, inventory.StateOnlyTarget:
		return st.dim
	case inventory.StateInSync:
		return st.ok
	}
	return lipgloss.Style{}
}
