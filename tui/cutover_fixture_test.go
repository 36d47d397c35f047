package tui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// The cutover fixture: orders/orders-api moves from KOPS to EKS behind a
// Route53 weighted record and an ALB listener rule, in three stages.
const (
	r53Router = "route53 shop.acme.example. CNAME"
	albRouter = "alb orders-public/443"
)

func scenarioStages() []CutoverStage {
	return []CutoverStage{
		{ID: cutover.StepID("orders-api", 10), Percent: 10, Dwell: 2 * time.Minute},
		{ID: cutover.StepID("orders-api", 50), Percent: 50, Dwell: 5 * time.Minute},
		{ID: cutover.StepID("orders-api", 100), Percent: 100, Dwell: 5 * time.Minute, Auto: true},
	}
}

// fakeCutover plays the cutover engine behind both the Runbook and the
// Cutover the screen is given: Apply moves every router's weights,
// journals the marker and dwells (until released when hold is set, or its
// context ends); a gate set to fail rolls the weights back and fails the
// stage; Rollback puts back the weights the stage started from.
type fakeCutover struct {
	mu        sync.Mutex
	stages    []CutoverStage
	snap      runbook.Snapshot
	st        cutover.Status
	rbChanged chan struct{}
	coChanged chan struct{}
	calls     []string
	refreshes int

	hold     bool          // Apply dwells until release or its context
	release  chan struct{} // one receive ends one dwell
	dwelling chan string   // gets the stage once it dwells
	failGate string        // evidence of a gate failing every dwell ("" passes)
	start    time.Time     // when a dwell starts: the pinned clock, or before it
}

func newFakeCutover() *fakeCutover {
	f := &fakeCutover{stages: scenarioStages(), rbChanged: make(chan struct{}, 1), coChanged: make(chan struct{}, 1),
		release: make(chan struct{}), dwelling: make(chan string, 4), start: now}
	for _, s := range f.stages {
		f.snap.Steps = append(f.snap.Steps, runbook.StepView{ID: s.ID, Kind: cutover.Kind, Namespace: "orders", Service: "orders-api",
			Title:     fmt.Sprintf("Send %d%% of orders-api's traffic to EKS, dwell %s", s.Percent, s.Dwell),
			StepState: runbook.StepState{State: runbook.StatePending}})
	}
	f.snap.Run = "20260302T094000-4242"
	f.st = cutover.Status{Routers: routersAt(cutover.ToTarget(0), now.Add(-5*time.Second)), Gates: passingGates(now.Add(-5 * time.Second))}
	return f
}

func routersAt(w cutover.Weights, at time.Time) []cutover.RouterStatus {
	return []cutover.RouterStatus{
		{Name: r53Router, Kind: "route53", Weights: w, At: at},
		{Name: albRouter, Kind: "alb", Weights: w, At: at},
	}
}

func passingGates(at time.Time) []cutover.GateResult {
	return []cutover.GateResult{
		{Gate: "probes", OK: true, At: at, Evidence: "KOPS: GET /healthz 200 in 12ms; EKS: GET /healthz 200 in 15ms, POST /orders 201"},
		{Gate: "ready pods", OK: true, At: at, Evidence: "EKS: 2/2 pods ready, rollout complete"},
		{Gate: "error rate", OK: true, At: at, Evidence: "KOPS 0.10 errors/s, EKS 0.20 errors/s (max 1/s, margin 0.5/s)"},
	}
}

// edit changes the state under the lock and signals both Changed.
func (f *fakeCutover) edit(fn func(snap *runbook.Snapshot, st *cutover.Status)) {
	f.mu.Lock()
	snap, st := f.snap, f.st
	snap.Steps, snap.Events = slices.Clone(snap.Steps), slices.Clone(snap.Events)
	st.Routers, st.Gates = slices.Clone(st.Routers), slices.Clone(st.Gates)
	fn(&snap, &st)
	f.snap, f.st = snap, st
	f.mu.Unlock()
	for _, ch := range []chan struct{}{f.rbChanged, f.coChanged} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (f *fakeCutover) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeCutover) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Cutover.

func (f *fakeCutover) Status() cutover.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeCutover) Changed() <-chan struct{} { return f.coChanged }
func (f *fakeCutover) Stages() []CutoverStage   { return slices.Clone(f.stages) }

func (f *fakeCutover) Refresh(context.Context) {
	f.mu.Lock()
	f.refreshes++
	f.mu.Unlock()
}

// Runbook.

func (f *fakeCutover) Snapshot() runbook.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}

func (f *fakeCutover) Plan(_ context.Context, id string) (runbook.ChangeSet, error) {
	f.record("plan " + id)
	return runbook.ChangeSet{Step: id}, nil
}

func (f *fakeCutover) Verify(_ context.Context, id string) ([]runbook.Check, error) {
	f.record("verify " + id)
	return nil, nil
}

func (f *fakeCutover) Skip(_ context.Context, id, reason string) error {
	f.record("skip " + id + ": " + reason)
	return nil
}

func (f *fakeCutover) stage(id string) (int, CutoverStage) {
	i := slices.IndexFunc(f.stages, func(s CutoverStage) bool { return s.ID == id })
	return i, f.stages[i]
}

// before is the weights the stage at i starts from.
func (f *fakeCutover) before(i int) cutover.Weights {
	if i == 0 {
		return cutover.ToTarget(0)
	}
	return cutover.ToTarget(f.stages[i-1].Percent)
}

func (f *fakeCutover) Apply(ctx context.Context, id string) error {
	f.record("apply " + id)
	i, s := f.stage(id)
	want := cutover.ToTarget(s.Percent)
	f.mu.Lock()
	t := f.start
	f.mu.Unlock()
	f.edit(func(snap *runbook.Snapshot, st *cutover.Status) {
		snap.Busy = id
		setStep(snap, id, func(v *runbook.StepView) {
			v.State, v.Action, v.Error = runbook.StateApplying, runbook.ActionApply, ""
			v.Undo = append(v.Undo, runbook.UndoRef{File: id + ".undo"})
			v.Marker = fmt.Sprintf("cutover: %d%% to EKS (%s %s, %s %s)", s.Percent, r53Router, want, albRouter, want)
		})
		snap.Events = append(snap.Events, runbook.Event{Time: t, Step: id, Action: runbook.ActionApply,
			Outcome: runbook.OutcomeMarker, Message: fmt.Sprintf("cutover: %d%% to EKS (%s %s, %s %s)", s.Percent, r53Router, want, albRouter, want)})
		st.Stage, st.Phase, st.Want = id, "dwelling", want
		st.DwellStart, st.DwellEnd = t, t.Add(s.Dwell)
		st.Routers = routersAt(want, now)
	})
	f.dwelling <- id
	var err error
	if f.hold {
		select {
		case <-f.release:
		case <-ctx.Done():
			err = fmt.Errorf("apply %s: stopped during the %d%% dwell with traffic at %s (left as it is): %w", id, s.Percent, want, ctx.Err())
		}
	}
	if err == nil && f.failGate != "" {
		back := f.before(i)
		err = fmt.Errorf("apply %s: gate \"probes\" failed during the %d%% dwell: %s; traffic is back at the weights before this stage (%s %s, %s %s)",
			id, s.Percent, f.failGate, r53Router, back, albRouter, back)
		f.edit(func(_ *runbook.Snapshot, st *cutover.Status) { st.Routers = routersAt(back, now) })
	}
	f.edit(func(snap *runbook.Snapshot, st *cutover.Status) {
		snap.Busy = ""
		st.Stage, st.Phase, st.DwellStart, st.DwellEnd = "", "", time.Time{}, time.Time{}
		setStep(snap, id, func(v *runbook.StepView) {
			v.State, v.Applied = runbook.StateApplied, true
			if err != nil {
				v.State, v.Error = runbook.StateFailed, err.Error()
			}
		})
		if err != nil {
			snap.Events = append(snap.Events, runbook.Event{Time: now, Step: id, Action: runbook.ActionApply,
				Outcome: runbook.OutcomeFailed, Message: err.Error()})
		}
	})
	return err
}

func (f *fakeCutover) Rollback(_ context.Context, id string) error {
	f.record("undo " + id)
	i, s := f.stage(id)
	back := f.before(i)
	f.edit(func(snap *runbook.Snapshot, st *cutover.Status) {
		setStep(snap, id, func(v *runbook.StepView) {
			v.State, v.Action, v.Applied, v.Undo, v.Error = runbook.StateRolledBack, runbook.ActionRollback, false, nil, ""
		})
		snap.Events = append(snap.Events, runbook.Event{Time: now, Step: id, Action: runbook.ActionRollback,
			Outcome: runbook.OutcomeMarker, Message: fmt.Sprintf("cutover: rolled back the %d%% stage, traffic at %s %s, %s %s", s.Percent, r53Router, back, albRouter, back)})
		st.Routers = routersAt(back, now)
	})
	return nil
}

// withCutover gives the cockpit the fake as its runbook and its cutover.
func withCutover(f *fakeCutover) func(*Config) {
	return func(c *Config) { c.Runbook, c.Cutover = f, f }
}

// newCutoverModel is the cockpit with the fake cutover, its screen open.
func newCutoverModel(t testing.TB, w, h int, f *fakeCutover, edit ...func(*Config)) Model {
	t.Helper()
	m, _ := newTestModel(t, w, h, append([]func(*Config){withCutover(f)}, edit...)...)
	m = step(t, m, keys("c")...)
	if coScreen(m) == nil {
		t.Fatalf("top is %T, want the cutover", m.top())
	}
	return m
}

func coScreen(m Model) *cutoverScreen {
	c, _ := m.top().(*cutoverScreen)
	return c
}

// The scenarios of the golden screens, as edits of the fake's state.

// dwellingAt10 is the 10% stage applying in this ferry, 40 s into its
// 2 m dwell, every gate passing.
func dwellingAt10(snap *runbook.Snapshot, st *cutover.Status) {
	id := cutover.StepID("orders-api", 10)
	w := cutover.ToTarget(10)
	snap.Busy = id
	setStep(snap, id, func(v *runbook.StepView) {
		v.State, v.Action, v.Outcome = runbook.StateApplying, runbook.ActionApply, runbook.OutcomeStarted
		v.Undo = []runbook.UndoRef{{File: "10.undo"}}
		v.Progress = &runbook.Progress{Done: 40, Total: 120, Message: "dwelling at 10%: 1m20s left"}
	})
	snap.Events = append(snap.Events, markerEvent(at(0.7), id, fmt.Sprintf("cutover: 10%% to EKS (%s 90/10, %s 90/10)", r53Router, albRouter)))
	st.Stage, st.Phase, st.Want = id, "dwelling", w
	st.DwellStart, st.DwellEnd = now.Add(-40*time.Second), now.Add(80*time.Second)
	st.Routers = routersAt(w, now.Add(-3*time.Second))
	st.Gates = passingGates(now.Add(-3 * time.Second))
}

// failedAt50 is 10% applied, then 50% failed on the probes gate during
// its dwell, the weights back at 90/10.
func failedAt50(snap *runbook.Snapshot, st *cutover.Status) {
	id10, id50 := cutover.StepID("orders-api", 10), cutover.StepID("orders-api", 50)
	evidence := "EKS: POST /orders answered 502 Bad Gateway in 3 of 5 probes (KOPS: 201)"
	errText := fmt.Sprintf("apply %s: gate \"probes\" failed during the 50%% dwell: %s; traffic is back at the weights before this stage (%s 90/10, %s 90/10)",
		id50, evidence, r53Router, albRouter)
	setStep(snap, id10, func(v *runbook.StepView) {
		v.State, v.Applied, v.Undo = runbook.StateApplied, true, []runbook.UndoRef{{File: "10.undo"}}
	})
	setStep(snap, id50, func(v *runbook.StepView) {
		v.State, v.Action, v.Outcome, v.Error = runbook.StateFailed, runbook.ActionApply, runbook.OutcomeFailed, errText
		v.Undo = []runbook.UndoRef{{File: "50.undo"}}
	})
	snap.Events = append(snap.Events,
		markerEvent(at(9), id10, fmt.Sprintf("cutover: 10%% to EKS (%s 90/10, %s 90/10)", r53Router, albRouter)),
		markerEvent(at(6.5), id50, fmt.Sprintf("cutover: 50%% to EKS (%s 50/50, %s 50/50)", r53Router, albRouter)),
		markerEvent(at(4), id50, fmt.Sprintf("cutover: gate \"probes\" failed at 50%%, traffic back to %s 90/10, %s 90/10", r53Router, albRouter)),
		runbook.Event{Time: at(4), Step: id50, Action: runbook.ActionApply, Outcome: runbook.OutcomeFailed, Message: errText},
	)
	st.Routers = routersAt(cutover.ToTarget(10), now.Add(-4*time.Second))
	st.Gates = passingGates(now.Add(-4 * time.Second))
	st.Gates[0] = cutover.GateResult{Gate: "probes", OK: false, At: at(4), Evidence: evidence}
}

// interruptedAt50 is a restart after ferry was killed during the 50%
// dwell: the journal left the stage open, the routers still hold 50/50.
func interruptedAt50(snap *runbook.Snapshot, st *cutover.Status) {
	id10, id50 := cutover.StepID("orders-api", 10), cutover.StepID("orders-api", 50)
	marker := fmt.Sprintf("cutover: 50%% to EKS (%s 50/50, %s 50/50)", r53Router, albRouter)
	setStep(snap, id10, func(v *runbook.StepView) {
		v.State, v.Applied, v.Undo = runbook.StateVerified, true, []runbook.UndoRef{{File: "10.undo"}}
	})
	setStep(snap, id50, func(v *runbook.StepView) {
		v.State, v.Action, v.Outcome, v.Marker = runbook.StateInterrupted, runbook.ActionApply, runbook.OutcomeStarted, marker
		v.Undo = []runbook.UndoRef{{File: "50.undo"}}
		v.Progress = &runbook.Progress{Done: 110, Total: 300, Message: "dwelling at 50%: 3m10s left"}
	})
	snap.Events = append(snap.Events,
		markerEvent(at(30), id10, fmt.Sprintf("cutover: 10%% to EKS (%s 90/10, %s 90/10)", r53Router, albRouter)),
		markerEvent(at(22), id50, marker))
	st.Routers = routersAt(cutover.ToTarget(50), now.Add(-2*time.Second))
}

func markerEvent(t time.Time, step, msg string) runbook.Event {
	return runbook.Event{Time: t, Step: step, Action: runbook.ActionApply, Outcome: runbook.OutcomeMarker, Message: msg}
}

// PlanRollback names what the rollback deletes, as a step kind would.
func (f *fakeCutover) PlanRollback(_ context.Context, id string) (runbook.ChangeSet, error) {
	return runbook.ChangeSet{Step: id, Changes: []runbook.Change{{Op: runbook.OpDelete, Kind: "Deployment", Name: id}},
		Notes: []string{"objects that existed before are restored"}}, nil
}

// RequestStop asks whoever applies a stage elsewhere to stop, as the
// runner would: it answers who, and the stage still reads as applying
// until that ferry journals the stop, later.
func (f *fakeCutover) RequestStop(_ context.Context, via string) (string, error) {
	f.record("stop via " + via)
	if slices.ContainsFunc(f.Snapshot().Steps, func(v runbook.StepView) bool { return v.State == runbook.StateApplying }) {
		return "alice@laptop pid 7 (ferry)", nil
	}
	return "", nil
}
