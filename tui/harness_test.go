package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// cmdWait is how long a test waits for a command's message. Commands that
// answer at once (loads, status lines) beat it by far; the ones that block
// (the inventory wait, the clock) are left behind, as a real program would
// leave them running.
const cmdWait = 300 * time.Millisecond

// newTestModel is the cockpit on the scenario at a size.
func newTestModel(t testing.TB, w, h int, edit ...func(*Config)) (Model, *fakeInventory) {
	t.Helper()
	inv := newFakeInventory(t)
	cfg := scenarioConfig(inv)
	for _, e := range edit {
		e(&cfg)
	}
	m := New(cfg)
	t.Cleanup(m.close)
	return step(t, m, tea.WindowSizeMsg{Width: w, Height: h}), inv
}

// step sends msgs in order and feeds back what their commands produce, the
// way the program loop would.
func step(t testing.TB, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	var tm tea.Model = m
	for _, msg := range msgs {
		tm = feed(tm, msg, 0)
	}
	return tm.(Model)
}

func feed(m tea.Model, msg tea.Msg, depth int) tea.Model {
	m, cmd := m.Update(msg)
	if depth > 8 {
		return m
	}
	for _, out := range runCmd(cmd) {
		m = feed(m, out, depth+1)
	}
	return m
}

// runCmd runs a command (a batch's commands side by side) and returns the
// messages that arrived within cmdWait, in the batch's order.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	first := within([]tea.Cmd{cmd})[0]
	batch, ok := first.(tea.BatchMsg)
	if !ok {
		if first == nil {
			return nil
		}
		return []tea.Msg{first}
	}
	var out []tea.Msg
	for _, msg := range within(batch) {
		if msg != nil {
			out = append(out, runCmd(func() tea.Msg { return msg })...)
		}
	}
	return out
}

func within(cmds []tea.Cmd) []tea.Msg {
	out := make([]tea.Msg, len(cmds))
	type result struct {
		i   int
		msg tea.Msg
	}
	ch := make(chan result, len(cmds))
	n := 0
	for i, c := range cmds {
		if c == nil {
			continue
		}
		n++
		go func() { ch <- result{i, c()} }()
	}
	deadline := time.After(cmdWait)
	for ; n > 0; n-- {
		select {
		case r := <-ch:
			out[r.i] = r.msg
		case <-deadline:
			return out
		}
	}
	return out
}

// keys turns "j", "enter", "ctrl+c", "shift+tab" ... into key presses.
func keys(names ...string) []tea.Msg {
	special := map[string]tea.Key{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp}, "backspace": {Code: tea.KeyBackspace},
		"ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "space": {Code: tea.KeySpace, Text: " "},
		"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
		"ctrl+u": {Code: 'u', Mod: tea.ModCtrl}, "ctrl+w": {Code: 'w', Mod: tea.ModCtrl},
	}
	var msgs []tea.Msg
	for _, n := range names {
		if k, ok := special[n]; ok {
			msgs = append(msgs, tea.KeyPressMsg(k))
			continue
		}
		for _, r := range n {
			msgs = append(msgs, tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	return msgs
}

// typed is each rune of s as a key press.
func typed(s string) []tea.Msg { return keys(s) }

// screenText is the view with escape sequences stripped.
func screenText(m Model) string { return ansi.Strip(m.View().Content) }

// checkFrame asserts the view fills the terminal exactly: height lines,
// none wider than the width.
func checkFrame(t *testing.T, m Model, w, h int) {
	t.Helper()
	lines := strings.Split(screenText(m), "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, ansi.StringWidth(l), w, l)
		}
	}
}

func cursorKey(m Model) string {
	return m.stack[0].(*servicesScreen).cursorKey
}
