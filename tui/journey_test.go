package tui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// TestJourneyFindTheDrift drives the real program loop: filter to the
// drifted ledger, open it, see the seeded drift, take a live update, quit.
// It asserts on the screen and on the final model.
func TestJourneyFindTheDrift(t *testing.T) {
	t.Parallel()
	inv := newFakeInventory(t)
	tm := teatest.NewTestModel(t, New(scenarioConfig(inv)), teatest.WithInitialTermSize(100, 30))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second))
	}
	waitFor("refund-worker")
	tm.Type("/drifted")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Type("j")
	waitFor("3 of 8")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(`value: "250"`)
	inv.set(withState(inv.snap, "payments/ledger", inventory.StateInSync))
	waitFor("in sync")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	d, ok := final.top().(*detailScreen)
	if !ok || d.key != "payments/ledger" || d.pair.State != inventory.StateInSync {
		t.Errorf("final screen %T %q", final.top(), final.top().Title())
	}
	select {
	case <-final.done:
	default:
		t.Error("quit left the inventory wait running")
	}
}
