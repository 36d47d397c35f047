package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// servicesScreen is the home screen: one row per service pair, filtered,
// sorted, live. The cursor follows a pair's key, not a row number, so rows
// moving under a live update do not move the operator's place.
type servicesScreen struct {
	keys     *keyMap
	st       *styles
	src, dst string
	cols     []column

	snap   inventory.Snapshot
	query  rowQuery
	rows   []row
	filter prompt

	cursor, offset int
	cursorKey      string
	// moved is set once the operator moves the cursor; until then live
	// updates leave it on the first row while the clusters' answers fill
	// the list, instead of following whichever pair happened to come first.
	moved         bool
	width, height int
}

func newServicesScreen(keys *keyMap, st *styles, src, dst string, snap inventory.Snapshot) *servicesScreen {
	s := &servicesScreen{keys: keys, st: st, src: src, dst: dst, cols: serviceColumns(src, dst),
		snap: snap, filter: newPrompt("/", st, keys)}
	s.refresh()
	return s
}

func (s *servicesScreen) Title() string   { return "services" }
func (s *servicesScreen) Capturing() bool { return s.filter.Focused() }
func (s *servicesScreen) Close()          {}

func (s *servicesScreen) SetSize(width, height int) {
	s.width, s.height = width, height
	s.scrollToCursor()
}

// ShortHelp is the footer's help while the services are shown.
func (s *servicesScreen) ShortHelp() []key.Binding {
	if s.filter.Focused() {
		return []key.Binding{s.keys.Accept, s.keys.Cancel}
	}
	return []key.Binding{s.keys.Open, s.keys.Logs, s.keys.Filter, s.keys.Sort}
}

// FullHelp is the services group of the full help.
func (s *servicesScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Logs, k.Filter, k.Sort, k.Reverse, k.Runbook}}
}

func (s *servicesScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case snapshotMsg:
		s.snap = msg.snap
		if !s.moved && s.cursor == 0 {
			s.cursorKey = "" // still untouched: stay on the first row
		}
		s.refresh()
	case nsFilterMsg:
		s.query.namespace = msg.namespace
		s.refresh()
	case tea.PasteMsg:
		if s.filter.Focused() && s.filter.Update(msg) {
			s.setFilter()
		}
	case tea.KeyPressMsg:
		if s.filter.Focused() {
			return s.filterKey(msg)
		}
		return s.handleKey(msg)
	}
	return nil
}

func (s *servicesScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Down):
		s.move(1)
	case key.Matches(msg, k.Up):
		s.move(-1)
	case key.Matches(msg, k.PageDown):
		s.move(s.page())
	case key.Matches(msg, k.PageUp):
		s.move(-s.page())
	case key.Matches(msg, k.Top):
		s.move(-len(s.rows))
	case key.Matches(msg, k.Bottom):
		s.move(len(s.rows))
	case key.Matches(msg, k.Open):
		if s.cursorKey != "" {
			return send(openDetailMsg{key: s.cursorKey})
		}
	case key.Matches(msg, k.Logs):
		if p, ok := s.snap.Pair(s.cursorKey); ok {
			return send(openLogsMsg{pair: p})
		}
	case key.Matches(msg, k.Runbook):
		return send(openRunbookMsg{})
	case key.Matches(msg, k.Filter):
		s.filter.Focus()
	case key.Matches(msg, k.Sort):
		s.query.sort = (s.query.sort + 1) % sortColumns
		s.refresh()
	case key.Matches(msg, k.Reverse):
		s.query.desc = !s.query.desc
		s.refresh()
	case key.Matches(msg, k.Back):
		return s.clearFilters()
	}
	return nil
}

// filterKey edits the / filter; rows follow every keystroke.
func (s *servicesScreen) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, s.keys.Accept):
		s.filter.Blur()
	case key.Matches(msg, s.keys.Cancel):
		s.filter.Reset()
		s.setFilter()
	default:
		if s.filter.Update(msg) {
			s.setFilter()
		}
	}
	return nil
}

func (s *servicesScreen) setFilter() {
	s.query.text = s.filter.Value()
	s.refresh()
}

// clearFilters is esc on the home screen: drop the filter and namespace.
func (s *servicesScreen) clearFilters() tea.Cmd {
	if s.query.text == "" && s.query.namespace == "" {
		return nil
	}
	s.filter.Reset()
	s.query.text, s.query.namespace = "", ""
	s.refresh()
	return status("filters cleared")
}

// refresh recomputes the rows and puts the cursor back on the same pair;
// when that pair is gone it stays at the same position.
func (s *servicesScreen) refresh() {
	s.rows = serviceRows(s.snap, s.src, s.dst, s.query)
	if i := s.indexOf(s.cursorKey); i >= 0 {
		s.cursor = i
	}
	s.cursor = max(0, min(s.cursor, len(s.rows)-1))
	s.cursorKey = ""
	if len(s.rows) > 0 {
		s.cursorKey = s.rows[s.cursor].key
	}
	s.scrollToCursor()
}

func (s *servicesScreen) indexOf(key string) int {
	for i, r := range s.rows {
		if key != "" && r.key == key {
			return i
		}
	}
	return -1
}

func (s *servicesScreen) move(n int) {
	if len(s.rows) == 0 {
		return
	}
	s.cursor = max(0, min(s.cursor+n, len(s.rows)-1))
	s.cursorKey = s.rows[s.cursor].key
	s.moved = true
	s.scrollToCursor()
}

// page is how many rows fit under the title and column header lines.
func (s *servicesScreen) page() int { return max(1, s.height-2) }

// scrollToCursor moves the window only as far as needed to show the
// cursor, so a live update does not jump the list.
func (s *servicesScreen) scrollToCursor() {
	page := s.page()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+page {
		s.offset = s.cursor - page + 1
	}
	s.offset = max(0, min(s.offset, len(s.rows)-page))
}

// View renders the title line, the column header and the visible rows.
func (s *servicesScreen) View() string {
	lines := []string{s.titleLine()}
	widths := layoutColumns(s.cols, s.rows, s.query, s.width)
	lines = append(lines, renderTableHeader(s.cols, widths, s.query, s.st))
	end := min(len(s.rows), s.offset+s.page())
	for i := s.offset; i < end; i++ {
		lines = append(lines, renderRow(s.cols, widths, s.rows[i], i == s.cursor, s.st))
	}
	if len(s.rows) == 0 {
		lines = append(lines, "  "+s.st.dim.Render(s.emptyText()))
	}
	return strings.Join(lines, "\n")
}

func (s *servicesScreen) titleLine() string {
	parts := []string{s.st.title.Render("Services"),
		fmt.Sprintf("%d of %d", len(s.rows), len(s.snap.Pairs)),
		"sort " + s.query.sort.String() + map[bool]string{false: " ▲", true: " ▼"}[s.query.desc]}
	if s.query.namespace != "" {
		parts = append(parts, "ns "+s.query.namespace)
	}
	line := strings.Join(parts, "  ")
	if s.filter.Focused() || s.query.text != "" {
		line += "  " + s.filter.View(max(4, s.width-len(line)-2))
	}
	return line
}

func (s *servicesScreen) emptyText() string {
	switch {
	case len(s.snap.Pairs) == 0:
		return "no services yet: waiting for the clusters to list"
	case s.query.namespace != "" && s.query.text == "":
		return "no services in namespace " + s.query.namespace + " (esc shows all)"
	}
	return "no services match (esc clears the filter)"
}
