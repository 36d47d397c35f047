package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// applyingInvoices is the scenario with the invoice renderer's clone
// applying in this process, three objects of seven done.
func applyingInvoices(s *runbook.Snapshot) {
	s.Busy = "clone/orders/invoice-renderer"
	setStep(s, s.Busy, func(v *runbook.StepView) {
		v.State, v.Action, v.Outcome = runbook.StateApplying, runbook.ActionApply, runbook.OutcomeStarted
		v.Progress = &runbook.Progress{Done: 3, Total: 7, Message: "Deployment orders/invoice-renderer"}
	})
}

func protectedProduction(c *Config) { c.Protected, c.Environment = true, "production" }

// TestRunbookGoldenScreens renders the runbook screen at 80x24 and
// 160x48, ANSI stripped; `go test ./tui -update` rewrites testdata/.
func TestRunbookGoldenScreens(t *testing.T) {
	t.Parallel()
	toOrdersAPI := keys("r", "j", "j", "j")
	tests := []struct {
		name string
		snap func(*runbook.Snapshot)
		edit func(*Config)
		msgs []tea.Msg
	}{
		// Every state but applying; orders-api's change set below.
		{name: "runbook", msgs: toOrdersAPI},
		{name: "runbook_failed", msgs: keys("r", "j")},
		{name: "runbook_applying", snap: applyingInvoices, msgs: keys("r", "j", "j")},
		{name: "runbook_diff_scrolled", msgs: append(toOrdersAPI, keys("enter", "pgdown")...)},
		{name: "runbook_confirm_protected", edit: protectedProduction, msgs: append(toOrdersAPI, keys("a")...)},
		{name: "runbook_skip_reason", msgs: append(keys("r", "G", "x"), typed("moves in Q3")...)},
		{name: "runbook_readonly", edit: func(c *Config) { c.ReadOnly = true }, msgs: toOrdersAPI},
		{name: "runbook_help", msgs: keys("r", "?")},
		{name: "runbook_help_readonly", edit: func(c *Config) { c.ReadOnly = true }, msgs: keys("r", "?")},
		{name: "runbook_nocolor", edit: noColor, msgs: toOrdersAPI},
		{name: "runbook_unavailable", edit: func(c *Config) {
			c.Runbook, c.RunbookErr = nil, "open journal ferry.journal.jsonl: permission denied"
		}, msgs: keys("r")},
	}
	for _, tt := range tests {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%s_%dx%d", tt.name, w, h), func(t *testing.T) {
				t.Parallel()
				fb := newFakeRunbook()
				if tt.snap != nil {
					fb.set(tt.snap)
				}
				edits := []func(*Config){withRunbook(fb)}
				if tt.edit != nil {
					edits = append(edits, tt.edit)
				}
				m, _ := newTestModel(t, w, h, edits...)
				m = step(t, m, tt.msgs...)
				if rbScreen(m) == nil {
					t.Fatal("no runbook screen")
				}
				checkFrame(t, m, w, h)
				out := screenText(m)
				if strings.Contains(out, secretValue) {
					t.Fatalf("the screen shows the Secret's value:\n%s", out)
				}
				golden.RequireEqual(t, out)
			})
		}
	}
}

// TestRunbookNoColor: with NO_COLOR the runbook keeps its icons and
// markers and carries no escape sequence; with colour it does colour.
func TestRunbookNoColor(t *testing.T) {
	t.Parallel()
	for _, msgs := range [][]tea.Msg{nil, keys("enter"), keys("j", "a"), keys("?")} {
		m, _ := newRunbookModel(t, 80, 24, "clone/orders/orders-api", noColor)
		m = step(t, m, msgs...)
		raw := m.View().Content
		if strings.ContainsRune(raw, '\x1b') {
			t.Errorf("NO_COLOR view has an escape sequence:\n%q", raw)
		}
		if msgs == nil {
			for _, icon := range []string{"✓", "✗", "⚠", "○", "●", "↺", "–", "·"} {
				if !strings.Contains(raw, icon) {
					t.Errorf("NO_COLOR view lacks the icon %q", icon)
				}
			}
		}
	}
	m, _ := newRunbookModel(t, 80, 24, "")
	if !strings.ContainsRune(m.View().Content, '\x1b') {
		t.Error("the coloured runbook has no escape sequence")
	}
}

// TestRunbookTinyTerminal: below 80x24 the runbook still fits the frame,
// the question included.
func TestRunbookTinyTerminal(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{40, 10}, {20, 6}, {79, 23}} {
		m, _ := newRunbookModel(t, size[0], size[1], ordersAPIStep)
		for _, msgs := range [][]tea.Msg{nil, keys("enter", "G"), keys("enter", "x")} {
			m = step(t, m, msgs...)
			checkFrame(t, m, size[0], size[1])
		}
		if !rbScreen(m).Capturing() {
			t.Errorf("%dx%d: x did not ask for a reason", size[0], size[1])
		}
	}
}
