package cutover

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

func stages(pcts ...int) []Stage {
	out := make([]Stage, len(pcts))
	for i, p := range pcts {
		out[i] = Stage{Percent: p, Dwell: 40 * time.Millisecond}
	}
	return out
}

func TestConfigRefusesBadStages(t *testing.T) {
	t.Parallel()
	base := Config{Service: "orders-api", Routers: []Router{newFakeRouter("r", 0)}, Interval: time.Second}
	for name, st := range map[string][]Stage{
		"none":       nil,
		"decreasing": stages(50, 10),
		"over 100":   stages(10, 150),
		"zero":       stages(0, 100),
	} {
		cfg := base
		cfg.Stages = st
		if _, err := Steps(cfg); err == nil {
			t.Errorf("%s: Steps accepted %+v", name, st)
		}
	}
	cfg := base
	cfg.Stages, cfg.Routers = stages(10), nil
	if _, err := Steps(cfg); err == nil || !strings.Contains(err.Error(), "cutover.routers") {
		t.Errorf("no routers: %v", err)
	}
}

// A dwell shorter than a router's TTL is refused in Plan and Apply, naming
// the router, the TTL and why; nothing moves.
func TestDwellShorterThanTTLRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Stage{Percent: 10, Dwell: 5 * time.Millisecond})
	id := StepID("orders-api", 10)
	_, err := h.runner.Plan(t.Context(), id)
	if err == nil || !strings.Contains(err.Error(), "TTL of 20ms") || !strings.Contains(err.Error(), "route53 shop.acme.example.") || !strings.Contains(err.Error(), "at least 20ms") {
		t.Fatalf("Plan = %v; want a refusal naming the record's TTL", err)
	}
	if err := h.runner.Apply(t.Context(), id); err == nil || !strings.Contains(err.Error(), "resolvers") {
		t.Fatalf("Apply = %v; want the same refusal", err)
	}
	h.wantWeights(t, 0)
}

// 10 -> 50 -> 100 with gates passing: each stage moves every router, marks
// the journal, and verifies; then rolling back newest first returns the
// routers exactly to where they started.
func TestFullCutoverThenRollback(t *testing.T) {
	t.Parallel()
	h := newHarness(t, stages(10, 50, 100)...)
	ctx := t.Context()
	cs, err := h.runner.Plan(ctx, StepID("orders-api", 10))
	if err != nil || len(cs.Changes) != 2 || cs.Changes[0].After != "90/10" {
		t.Fatalf("Plan = %+v, %v", cs, err)
	}
	for _, pct := range []int{10, 50, 100} {
		id := StepID("orders-api", pct)
		if err := h.runner.Apply(ctx, id); err != nil {
			t.Fatalf("apply %s: %v", id, err)
		}
		h.wantWeights(t, pct)
		checks, err := h.runner.Verify(ctx, id)
		if err != nil || len(checks) != 3 {
			t.Fatalf("verify %s = %+v, %v", id, checks, err)
		}
		for _, c := range checks {
			if !c.OK {
				t.Errorf("verify %s: %s failed: %s", id, c.Name, c.Evidence)
			}
		}
	}
	want := []string{"cutover: 10% to EKS", "cutover: 50% to EKS", "cutover: 100% to EKS"}
	got := h.markers(t)
	if len(got) != 3 {
		t.Fatalf("markers = %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) || !strings.Contains(got[i], "alb orders-public") {
			t.Errorf("marker %d = %q, want %q…", i, got[i], want[i])
		}
	}
	if st := h.board.Snapshot(); st.Stage != "" || len(st.Gates) != 1 || len(st.Routers) != 2 {
		t.Errorf("board after the cutover = %+v", st)
	}
	for _, pct := range []int{100, 50, 10} {
		if err := h.runner.Rollback(ctx, StepID("orders-api", pct)); err != nil {
			t.Fatalf("rollback %d: %v", pct, err)
		}
	}
	h.wantWeights(t, 0)
	for _, r := range h.routers {
		if _, hasTarget, _ := r.state(); hasTarget {
			t.Errorf("%s still has a target entry after the rollback", r.name)
		}
	}
}

// A gate failing during the 50% dwell puts the weights back to 90/10 within
// one interval, fails the stage with the gate's evidence and journals a
// marker saying so.
func TestGateFailureDuringDwellFallsBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Stage{Percent: 10, Dwell: 20 * time.Millisecond}, Stage{Percent: 50, Dwell: time.Minute})
	ctx := t.Context()
	if err := h.runner.Apply(ctx, StepID("orders-api", 10)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.runner.Apply(ctx, StepID("orders-api", 50)) }()
	waitFor(t, func() bool { return h.weights()[0] == ToTarget(50) })
	failedAt := time.Now()
	h.gate.failing.Store(true)
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stage kept dwelling with its gate failing")
	}
	if took := time.Since(failedAt); took > time.Second {
		t.Errorf("fell back %s after the gate failed; want within about one interval", took)
	}
	if err == nil || !strings.Contains(err.Error(), `gate "probes" failed`) || !strings.Contains(err.Error(), "POST /orders answered 500") {
		t.Fatalf("Apply = %v; want the failing gate with its evidence", err)
	}
	h.wantWeights(t, 10)
	st := h.runner.State(StepID("orders-api", 50))
	if st.State != runbook.StateFailed || !strings.Contains(st.Error, "POST /orders answered 500") {
		t.Errorf("state = %s (%s); want failed with the evidence journaled", st.State, st.Error)
	}
	if !strings.Contains(st.Marker, `gate "probes" failed at 50%, traffic back to`) {
		t.Errorf("last marker = %q", st.Marker)
	}
}

// A gate failing before the shift moves nothing and saves nothing.
func TestGateFailureBeforeShiftMovesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, stages(10)...)
	h.gate.failing.Store(true)
	err := h.runner.Apply(t.Context(), StepID("orders-api", 10))
	if err == nil || !strings.Contains(err.Error(), "before any traffic moves") {
		t.Fatalf("Apply = %v", err)
	}
	h.wantWeights(t, 0)
	if st := h.runner.State(StepID("orders-api", 10)); len(st.Undo) != 0 {
		t.Errorf("undo saved though nothing moved: %v", st.Undo)
	}
}

// Someone else moving traffic during the dwell (ferry rollback from another
// terminal) stops the stage and leaves the weights alone.
func TestMovedOutsideStopsTheStage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Stage{Percent: 10, Dwell: time.Minute})
	done := make(chan error, 1)
	go func() { done <- h.runner.Apply(t.Context(), StepID("orders-api", 10)) }()
	waitFor(t, func() bool { return h.weights()[1] == ToTarget(10) })
	_ = h.routers[1].Set(context.Background(), ToTarget(0))
	err := <-done
	if !errors.Is(err, errMoved) || !strings.Contains(err.Error(), "alb orders-public holds 100/0") {
		t.Fatalf("Apply = %v; want the moved router named", err)
	}
	if w := h.weights(); w[0] != ToTarget(10) || w[1] != ToTarget(0) {
		t.Errorf("weights = %v; the stage must leave them as found", w)
	}
}

// Stopped mid-dwell (a crash: here a cancelled context, then a new runner
// on the same journal), the stage shows where it stood, nothing moves on
// restart, and a re-apply starts from the weights saved the first time.
func TestResumeAfterStopDuringDwell(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Stage{Percent: 10, Dwell: 20 * time.Millisecond}, Stage{Percent: 50, Dwell: time.Minute})
	if err := h.runner.Apply(t.Context(), StepID("orders-api", 10)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.runner.Apply(ctx, StepID("orders-api", 50)) }()
	waitFor(t, func() bool { return h.weights()[0] == ToTarget(50) })
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "left as it is") {
		t.Fatalf("Apply after cancel = %v", err)
	}
	_, _, sets := h.routers[0].state()
	r2 := newRunner(t, h.journal, h.cfg)
	st := r2.State(StepID("orders-api", 50))
	if !strings.HasPrefix(st.Marker, "cutover: 50% to EKS") || len(st.Undo) != 1 {
		t.Errorf("after restart: marker %q, undo %v", st.Marker, st.Undo)
	}
	h.wantWeights(t, 50)
	if _, _, n := h.routers[0].state(); n != sets {
		t.Errorf("restart moved traffic: %d sets, had %d", n, sets)
	}
	h.gate.failAfter = h.gate.checks.Load() + 3
	if err := r2.Apply(t.Context(), StepID("orders-api", 50)); err == nil {
		t.Fatal("re-apply with a failing gate succeeded")
	}
	h.wantWeights(t, 10)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// The rollback's confirmation says where each router goes back to.
func TestPlanRollbackNamesTheWeights(t *testing.T) {
	t.Parallel()
	h := newHarness(t, stages(10)...)
	id := StepID("orders-api", 10)
	if err := h.runner.Apply(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	cs, err := h.runner.PlanRollback(t.Context(), id)
	if err != nil || len(cs.Changes) != 2 || cs.Changes[0].Before != "90/10" || cs.Changes[0].After != "100/0" || cs.Changes[0].Op != runbook.OpUpdate {
		t.Fatalf("PlanRollback = %+v, %v", cs, err)
	}
	h.wantWeights(t, 10)
}
