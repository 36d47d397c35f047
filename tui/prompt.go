package tui

import "github.com/ferry-dev/ferry/tui/internal/input"

// prompt is the one-line text entry of the / filter and the : command
// line: Focus, Blur, Reset, Value, SetValue, Update(msg) bool and
// View(width). It is the log pane's input too; see package input for
// what it adds to bubbles' textinput.
type prompt = input.Model

func newPrompt(prefix string, st *styles, keys *keyMap) prompt {
	p := input.New(prefix, st.input, st.noColor)
	p.SetCompleteKey(keys.Complete)
	return p
}
