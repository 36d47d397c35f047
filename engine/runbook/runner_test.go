package runbook

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func wantState(t *testing.T, r *Runner, id string, want State) StepState {
	t.Helper()
	st := r.State(id)
	if st.State != want {
		t.Fatalf("%s is %s (error %q), want %s", id, st.State, st.Error, want)
	}
	return st
}

func TestRunnerFullCycle(t *testing.T) {
	t.Parallel()
	s := newFake("clone/payments/ledger")
	s.progress = 2000
	r := newRunner(t, Config{ProgressEvery: time.Hour}, s)
	ctx := t.Context()
	wantState(t, r, s.id, StatePending)

	cs, err := r.Plan(ctx, s.id)
	if err != nil || len(cs.Changes) != 1 || cs.Changes[0].Op != OpCreate || cs.Step != s.id {
		t.Fatalf("Plan = %+v, %v", cs, err)
	}
	wantState(t, r, s.id, StatePlanned)
	if err := r.Apply(ctx, s.id); err != nil {
		t.Fatal(err)
	}
	st := wantState(t, r, s.id, StateApplied)
	if st.Progress == nil || st.Progress.Done != 2000 || len(st.Undo) != 1 {
		t.Errorf("after apply: progress %+v, undo %v", st.Progress, st.Undo)
	}
	checks, err := r.Verify(ctx, s.id)
	if err != nil || len(checks) != 1 {
		t.Fatalf("Verify = %v, %v", checks, err)
	}
	wantState(t, r, s.id, StateVerified)
	if err := r.Rollback(ctx, s.id); err != nil {
		t.Fatal(err)
	}
	st = wantState(t, r, s.id, StateRolledBack)
	if st.Applied || len(st.Undo) != 0 || s.existsNow() {
		t.Errorf("after rollback: applied %t, undo %v, object exists %t", st.Applied, st.Undo, s.existsNow())
	}
	if got := s.Undo(); len(got) != 1 || string(got[0]) != `{"existed":false}` {
		t.Errorf("rollback got undo %s", got)
	}
	if want := []string{"plan", "apply", "verify", "rollback"}; !slices.Equal(s.Calls(), want) {
		t.Errorf("calls = %v, want %v", s.Calls(), want)
	}

	// The journal tells the same story without bodies, and with few
	// progress records however fast the step reported.
	l, err := r.cfg.Journal.Read()
	if err != nil {
		t.Fatal(err)
	}
	progress := 0
	for _, rec := range l.Records {
		if rec.Outcome == OutcomeProgress {
			progress++
		}
	}
	if progress > 3 {
		t.Errorf("%d progress records journaled for 2000 reports, want them coalesced", progress)
	}
	b, _ := os.ReadFile(r.cfg.Journal.Path())
	if bytes.Contains(b, []byte("planned-body")) || !bytes.Contains(b, []byte(`"summary":"1 create"`)) {
		t.Errorf("journal should hold the plan summary but no bodies:\n%s", b)
	}
	// A new process reading the journal derives the same state.
	again := newRunner(t, Config{Journal: r.cfg.Journal}, newFake(s.id))
	wantState(t, again, s.id, StateRolledBack)
}

func TestRunnerIdempotentReapply(t *testing.T) {
	t.Parallel()
	s := newFake("a")
	r := newRunner(t, Config{}, s)
	for range 2 {
		if err := r.Apply(t.Context(), "a"); err != nil {
			t.Fatal(err)
		}
	}
	if s.Writes() != 1 {
		t.Errorf("two applies made %d writes, want 1", s.Writes())
	}
	cs, err := r.Plan(t.Context(), "a")
	if err != nil || cs.Changes[0].Op != OpNone {
		t.Errorf("plan after apply = %+v, %v; want no change", cs, err)
	}
	st := wantState(t, r, "a", StateApplied)
	if len(st.Undo) != 2 {
		t.Errorf("undo = %v, want both applies' records, oldest first", st.Undo)
	}
	// Rollback restores the state before the first apply.
	if err := r.Rollback(t.Context(), "a"); err != nil || s.existsNow() {
		t.Errorf("rollback: %v, exists %t", err, s.existsNow())
	}
}

func TestRunnerDependencies(t *testing.T) {
	t.Parallel()
	a, b, c := newFake("a"), newFake("b", "a"), newFake("c", "b")
	r := newRunner(t, Config{}, c, b, a)
	if got := ids(r.Steps()); got != "a b c" {
		t.Errorf("steps in order %q", got)
	}
	err := r.Apply(t.Context(), "b")
	if err == nil || !strings.Contains(err.Error(), "depends on a, which is pending") {
		t.Fatalf("Apply b before a = %v", err)
	}
	if len(b.Calls()) != 0 {
		t.Error("a refused apply still called the step")
	}
	if err := r.Apply(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(t.Context(), "b"); err != nil {
		t.Fatalf("Apply b after a: %v", err)
	}
	// A failing check on b blocks c; skipping b (with a reason) frees it.
	b.setChecks(Check{Name: "ready", OK: false, Evidence: "0/1 pods"})
	if _, err := r.Verify(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	if st := wantState(t, r, "b", StateFailed); !st.Applied || !strings.Contains(st.Error, "ready") {
		t.Errorf("b after failing check: %+v", st)
	}
	if err := r.Apply(t.Context(), "c"); err == nil || !strings.Contains(err.Error(), "b, which is failed") {
		t.Errorf("Apply c = %v", err)
	}
	if err := r.Skip(t.Context(), "b", ""); err == nil {
		t.Error("skip without a reason accepted")
	}
	if err := r.Skip(t.Context(), "b", "done by hand"); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(t.Context(), "c"); err != nil {
		t.Errorf("Apply c after skipping b: %v", err)
	}
	if err := r.Apply(t.Context(), "nope"); err == nil || !strings.Contains(err.Error(), `no step "nope"`) {
		t.Errorf("unknown step: %v", err)
	}
}

func TestRunnerFailures(t *testing.T) {
	t.Parallel()
	s := newFake("a")
	r := newRunner(t, Config{}, s)
	s.fail(errors.New("quota exceeded"))
	err := r.Apply(t.Context(), "a")
	if err == nil || !strings.Contains(err.Error(), "apply a: quota exceeded") {
		t.Fatalf("Apply = %v", err)
	}
	if st := wantState(t, r, "a", StateFailed); st.Error != err.Error() {
		t.Errorf("error in state %q", st.Error)
	}
	if err := r.Rollback(t.Context(), "a"); err == nil || !strings.Contains(err.Error(), "nothing to roll back") {
		t.Errorf("Rollback with nothing applied = %v", err)
	}
	if err := r.Apply(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	s.fail(errors.New("forbidden"))
	if err := r.Rollback(t.Context(), "a"); err == nil {
		t.Fatal("failed rollback returned nil")
	}
	if st := wantState(t, r, "a", StateFailed); !st.Applied || len(st.Undo) != 1 {
		t.Errorf("a failed rollback lost track: %+v", st)
	}
}

func TestRunnerSnapshotAndChanged(t *testing.T) {
	t.Parallel()
	a := scoped("a", "payments", "ledger")
	r := newRunner(t, Config{MaxEvents: 5}, a, newFake("b", "a"))
	for range 5 {
		if _, err := r.Plan(t.Context(), "a"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-r.Changed():
	default:
		t.Fatal("Changed did not fire")
	}
	select {
	case <-r.Changed():
		t.Fatal("Changed did not coalesce")
	default:
	}
	snap := r.Snapshot()
	if len(snap.Events) != 5 || snap.DroppedEvents != 5 || snap.Run != r.Run() {
		t.Errorf("events %d dropped %d", len(snap.Events), snap.DroppedEvents)
	}
	v := snap.Steps[0]
	if v.ID != "a" || v.Namespace != "payments" || v.Service != "ledger" || v.State != StatePlanned || v.Plan == nil || v.Plan.Changes[0].After == "" {
		t.Errorf("step view %+v", v)
	}
	if snap.Steps[1].State != StatePending || !slices.Equal(snap.Steps[1].Deps, []string{"a"}) {
		t.Errorf("b view %+v", snap.Steps[1])
	}
	snap.Steps[0].Plan.Changes[0].Name = "mutated"
	if r.Snapshot().Steps[0].Plan.Changes[0].Name == "mutated" {
		t.Error("snapshot shares memory with the runner")
	}
}

func TestRunnerRedactsAndKeepsBodiesOut(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-db-password"
	s := newFake("a")
	s.setChecks(Check{Name: "password", OK: true, Evidence: "matches " + secret})
	r := newRunner(t, Config{Journal: tempJournal(t, WithRedactor(MaskValues(secret)))}, s)
	if _, err := r.Verify(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	s.fail(errors.New("cannot write password " + secret))
	_ = r.Apply(t.Context(), "a")
	b, err := os.ReadFile(r.cfg.Journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(secret)) {
		t.Fatalf("secret in the journal:\n%s", b)
	}
}
