package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// targetDown is the scenario with the EKS apiserver unreachable since
// before ferry listed it: every pair's target side is unknown.
func targetDown(cfg *Config) {
	inv := cfg.Inventory.(*fakeInventory)
	snap := inv.snap
	snap.Target = inventory.SideState{Name: "EKS", Health: inventory.HealthDown, Since: now.Add(-2 * time.Minute),
		Error: `Get "https://127.0.0.1:16443/api?timeout=32s": dial tcp 127.0.0.1:16443: connect: connection refused`}
	pairs := make([]inventory.Pair, len(snap.Pairs))
	for i, p := range snap.Pairs {
		p.Target, p.Drift, p.References, p.State = nil, nil, nil, inventory.StateUnknown
		pairs[i] = p
	}
	snap.Pairs = pairs
	inv.snap = snap
}

func svc(name string) []tea.Msg {
	return append(keys(":"), append(typed("svc "+name), keys("enter")...)...)
}

// TestGoldenScreens renders every screen at 80x24 and 160x48, ANSI
// stripped; `go test ./tui -update` rewrites testdata/. Review the diffs
// like code: aligned columns, clean cuts, nothing lost that fits.
func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Config)
		msgs []tea.Msg
	}{
		{name: "services"},
		{name: "services_filtered", msgs: keys("/", "pay")},
		{name: "services_ns_sorted", msgs: append(svcNS("orders"), keys("s", "S")...)},
		{name: "detail_diff", msgs: svc("payments/ledger")},
		{name: "detail_diff_unfolded", msgs: append(svc("orders-api"), keys("f")...)},
		{name: "detail_env", msgs: append(svc("orders-api"), keys("2")...)},
		{name: "detail_aws", msgs: append(svc("refund-worker"), keys("3")...)},
		{name: "detail_events", msgs: append(svc("fulfillment-worker"), keys("4")...)},
		{name: "help", msgs: keys("?")},
		{name: "command", msgs: append(keys(":"), typed("svc led")...)},
		// Without colour the cursor and the suggestion show by the block.
		{name: "command_nocolor", edit: noColor, msgs: append(keys(":"), typed("svc led")...)},
		{name: "unknown_command", msgs: append(keys(":"), append(typed("deploy"), keys("enter")...)...)},
		{name: "logs_unavailable", msgs: keys("j", "l")},
		{name: "logs_merged", edit: withLogs, msgs: append(svc("payments/ledger"), keys("l")...)},
		{name: "logs_split", edit: withLogs, msgs: append(svc("payments/ledger"), keys("l", "s")...)},
		{name: "readonly", edit: func(c *Config) { c.ReadOnly, c.Protected, c.Environment = true, true, "production" }},
		{name: "target_down", edit: targetDown},
		{name: "nocolor", edit: func(c *Config) { c.NoColor = true }},
	}
	for _, tt := range tests {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%s_%dx%d", tt.name, w, h), func(t *testing.T) {
				t.Parallel()
				edits := []func(*Config){}
				if tt.edit != nil {
					edits = append(edits, tt.edit)
				}
				m, _ := newTestModel(t, w, h, edits...)
				m = step(t, m, tt.msgs...)
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

func svcNS(ns string) []tea.Msg {
	return append(keys(":"), append(typed("ns "+ns), keys("enter")...)...)
}

// TestNoColorHasNoEscapes: with NO_COLOR the raw view carries no escape
// sequence at all, on every screen.
func TestNoColorHasNoEscapes(t *testing.T) {
	t.Parallel()
	for _, msgs := range [][]tea.Msg{nil, svc("ledger"), append(svc("orders-api"), keys("2")...), keys("?"), keys("l")} {
		m, _ := newTestModel(t, 80, 24, func(c *Config) { c.NoColor = true; c.ReadOnly = true })
		m = step(t, m, msgs...)
		if raw := m.View().Content; strings.ContainsRune(raw, '\x1b') {
			t.Errorf("NO_COLOR view has an escape sequence:\n%q", raw)
		}
	}
	// And the coloured view does colour, or the test above proves nothing.
	m, _ := newTestModel(t, 80, 24)
	if !strings.ContainsRune(m.View().Content, '\x1b') {
		t.Error("the coloured view has no escape sequence")
	}
}

// TestViewSetsAltScreen: the cockpit owns the whole terminal.
func TestViewSetsAltScreen(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	if !m.View().AltScreen {
		t.Error("AltScreen not set")
	}
}

// TestTinyTerminal: below 80x24 the frame still fits, however little of
// it there is room for.
func TestTinyTerminal(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{40, 10}, {20, 6}, {79, 23}} {
		m, _ := newTestModel(t, size[0], size[1])
		for _, msgs := range [][]tea.Msg{nil, svc("ledger"), keys("?")} {
			checkFrame(t, step(t, m, msgs...), size[0], size[1])
		}
	}
}
