package tui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// fakeRunbook is a runbook whose snapshot the test sets. It records every
// call, can hold Apply until released, and can fail every call with err.
type fakeRunbook struct {
	mu      sync.Mutex
	snap    runbook.Snapshot
	changed chan struct{}
	calls   []string
	err     error
	checks  []runbook.Check
	// hold, when set, makes Apply wait for release (or its context);
	// started receives once it waits, ended gets the context's error.
	hold    bool
	release chan struct{}
	started chan struct{}
	ended   chan error
}

func newFakeRunbook() *fakeRunbook {
	return &fakeRunbook{snap: runbookScenario(), changed: make(chan struct{}, 1),
		release: make(chan struct{}), started: make(chan struct{}, 1), ended: make(chan error, 1)}
}

func (f *fakeRunbook) Snapshot() runbook.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}

func (f *fakeRunbook) Changed() <-chan struct{} { return f.changed }

// set replaces the snapshot and signals Changed as the runner does.
func (f *fakeRunbook) set(edit func(*runbook.Snapshot)) {
	f.mu.Lock()
	snap := f.snap
	snap.Steps = slices.Clone(snap.Steps)
	edit(&snap)
	f.snap = snap
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// record notes a call and returns the canned error.
func (f *fakeRunbook) record(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	return f.err
}

// answer makes every later call fail with err, and Verify report checks.
func (f *fakeRunbook) answer(err error, checks []runbook.Check) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.checks = err, checks
}

// holdApply makes later applies wait for release or their context.
func (f *fakeRunbook) holdApply() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = true
}

func (f *fakeRunbook) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeRunbook) Plan(_ context.Context, id string) (runbook.ChangeSet, error) {
	if err := f.record("plan " + id); err != nil {
		return runbook.ChangeSet{}, err
	}
	cs := ordersAPIPlan()
	cs.Step = id
	f.set(func(s *runbook.Snapshot) { setStep(s, id, func(v *runbook.StepView) { v.Plan = &cs }) })
	return cs, nil
}

func (f *fakeRunbook) Apply(ctx context.Context, id string) error {
	if err := f.record("apply " + id); err != nil {
		return err
	}
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold {
		f.started <- struct{}{}
		select {
		case <-f.release:
		case <-ctx.Done():
			f.ended <- ctx.Err()
			return ctx.Err()
		}
	}
	f.set(func(s *runbook.Snapshot) {
		setStep(s, id, func(v *runbook.StepView) { v.State, v.Progress, v.Applied = runbook.StateApplied, nil, true })
		s.Busy = ""
	})
	return nil
}

func (f *fakeRunbook) Verify(_ context.Context, id string) ([]runbook.Check, error) {
	err := f.record("verify " + id)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.checks, err
}

func (f *fakeRunbook) Rollback(_ context.Context, id string) error {
	return f.record("undo " + id)
}

func (f *fakeRunbook) Skip(_ context.Context, id, reason string) error {
	return f.record(fmt.Sprintf("skip %s: %s", id, reason))
}

func setStep(s *runbook.Snapshot, id string, edit func(*runbook.StepView)) {
	for i := range s.Steps {
		if s.Steps[i].ID == id {
			edit(&s.Steps[i])
		}
	}
}

// withRunbook gives the cockpit a fake runbook in the scenario's states.
func withRunbook(fb *fakeRunbook) func(*Config) {
	return func(c *Config) { c.Runbook = fb }
}

// newRunbookModel is the cockpit with a fake runbook, the runbook screen
// open on the step named (the first when "").
func newRunbookModel(t testing.TB, w, h int, stepID string, edit ...func(*Config)) (Model, *fakeRunbook) {
	t.Helper()
	fb := newFakeRunbook()
	m, _ := newTestModel(t, w, h, append([]func(*Config){withRunbook(fb)}, edit...)...)
	m = step(t, m, openRunbookMsg{step: stepID})
	if _, ok := m.top().(*runbookScreen); !ok {
		t.Fatalf("top is %T, want the runbook", m.top())
	}
	return m, fb
}

func rbScreen(m Model) *runbookScreen {
	for _, s := range m.stack {
		if r, ok := s.(*runbookScreen); ok {
			return r
		}
	}
	return nil
}

// at is the scenario's clock minus a few minutes.
func at(minutes float64) time.Time { return now.Add(-time.Duration(minutes * float64(time.Minute))) }

// PlanRollback names what the rollback deletes, as a step kind would.
func (f *fakeRunbook) PlanRollback(_ context.Context, id string) (runbook.ChangeSet, error) {
	return runbook.ChangeSet{Step: id, Changes: []runbook.Change{{Op: runbook.OpDelete, Kind: "Deployment", Name: id}},
		Notes: []string{"objects that existed before are restored"}}, nil
}

// RequestStop finds nothing in the way: the runbook screen's tests never
// stop another ferry.
func (f *fakeRunbook) RequestStop(context.Context, string) (string, error) { return "", nil }
