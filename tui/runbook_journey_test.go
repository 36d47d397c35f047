package tui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestJourneyApplyAStep drives the real program loop: open the runbook,
// apply orders-api with the confirmation, watch its progress arrive
// through the live wait, see it applied, quit. It asserts on the screen,
// on the calls the runbook got, and that quitting ended the screen's wait.
func TestJourneyApplyAStep(t *testing.T) {
	t.Parallel()
	fb := newFakeRunbook()
	fb.holdApply()
	cfg := scenarioConfig(newFakeInventory(t))
	cfg.Runbook = fb
	tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(120, 40))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second))
	}
	waitFor("refund-worker")
	tm.Type("r")
	waitFor("journal")
	tm.Type("jjja")
	waitFor(`Type "y" to apply it`)
	tm.Type("y")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitChan(t, fb.started, "Apply to start")
	fb.set(func(s *runbook.Snapshot) {
		s.Busy = ordersAPIStep
		setStep(s, ordersAPIStep, func(v *runbook.StepView) {
			v.State = runbook.StateApplying
			v.Progress = &runbook.Progress{Done: 3, Total: 7, Message: "Deployment orders/orders-api"}
		})
	})
	waitFor("3/7")
	close(fb.release)
	waitFor("v verifies it")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	r := rbScreen(final)
	if r == nil {
		t.Fatal("no runbook screen at the end")
	}
	if v, _ := r.selected(); v.ID != ordersAPIStep || v.State != runbook.StateApplied {
		t.Errorf("final step %s is %s, want %s applied", v.ID, v.State, ordersAPIStep)
	}
	if got := fb.Calls(); len(got) != 1 || got[0] != "apply "+ordersAPIStep {
		t.Errorf("calls %q", got)
	}
	if r.ctx.Err() == nil {
		t.Error("quitting left the runbook's wait running")
	}
}
