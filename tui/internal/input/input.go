// Package input is the cockpit's one-line text entry, shared by the
// services filter, the command line and the log pane's filter prompts: a
// bubbles textinput with the cockpit's rules around it.
//
//   - Control characters never reach the value, line breaks and tabs
//     included: textinput would turn those into spaces, and a pasted
//     line's trailing newline would end a filter with a space that
//     matches nothing.
//   - ctrl+v does not read the system clipboard (that would run xclip or
//     pbpaste on every press); the terminal's own paste arrives as a
//     tea.PasteMsg.
//   - The cursor is steady, so no blink timer runs and Update never
//     returns a command.
//   - With NO_COLOR the cursor is a marker character instead of reverse
//     video, so the view carries no escape sequence.
package input

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Model is a one-line editor. The zero value is not usable; call New.
type Model struct {
	in      textinput.Model
	noColor bool
}

// Styles dresses an input: the prefix and the text as typed in text, a
// completion in suggestion, and a steady reverse-video cursor in the
// terminal's colours. Build it once, with the rest of a package's styles.
func Styles(text, suggestion lipgloss.Style) textinput.Styles {
	state := textinput.StyleState{Text: text, Placeholder: suggestion, Suggestion: suggestion, Prompt: text}
	return textinput.Styles{Focused: state, Blurred: state, Cursor: textinput.CursorStyle{Blink: false}}
}

// New returns a blurred, empty input drawn after prefix. With noColor the
// styles must be plain (Styles of empty styles).
func New(prefix string, st textinput.Styles, noColor bool) Model {
	in := textinput.New()
	in.Prompt = prefix
	in.SetStyles(st)
	in.KeyMap.Paste.SetEnabled(false)
	return Model{in: in, noColor: noColor}
}

// Focused reports whether the input takes the keys.
func (m *Model) Focused() bool { return m.in.Focused() }

// Focus starts editing, keeping what was typed before.
func (m *Model) Focus() { m.in.Focus() }

// Blur stops editing; the value stays.
func (m *Model) Blur() { m.in.Blur() }

// Reset clears the value and stops editing.
func (m *Model) Reset() {
	m.in.Reset()
	m.in.Blur()
	m.matchSuggestions()
}

// Value is the text typed so far.
func (m *Model) Value() string { return m.in.Value() }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.in.SetValue(printable(s))
	m.in.CursorEnd()
	m.matchSuggestions()
}

// SetSuggestions sets the completions: the first one the value is a
// prefix of shows after the cursor, up and down pick another, and the
// complete key (tab) takes it.
func (m *Model) SetSuggestions(s []string) {
	m.in.ShowSuggestions = true
	m.in.SetSuggestions(s)
}

// matchSuggestions matches the suggestions against the value again:
// textinput does so after a key only, and would offer (and complete with)
// the match of the text as it was before a paste.
func (m *Model) matchSuggestions() {
	if m.in.ShowSuggestions {
		m.in.SetSuggestions(m.in.AvailableSuggestions())
	}
}

// SetCompleteKey sets the key that takes a suggestion, so the help and
// the input agree.
func (m *Model) SetCompleteKey(b key.Binding) { m.in.KeyMap.AcceptSuggestion = b }

// Update edits the value on a key or paste and reports whether it changed.
// Keys are textinput's: left/right, home/end, ctrl+a/e/b/f, backspace,
// delete, ctrl+u/k (erase before/after the cursor), ctrl+w (a word).
func (m *Model) Update(msg tea.Msg) bool {
	paste, isPaste := msg.(tea.PasteMsg)
	if isPaste {
		msg = tea.PasteMsg{Content: printable(paste.Content)}
	}
	before := m.in.Value()
	m.in, _ = m.in.Update(msg) // steady cursor, no clipboard: never a command
	if isPaste {
		m.matchSuggestions()
	}
	return m.in.Value() != before
}

// View renders the input in at most width cells. An overlong value
// scrolls with textinput's window: it ends at the value's end, so the
// start is cut, unless the cursor is left of it. The window is worked out
// afresh on a copy, so the same value and cursor look the same whatever
// width the caller gave last time.
func (m *Model) View(width int) string {
	in := m.in
	pos, n := in.Position(), len([]rune(in.Value()))
	atEnd := pos == n
	suggesting := atEnd && in.Focused() && len([]rune(in.CurrentSuggestion())) > n
	room := width - ansi.StringWidth(in.Prompt) - 1 // a cell for the cursor
	if suggesting && ansi.StringWidth(in.Value()) >= room {
		// textinput (v2.2.1) takes the character under the cursor from
		// the wrong place in the suggestion once the value scrolls; a
		// value that long leaves no room to show one anyway. Tab still
		// takes it: this is the copy.
		in.SetSuggestions(nil)
		suggesting = false
	}
	if m.noColor && (!atEnd || suggesting) {
		room-- // the marker is a cell of its own
	}
	in.SetWidth(max(room, 1)) // 0 would mean no limit
	in.CursorEnd()
	in.SetCursor(pos)
	s := in.View()
	if m.noColor {
		s = plainCursor(s, atEnd, suggesting)
	}
	// textinput pads to its width; trailing spaces only widen the line.
	return ansi.Truncate(strings.TrimRight(s, " "), max(width, 0), "")
}

// plainCursor swaps the virtual cursor's reverse video, the only escape
// sequence in a rendering with plain styles, for a marker: a block where
// the value ends (in place of textinput's blank cell, or before the rest
// of a suggestion), else a bar before the character under the cursor.
func plainCursor(s string, atEnd, suggesting bool) string {
	i := strings.IndexByte(s, ansi.ESC)
	if i < 0 {
		return s
	}
	rest := ansi.Strip(s[i:])
	switch {
	case atEnd && !suggesting:
		_, n := utf8.DecodeRuneInString(rest)
		return s[:i] + "█" + rest[n:]
	case atEnd:
		return s[:i] + "█" + rest
	}
	return s[:i] + "▏" + rest
}

// printable drops control characters (C0, DEL, C1) and invalid UTF-8.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}
