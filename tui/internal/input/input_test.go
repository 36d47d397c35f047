package input

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func newInput(noColor bool, value string) Model {
	st := Styles(lipgloss.NewStyle(), lipgloss.NewStyle().Foreground(lipgloss.Color("245")))
	if noColor {
		st = Styles(lipgloss.NewStyle(), lipgloss.NewStyle())
	}
	m := New("/", st, noColor)
	m.SetValue(value)
	m.Focus()
	return m
}

func left(m *Model, n int) {
	for range n {
		m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	}
}

// An overlong value loses its start, so the cursor at the end and what was
// typed last stay in view; moving left scrolls back. Never wider than asked.
func TestViewScrollsAndFits(t *testing.T) {
	t.Parallel()
	const value = "orders/fulfillment-worker-0123456789"
	for i, noColor := range []bool{false, true, false, true} {
		for width := 1; width <= len(value)+4; width++ {
			m := newInput(noColor, value)
			if i >= 2 {
				m.SetSuggestions([]string{value + "-and-a-suggestion"})
			}
			for back := range len(value) + 1 {
				v := m.View(width)
				if w := ansi.StringWidth(v); w > width {
					t.Fatalf("noColor %v width %d, %d left: %d cells: %q", noColor, width, back, w, v)
				}
				if noColor && strings.ContainsRune(v, '\x1b') {
					t.Fatalf("width %d, %d left: escape byte: %q", width, back, v)
				}
				left(&m, 1)
			}
		}
	}
	m := newInput(true, value)
	if got := m.View(12); got != "/0123456789█" {
		t.Errorf("end of an overlong value: %q", got)
	}
	left(&m, len(value))
	if got := m.View(12); got != "/▏orders/ful" {
		t.Errorf("start of an overlong value: %q", got)
	}
	// The same value and cursor look the same whatever width came before.
	m = newInput(true, value)
	left(&m, 3)
	_ = m.View(5)
	if a, b := m.View(20), newView(value, 3, 20); a != b {
		t.Errorf("view depends on an earlier width: %q, fresh %q", a, b)
	}
}

func TestViewSuggestion(t *testing.T) {
	t.Parallel()
	m := newInput(true, "ord")
	m.SetSuggestions([]string{"orders/api"})
	if got := m.View(16); got != "/ord█ers/api" {
		t.Errorf("a suggestion: %q", got)
	}
	const long = "orders/fulfillment-worker-0123456789"
	m = newInput(true, long)
	m.SetSuggestions([]string{long + "-ab"})
	if got := m.View(16); got != "/ker-0123456789█" {
		t.Errorf("an overlong value has no room for its suggestion: %q", got)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	if got := m.Value(); got != long+"-ab" {
		t.Errorf("tab still takes the suggestion not shown: %q", got)
	}
}

// A paste changes what matches: tab must not complete the text as it
// was before it.
func TestPasteMatchesSuggestionsAgain(t *testing.T) {
	t.Parallel()
	m := newInput(true, "")
	m.SetSuggestions([]string{"svc ledger"})
	for _, r := range "svc l" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m.Update(tea.PasteMsg{Content: "xyz"})
	if got := m.View(20); got != "/svc lxyz█" {
		t.Errorf("after the paste: %q", got)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	if got := m.Value(); got != "svc lxyz" {
		t.Errorf("tab after the paste: %q", got)
	}
}

func newView(value string, back, width int) string {
	m := newInput(true, value)
	left(&m, back)
	return m.View(width)
}

func TestPlainCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in                string
		atEnd, suggesting bool
		want              string
	}{
		{"/abc\x1b[7m \x1b[m", true, false, "/abc█"},
		{"/a\x1b[7mb\x1b[mc", false, false, "/a▏bc"},
		{"/a\x1b[7m \x1b[mc", false, false, "/a▏ c"},
		{"/svc\x1b[7m \x1b[mledger", true, true, "/svc█ ledger"},
		{"/abc", true, false, "/abc"},
	}
	for _, tt := range tests {
		if got := plainCursor(tt.in, tt.atEnd, tt.suggesting); got != tt.want {
			t.Errorf("plainCursor(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUpdateReportsChange(t *testing.T) {
	t.Parallel()
	m := newInput(false, "ab")
	if m.Update(tea.KeyPressMsg{Code: tea.KeyLeft}) {
		t.Error("moving the cursor is not a change")
	}
	if !m.Update(tea.KeyPressMsg{Code: 'x', Text: "x"}) || m.Value() != "axb" {
		t.Errorf("typing in the middle: %q", m.Value())
	}
	if m.Update(tea.PasteMsg{Content: "\x1b\r\n\t"}) {
		t.Error("a paste of control characters only is not a change")
	}
	if m.Update(tea.KeyPressMsg{Code: 'v', Mod: tea.ModCtrl}) {
		t.Error("ctrl+v must not read the clipboard")
	}
	m.Blur()
	if m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"}) {
		t.Error("a blurred input took a key")
	}
}
