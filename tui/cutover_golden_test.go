package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestCutoverGoldenScreens renders the cutover screen at 80x24 and
// 160x48, ANSI stripped; `go test ./tui -update` rewrites testdata/.
func TestCutoverGoldenScreens(t *testing.T) {
	t.Parallel()
	// confirm10 applies the 10% stage from the screen; the fake holds it
	// in its dwell, started 40 s before the pinned clock, and the tick
	// brings the board's dwell to the screen.
	confirm10 := append(keys("a", "y", "enter"), tickMsg{})
	dwell := func(f *fakeCutover) { f.hold, f.start = true, now.Add(-40*time.Second) }
	tests := []struct {
		name  string
		fake  func(*fakeCutover)
		state func(*runbook.Snapshot, *cutover.Status)
		edit  func(*Config)
		msgs  []tea.Msg
	}{
		{name: "cutover_none", edit: func(c *Config) { c.Cutover = nil }},
		{name: "cutover_before"},
		{name: "cutover_dwelling", fake: dwell, msgs: confirm10},
		{name: "cutover_failed", state: failedAt50},
		{name: "cutover_interrupted", state: interruptedAt50},
		{name: "cutover_readonly", state: interruptedAt50, edit: func(c *Config) { c.ReadOnly = true }},
		{name: "cutover_confirm_protected", edit: protectedProduction, msgs: keys("a")},
		{name: "cutover_rollback_confirm", fake: dwell, msgs: append(confirm10, keys("u")...)},
		{name: "cutover_paused", fake: dwell, msgs: append(confirm10, keys("p")...)},
		// Applied from the runbook screen: u cannot stop it and says so.
		{name: "cutover_applying_elsewhere", state: dwellingAt10, msgs: keys("u")},
		{name: "cutover_help", msgs: keys("?")},
		// l opens the service's logs, the stage's marker among the lines.
		{name: "cutover_logs_markers", state: markedAmongLogs, edit: withLogs, msgs: keys("l")},
		{name: "cutover_no_runbook", edit: func(c *Config) {
			c.Runbook, c.RunbookErr = nil, "open journal ferry.journal.jsonl: permission denied"
		}},
	}
	for _, tt := range tests {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%s_%dx%d", tt.name, w, h), func(t *testing.T) {
				t.Parallel()
				f := newFakeCutover()
				if tt.fake != nil {
					tt.fake(f)
				}
				if tt.state != nil {
					f.edit(tt.state)
				}
				edits := []func(*Config){withCutover(f)}
				if tt.edit != nil {
					edits = append(edits, tt.edit)
				}
				m, _ := newTestModel(t, w, h, edits...)
				m = step(t, m, append(keys("c"), tt.msgs...)...)
				checkFrame(t, m, w, h)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// TestCutoverNoColor: with NO_COLOR the screen keeps its icons, bars and
// markers and carries no escape sequence; with colour the sides differ.
func TestCutoverNoColor(t *testing.T) {
	t.Parallel()
	for _, msgs := range [][]tea.Msg{nil, keys("a"), keys("u"), keys("?")} {
		f := newFakeCutover()
		f.edit(failedAt50)
		m := newCutoverModel(t, 80, 24, f, noColor)
		m = step(t, m, msgs...)
		raw := m.View().Content
		if strings.ContainsRune(raw, '\x1b') {
			t.Errorf("NO_COLOR view has an escape sequence:\n%q", raw)
		}
		if msgs == nil {
			for _, mark := range []string{"█", "░", "›", "✗", "●", "◆"} {
				if !strings.Contains(raw, mark) {
					t.Errorf("NO_COLOR view lacks %q:\n%s", mark, raw)
				}
			}
		}
	}
	f := newFakeCutover()
	f.edit(dwellingAt10)
	m := newCutoverModel(t, 80, 24, f)
	if !strings.ContainsRune(m.View().Content, '\x1b') {
		t.Error("the coloured cutover has no escape sequence")
	}
}

// TestCutoverTinyTerminal: below 80x24 the screen still fits the frame,
// the question included, and the question's prompt stays on screen.
func TestCutoverTinyTerminal(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{40, 10}, {20, 6}, {79, 23}, {60, 16}} {
		f := newFakeCutover()
		f.edit(failedAt50)
		m := newCutoverModel(t, size[0], size[1], f)
		checkFrame(t, m, size[0], size[1])
		m = step(t, m, keys("u")...)
		checkFrame(t, m, size[0], size[1])
		if !coScreen(m).Capturing() {
			t.Errorf("%dx%d: u did not ask", size[0], size[1])
		}
	}
}
