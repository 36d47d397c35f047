package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpScreen is the full help: every key and command, grouped by where it
// works, in as many columns as the width allows.
type helpScreen struct {
	keys          *keyMap
	st            *styles
	groups        []helpGroup
	width, height int
}

// newHelpScreen lists the cockpit's groups, the runbook's over the
// runbook, the cutover's over the cutover, and for a screen the groups do
// not cover (the logs pane), that screen's own full help.
func newHelpScreen(keys *keyMap, st *styles, below screen) *helpScreen {
	groups := keys.groups()
	switch below.(type) {
	case *servicesScreen, *detailScreen:
	case *runbookScreen:
		groups = keys.runbookGroups()
	case *cutoverScreen:
		groups = keys.cutoverGroups()
	default:
		var own []key.Binding
		for _, col := range below.FullHelp() {
			own = append(own, col...)
		}
		if len(own) > 0 {
			groups = append(groups, helpGroup{title: below.Title(), bindings: own})
		}
	}
	return &helpScreen{keys: keys, st: st, groups: groups}
}

func (h *helpScreen) Title() string             { return "help" }
func (h *helpScreen) Capturing() bool           { return false }
func (h *helpScreen) Close()                    {}
func (h *helpScreen) SetSize(width, height int) { h.width, h.height = width, height }
func (h *helpScreen) Update(tea.Msg) tea.Cmd    { return nil }
func (h *helpScreen) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }
func (h *helpScreen) ShortHelp() []key.Binding  { return nil }

const helpColumnWidth = 38

// View lays the groups out in as many columns as fit (two at 80 columns,
// four at 160), each column filled to about the same height.
func (h *helpScreen) View() string {
	blocks := make([][]string, 0, len(h.groups))
	for _, g := range h.groups {
		blocks = append(blocks, h.block(g))
	}
	cols := balance(blocks, max(1, min(len(blocks), h.width/helpColumnWidth)))
	var lines []string
	for row := 0; ; row++ {
		var b strings.Builder
		more := false
		for _, c := range cols {
			if row < len(c) {
				b.WriteString(padRight(c[row], helpColumnWidth))
				more = true
			} else {
				b.WriteString(strings.Repeat(" ", helpColumnWidth))
			}
		}
		if !more {
			return strings.Join(lines, "\n")
		}
		lines = append(lines, b.String())
	}
}

// balance splits the blocks, in order, into at most n columns as evenly
// as it can: the lowest height at which filling columns greedily needs
// no more than n of them.
func balance(blocks [][]string, n int) [][]string {
	total := 0
	for _, b := range blocks {
		total += len(b) + 1
	}
	for height := 1; ; height++ {
		if cols := fill(blocks, height); len(cols) <= n || height >= total {
			return cols
		}
	}
}

func fill(blocks [][]string, height int) [][]string {
	cols := [][]string{nil}
	for _, b := range blocks {
		c := &cols[len(cols)-1]
		if len(*c) > 0 && len(*c)+1+len(b) > height {
			cols = append(cols, nil)
			c = &cols[len(cols)-1]
		}
		if len(*c) > 0 {
			*c = append(*c, "")
		}
		*c = append(*c, b...)
	}
	return cols
}

func (h *helpScreen) block(g helpGroup) []string {
	lines := []string{h.st.helpGroup.Render(g.title)}
	for _, b := range g.bindings {
		if !b.Enabled() {
			continue
		}
		hk := b.Help()
		lines = append(lines, "  "+h.st.helpKey.Render(padRight(hk.Key, 11))+" "+
			h.st.hDesc.Render(ansi.Truncate(hk.Desc, helpColumnWidth-15, "…")))
	}
	return lines
}
