package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// prompt is the one-line text entry of the / filter and the : command line.
// bubbles' textinput would do, but it pulls in a clipboard module the
// build does not carry; the cockpit needs only typing at the end, erasing
// and pasting, so this is that and no more.
type prompt struct {
	prefix  string // "/" or ":"
	value   []rune
	focused bool
}

// Focus starts editing, keeping what was typed before.
func (p *prompt) Focus() { p.focused = true }

// Blur stops editing; the value stays.
func (p *prompt) Blur() { p.focused = false }

// Reset clears the value and stops editing.
func (p *prompt) Reset() {
	p.value = nil
	p.focused = false
}

// Value is the text typed so far.
func (p *prompt) Value() string { return string(p.value) }

// SetValue replaces the text.
func (p *prompt) SetValue(s string) { p.value = []rune(s) }

// Update edits the value on a key or paste and reports whether it changed.
// Control characters in a paste are dropped: the value ends up on screen.
func (p *prompt) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		return p.insert(msg.Content)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if len(p.value) == 0 {
				return false
			}
			p.value = p.value[:len(p.value)-1]
			return true
		case "ctrl+u":
			p.value = nil
			return true
		case "ctrl+w":
			p.value = []rune(strings.TrimRight(strings.TrimRightFunc(string(p.value), notSpace), " "))
			return true
		}
		return p.insert(msg.Text)
	}
	return false
}

func notSpace(r rune) bool { return r != ' ' }

func (p *prompt) insert(s string) bool {
	n := len(p.value)
	for _, r := range s {
		if r >= ' ' && r != 0x7f {
			p.value = append(p.value, r)
		}
	}
	return len(p.value) != n
}

// View renders the prompt in width cells. While editing, a block marks
// where typing goes and the start is cut ("…") so the end stays in view.
func (p *prompt) View(width int) string {
	s := p.prefix + string(p.value)
	if p.focused {
		s += "█"
	}
	if w := ansi.StringWidth(s); w > width && width > 1 {
		return ansi.TruncateLeft(s, w-width+1, "…")
	}
	return s
}
