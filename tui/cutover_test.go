package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// rowsIn builds stage rows 10, 50, 100 (100 auto) in the given states;
// a state with "+undo" has undo saved.
func rowsIn(states ...string) []stageRow {
	rows := stageRows(scenarioStages(), runbook.Snapshot{})
	for i, s := range states {
		st, undo := strings.CutSuffix(s, "+undo")
		rows[i].known, rows[i].view.State = true, runbook.State(st)
		if undo {
			rows[i].view.Undo = []runbook.UndoRef{{File: rows[i].ID}}
		}
	}
	return rows
}

func TestStageDecisions(t *testing.T) {
	t.Parallel()
	id := func(pct int) string { return cutover.StepID("orders-api", pct) }
	tests := []struct {
		name     string
		rows     []stageRow
		next     int
		justDone string
		auto     string
		rollback []string
	}{
		{name: "nothing applied", rows: rowsIn("pending", "pending", "pending"), next: 0},
		{name: "10 applied, 50 is not auto", rows: rowsIn("applied+undo", "pending", "pending"), next: 1,
			justDone: id(10), rollback: []string{id(10)}},
		{name: "50 applied, 100 is auto", rows: rowsIn("verified+undo", "applied+undo", "pending"), next: 2,
			justDone: id(50), auto: id(100), rollback: []string{id(50), id(10)}},
		{name: "100 is applying already", rows: rowsIn("applied+undo", "applied+undo", "applying+undo"), next: 2,
			justDone: id(50), rollback: []string{id(50), id(10)}},
		{name: "a failed apply starts nothing", rows: rowsIn("applied+undo", "failed+undo", "pending"), next: 1,
			justDone: id(50), rollback: []string{id(50), id(10)}},
		{name: "interrupted after a restart", rows: rowsIn("applied+undo", "interrupted+undo", "pending"), next: 1,
			rollback: []string{id(50), id(10)}},
		{name: "failed before moving traffic has no undo", rows: rowsIn("applied+undo", "failed", "pending"), next: 1,
			rollback: []string{id(10)}},
		{name: "rolled back, skipped and applying are left out", rows: rowsIn("rolled-back", "skipped+undo", "applying+undo"),
			next: 0, rollback: []string{id(50)}},
		{name: "all done", rows: rowsIn("verified+undo", "verified+undo", "applied+undo"), next: -1,
			justDone: id(100), rollback: []string{id(100), id(50), id(10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := nextStage(tt.rows); got != tt.next {
				t.Errorf("nextStage = %d, want %d", got, tt.next)
			}
			if got := autoNext(tt.rows, tt.justDone); got != tt.auto {
				t.Errorf("autoNext(%s) = %q, want %q", tt.justDone, got, tt.auto)
			}
			if got := rollbackOrder(tt.rows); !slices.Equal(got, tt.rollback) {
				t.Errorf("rollbackOrder = %q, want %q", got, tt.rollback)
			}
		})
	}
}

func TestWeightsNow(t *testing.T) {
	t.Parallel()
	agree := routersAt(cutover.ToTarget(10), now)
	split := routersAt(cutover.ToTarget(10), now)
	split[1].Weights = cutover.ToTarget(50)
	broken := routersAt(cutover.ToTarget(0), now)
	broken[0].Err = "AccessDenied"
	for _, tt := range []struct {
		rs     []cutover.RouterStatus
		want   string
		source bool
	}{
		{nil, "", false},
		{agree, "90/10", false},
		{split, r53Router + " 90/10, " + albRouter + " 50/50", false},
		{broken, r53Router + " unreadable, " + albRouter + " 100/0", false},
		{routersAt(cutover.ToTarget(0), now), "100/0", true},
	} {
		if got := weightsNow(tt.rs); got != tt.want {
			t.Errorf("weightsNow = %q, want %q", got, tt.want)
		}
		if got := allOnSource(tt.rs); got != tt.source {
			t.Errorf("allOnSource(%q) = %v", tt.want, got)
		}
	}
	if got := shortDur(90 * time.Second); got != "1m30s" {
		t.Errorf("shortDur = %q", got)
	}
	if got := shortDur(time.Hour); got != "1h" {
		t.Errorf("shortDur = %q", got)
	}
}

// TestCutoverAutoAdvance: a confirmed stage that completes starts the
// next when it is auto, and that one the next; paused, it starts none.
func TestCutoverAutoAdvance(t *testing.T) {
	t.Parallel()
	ids := []string{cutover.StepID("orders-api", 10), cutover.StepID("orders-api", 50), cutover.StepID("orders-api", 100)}
	for _, paused := range []bool{false, true} {
		f := newFakeCutover()
		f.stages[1].Auto = true
		m := newCutoverModel(t, 120, 40, f)
		if paused {
			m = step(t, m, keys("p")...)
		}
		m = step(t, m, keys("a", "y", "enter")...)
		want := []string{"apply " + ids[0], "apply " + ids[1], "apply " + ids[2]}
		status := "every stage is done"
		if paused {
			want, status = want[:1], "paused, so the auto 50% stage waits for a"
		}
		if got := f.Calls(); !slices.Equal(got, want) {
			t.Errorf("paused=%v: calls %q, want %q", paused, got, want)
		}
		if !strings.Contains(m.status.text, status) {
			t.Errorf("paused=%v: status %q, want %q in it", paused, m.status.text, status)
		}
	}
}

// TestCutoverRollbackStopsTheDwell: u during a dwell this screen started
// stops it, then rolls back the stages that moved traffic, newest first,
// and says where the traffic is.
func TestCutoverRollbackStopsTheDwell(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	f.edit(func(snap *runbook.Snapshot, _ *cutover.Status) {
		setStep(snap, cutover.StepID("orders-api", 10), func(v *runbook.StepView) {
			v.State, v.Applied, v.Undo = runbook.StateApplied, true, []runbook.UndoRef{{File: "10"}}
		})
	})
	f.hold = true
	m := newCutoverModel(t, 120, 40, f)
	m = step(t, m, keys("a", "y", "enter")...)
	select {
	case <-f.dwelling:
	case <-time.After(5 * time.Second):
		t.Fatal("the 50% stage never dwelt")
	}
	if why := holding(m.top()); !strings.Contains(why, "the 50% stage is applying") {
		t.Errorf("holding = %q", why)
	}
	if m = step(t, m, keys("esc")...); coScreen(m) == nil {
		t.Fatal("esc closed the screen mid-dwell")
	}
	m = step(t, m, keys("u", "y", "enter")...)
	want := []string{"apply cutover/orders-api/50", "undo cutover/orders-api/50", "undo cutover/orders-api/10"}
	if got := f.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	if got := m.status.text; got != "rolled back 50%, 10%: weights 100/0, all traffic on KOPS" {
		t.Errorf("status %q", got)
	}
	if c := coScreen(m); c.rolling || c.applying != "" || holding(c) != "" {
		t.Errorf("after the rollback: rolling=%v applying=%q holding=%q", c.rolling, c.applying, holding(c))
	}
}

// TestCutoverRollbackNothing: with no stage moved there is nothing to ask.
func TestCutoverRollbackNothing(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	m := step(t, newCutoverModel(t, 80, 24, f), keys("u")...)
	if coScreen(m).Capturing() || !strings.HasPrefix(m.status.text, "nothing to roll back") || len(f.Calls()) > 0 {
		t.Errorf("capturing=%v status=%q calls=%q", coScreen(m).Capturing(), m.status.text, f.Calls())
	}
}

// TestCutoverConfirmation: a protected environment wants its name typed;
// "y" or esc changes nothing; the name applies the next stage.
func TestCutoverConfirmation(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	m := newCutoverModel(t, 80, 24, f, protectedProduction)
	m = step(t, m, keys("a", "y", "enter")...)
	if len(f.Calls()) > 0 || m.status.text != notConfirmed {
		t.Fatalf("y on a protected environment: calls %q, status %q", f.Calls(), m.status.text)
	}
	m = step(t, m, keys("a", "esc")...)
	if len(f.Calls()) > 0 || coScreen(m).Capturing() {
		t.Fatalf("esc: calls %q", f.Calls())
	}
	m = step(t, m, keys("a")...)
	m = step(t, m, append(typed("production"), keys("enter")...)...)
	if got := f.Calls(); !slices.Equal(got, []string{"apply cutover/orders-api/10"}) {
		t.Errorf("calls %q", got)
	}
}

// TestCutoverReadOnly: a, p and u do nothing and ask nothing.
func TestCutoverReadOnly(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	f.edit(interruptedAt50)
	m := newCutoverModel(t, 80, 24, f, func(c *Config) { c.ReadOnly = true })
	m = step(t, m, keys("a", "p", "u")...)
	if c := coScreen(m); c.Capturing() || c.paused || len(f.Calls()) > 0 {
		t.Errorf("read-only: capturing=%v paused=%v calls=%q", c.Capturing(), c.paused, f.Calls())
	}
}

// TestCutoverBusyElsewhere: a stage applying from the runbook screen or
// another ferry blocks a (with a reason); u asks whoever applies it to
// stop, then rolls back, and the refresh is not repeated.
func TestCutoverBusyElsewhere(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	f.edit(dwellingAt10)
	m := newCutoverModel(t, 80, 24, f)
	m = step(t, m, keys("a")...)
	if !m.status.err || !strings.Contains(m.status.text, "runbook screen or another ferry") || coScreen(m).Capturing() {
		t.Errorf("a: status %q", m.status.text)
	}
	if len(f.Calls()) > 0 {
		t.Errorf("a called %q", f.Calls())
	}
	m = step(t, m, keys("u")...)
	if !coScreen(m).Capturing() {
		t.Fatalf("u did not ask; status %q", m.status.text)
	}
	m = step(t, m, keys("y", "enter")...)
	want := []string{"stop via the cockpit's cutover screen", "undo cutover/orders-api/10"}
	if got := f.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	if got := m.status.text; got != "rolled back 10%: weights 100/0, all traffic on KOPS" {
		t.Errorf("status %q", got)
	}
}

// TestCutoverRefresh: opening refreshes once; the tick refreshes again
// only once cutoverRefreshEvery has passed and no stage applies.
func TestCutoverRefresh(t *testing.T) {
	t.Parallel()
	clock := now
	f := newFakeCutover()
	m := newCutoverModel(t, 80, 24, f, func(c *Config) { c.Now = func() time.Time { return clock } })
	count := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.refreshes
	}
	if count() != 1 {
		t.Fatalf("refreshes after opening: %d, want 1", count())
	}
	m = step(t, m, tickMsg{})
	if count() != 1 {
		t.Errorf("refreshed again before %s", cutoverRefreshEvery)
	}
	clock = clock.Add(cutoverRefreshEvery)
	step(t, m, tickMsg{})
	if count() != 2 {
		t.Errorf("refreshes after %s: %d, want 2", cutoverRefreshEvery, count())
	}
}

// TestCutoverOpens: c from the services, :cutover from anywhere, and the
// screen is reused rather than stacked twice.
func TestCutoverOpens(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	m, _ := newTestModel(t, 80, 24, withCutover(f))
	m = step(t, m, append(keys(":"), append(typed("cutover"), keys("enter")...)...)...)
	if coScreen(m) == nil {
		t.Fatalf(":cutover opened %T", m.top())
	}
	m = step(t, m, keys("r", "c")...)
	if n := len(m.stack); n != 2 || coScreen(m) == nil {
		t.Errorf("c over the runbook: %d screens, top %T; want the cutover reused", n, m.top())
	}
	if _, err := parseCommand("cutover orders"); err == nil {
		t.Error(":cutover with a name should be refused")
	}
}
