package logview

import (
	"errors"
	"regexp"
	"regexp/syntax"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/logs"
	"github.com/ferry-dev/ferry/tui/internal/input"
)

// promptKind says which of the three regex controls a prompt edits.
type promptKind int

const (
	promptNone promptKind = iota
	promptInclude
	promptExclude
	promptHighlight
)

var promptNames = [...]string{"", "include", "exclude", "highlight"}

// prompt is the filter input on the message row: the cockpit's input (a
// bubbles textinput; see package input). err holds why the last pattern
// was refused; the prompt stays open so it can be fixed.
type prompt struct {
	kind  promptKind
	input input.Model
	err   string
}

func (p prompt) open() bool { return p.kind != promptNone }

// pattern is the current pattern of a control, to edit rather than
// retype.
func (f filterSet) pattern(k promptKind) string {
	if re := f.get(k); re != nil {
		return re.String()
	}
	return ""
}

// filterSet adapts logs.Filter to the prompt kinds.
type filterSet struct{ *logs.Filter }

func (f filterSet) get(k promptKind) *regexp.Regexp {
	switch k {
	case promptInclude:
		return f.Include
	case promptExclude:
		return f.Exclude
	case promptHighlight:
		return f.Highlight
	}
	return nil
}

func (f filterSet) set(k promptKind, re *regexp.Regexp) {
	switch k {
	case promptInclude:
		f.Include = re
	case promptExclude:
		f.Exclude = re
	case promptHighlight:
		f.Highlight = re
	}
}

// openPrompt focuses the input for one control, filled with its pattern.
func (m *Model) openPrompt(k promptKind) {
	m.prompt.kind, m.prompt.err = k, ""
	m.prompt.input.SetValue(filterSet{&m.flt}.pattern(k))
	m.prompt.input.Focus()
	m.syncKeys()
}

func (m *Model) closePrompt() {
	m.prompt.kind, m.prompt.err = promptNone, ""
	m.prompt.input.Blur()
	m.syncKeys()
}

// updatePrompt handles a key while the prompt has focus: enter applies,
// esc cancels, the rest edits.
func (m *Model) updatePrompt(msg tea.KeyPressMsg) {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.closePrompt()
	case key.Matches(msg, m.keys.Accept):
		m.applyPrompt()
	default:
		if m.prompt.input.Update(msg) {
			m.prompt.err = "" // a refusal was about the text as it was
		}
	}
}

// applyPrompt compiles the pattern; an empty one turns the control off.
// A refused pattern keeps the previous filter and the prompt open.
func (m *Model) applyPrompt() {
	k, text := m.prompt.kind, m.prompt.input.Value()
	var re *regexp.Regexp
	if text != "" {
		var err error
		if re, err = regexp.Compile(text); err != nil {
			m.prompt.err = regexError(err)
			return
		}
	}
	m.closePrompt()
	fs := filterSet{&m.flt}
	if fs.pattern(k) == text {
		return
	}
	fs.set(k, re)
	if k != promptHighlight { // highlighting never hides a line
		m.refilter()
	}
}

// regexError is the part of a compile error a person needs: "missing
// closing )" rather than Go's full "error parsing regexp: ..." sentence.
func regexError(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return "invalid regex: " + se.Code.String() + " (esc keeps the old filter)"
	}
	return "invalid regex: " + err.Error() + " (esc keeps the old filter)"
}

// refilter decides every held line again and puts the cursor back on the
// nearest line that still shows.
func (m *Model) refilter() {
	m.buf.refilter(m.flt)
	m.fresh = 0
	if !m.follow {
		k := m.activeList()
		m.sel, m.top = m.snap(k, m.sel), m.snap(k, m.top)
		m.keepCursorVisible()
	}
}
