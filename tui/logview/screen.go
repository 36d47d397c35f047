package logview

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/logs"
)

// screenKind is a view that replaces the lines until esc.
type screenKind int

const (
	scrDetail        screenKind = iota // one line, JSON fields indented
	scrTemplates                       // templates seen only on the target
	scrTemplateLines                   // the held lines of one template
)

// screen is one level of the views over the lines. cur is the cursor in
// a list, or the first shown row of the detail.
type screen struct {
	kind   screenKind
	cur    int
	line   entry             // detail
	report []logs.TargetOnly // templates
	tmpl   string            // template lines
	lines  []entry           // template lines, oldest first
}

func (m *Model) push(s screen) {
	m.stack = append(m.stack[:len(m.stack):len(m.stack)], s) // copies never share a top
	m.syncKeys()
}

func (m *Model) pop() {
	m.stack = m.stack[:len(m.stack)-1]
	m.syncKeys()
}

func (m *Model) topScreen() *screen { return &m.stack[len(m.stack)-1] }

// openDetail shows the selected line; from following, the newest.
func (m *Model) openDetail() {
	m.pause()
	k := m.activeList()
	if len(m.buf.list(k)) == 0 {
		return
	}
	m.keepCursorVisible()
	m.push(screen{kind: scrDetail, line: *m.buf.at(m.sel.pos)})
}

// openTemplates shows the report over the last TemplateWindow.
func (m *Model) openTemplates() {
	ts := m.feed.Templates()
	if ts == nil {
		m.note = note{text: "templates are not collected for these logs", err: true}
		return
	}
	m.push(screen{kind: scrTemplates, report: ts.Report(TemplateWindow, m.opts.Now())})
}

// refreshTemplates renews an open report, keeping the cursor on the same
// template as counts reorder it.
func (m *Model) refreshTemplates() {
	if len(m.stack) == 0 || m.topScreen().kind != scrTemplates || m.feed.Templates() == nil {
		return
	}
	s := m.topScreen()
	var cur string
	if s.cur < len(s.report) {
		cur = s.report[s.cur].Template
	}
	s.report = m.feed.Templates().Report(TemplateWindow, m.opts.Now())
	s.cur = 0
	for i, r := range s.report {
		if r.Template == cur {
			s.cur = i
		}
	}
}

// updateScreen handles a key in the detail or templates views: esc (or
// q) goes back one level, enter goes one deeper, the rest moves.
func (m *Model) updateScreen(msg tea.KeyPressMsg) {
	k, s := m.keys, m.topScreen()
	page := max(m.linesRows()-2, 1)
	switch {
	case key.Matches(msg, k.Back):
		m.pop()
		return
	case key.Matches(msg, k.Open):
		m.openFromScreen(s)
		return
	case key.Matches(msg, k.Up):
		s.cur--
	case key.Matches(msg, k.Down):
		s.cur++
	case key.Matches(msg, k.PageUp):
		s.cur -= page
	case key.Matches(msg, k.PageDown):
		s.cur += page
	case key.Matches(msg, k.Top):
		s.cur = 0
	}
	s.cur = min(max(s.cur, 0), max(m.screenLen(s)-1, 0))
}

// screenLen is how far the cursor of a screen can go.
func (m Model) screenLen(s *screen) int {
	switch s.kind {
	case scrTemplates:
		return len(s.report)
	case scrTemplateLines:
		return len(s.lines)
	}
	return len(m.detailRows(s.line, m.w)) - (m.geom().body - 2) + 1
}

func (m *Model) openFromScreen(s *screen) {
	switch {
	case s.kind == scrTemplates && s.cur < len(s.report):
		t := s.report[s.cur].Template
		m.push(screen{kind: scrTemplateLines, tmpl: t, lines: m.templateLines(t)})
	case s.kind == scrTemplateLines && s.cur < len(s.lines):
		m.push(screen{kind: scrDetail, line: s.lines[s.cur]})
	}
}

// screenView draws the top screen into n rows.
func (m Model) screenView(n int) []string {
	s := m.stack[len(m.stack)-1]
	switch s.kind {
	case scrTemplates:
		return m.templatesView(s, n)
	case scrTemplateLines:
		return m.templateLinesView(s, n)
	}
	return m.detailView(s, n)
}
