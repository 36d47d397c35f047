package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// markedAmongLogs is the 10% stage applied 25 s ago, between the lines
// withLogs serves, and a marker of another service's step that must not
// show in orders-api's logs.
func markedAmongLogs(snap *runbook.Snapshot, _ *cutover.Status) {
	id := cutover.StepID("orders-api", 10)
	setStep(snap, id, func(v *runbook.StepView) {
		v.State, v.Applied, v.Undo = runbook.StateApplied, true, []runbook.UndoRef{{File: "10"}}
	})
	snap.Steps = append(snap.Steps, runbook.StepView{ID: "cutover/ledger/10", Kind: cutover.Kind, Namespace: "payments", Service: "ledger"})
	snap.Events = append(snap.Events,
		markerEvent(now.Add(-25*time.Second), id, "cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10)"),
		markerEvent(now.Add(-24*time.Second), "cutover/ledger/10", "cutover: 10% of ledger to EKS"),
		runbook.Event{Time: now.Add(-23 * time.Second), Step: id, Action: runbook.ActionApply, Outcome: runbook.OutcomeOK})
}

// TestCutoverMarkersInLogs: the logs of the cutover's service show its
// markers among the lines at their times, only that service's, and a
// marker journaled while the logs are open arrives on the clock's tick.
func TestCutoverMarkersInLogs(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	f.edit(markedAmongLogs)
	m := newCutoverModel(t, 120, 30, f, withLogs)
	m = step(t, m, keys("l")...)
	if _, ok := m.top().(*logsScreen); !ok {
		t.Fatalf("l opened %T, want the logs", m.top())
	}
	out := screenText(m)
	at := strings.Index(out, "── cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10) ──")
	if at < 0 {
		t.Fatalf("no marker in the logs:\n%s", out)
	}
	if !strings.Contains(out[:at], `posted batch 102`) || strings.Contains(out[:at], `posted batch 103`) {
		t.Errorf("the marker is not between batch 102 and 103:\n%s", out)
	}
	if strings.Contains(out, "ledger to EKS") {
		t.Errorf("another service's marker shows:\n%s", out)
	}

	f.edit(func(snap *runbook.Snapshot, _ *cutover.Status) {
		snap.Events = append(snap.Events, markerEvent(now.Add(-21*time.Second), cutover.StepID("orders-api", 10),
			"cutover: rolled back the 10% stage, traffic at route53 shop.acme.example. CNAME 100/0"))
	})
	m = step(t, m, tickMsg{})
	if out := screenText(m); !strings.Contains(out, "── cutover: rolled back the 10% stage") {
		t.Errorf("the new marker did not arrive on the tick:\n%s", out)
	}
}
