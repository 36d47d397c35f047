package runbook

import (
	"context"
	"testing"
	"time"
)

// markingStep marks each message while applying.
type markingStep struct {
	*fakeStep
	marks []string
}

func (m *markingStep) Apply(ctx context.Context, rec Recorder) error {
	mk, ok := rec.(Marker)
	if !ok {
		panic("the runner's recorder does not implement Marker")
	}
	for _, msg := range m.marks {
		if err := mk.Mark(msg); err != nil {
			return err
		}
	}
	return nil
}

// Markers are journaled at once, however tight the progress throttle, and
// the last one stays on the step's state across a reload.
func TestRunnerMarkersAreJournaledAndFolded(t *testing.T) {
	t.Parallel()
	s := &markingStep{fakeStep: newFake("cutover/orders/orders-api/10"),
		marks: []string{"cutover: 10% to EKS", "cutover: back to 100/0"}}
	j := tempJournal(t)
	r := newRunner(t, Config{Journal: j, ProgressEvery: time.Hour}, s)
	if err := r.Apply(t.Context(), s.id); err != nil {
		t.Fatal(err)
	}
	recs, err := j.Records()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range recs {
		if rec.Outcome == OutcomeMarker {
			got = append(got, rec.Summary)
		}
	}
	if len(got) != 2 || got[0] != s.marks[0] || got[1] != s.marks[1] {
		t.Errorf("journaled markers = %q, want %q", got, s.marks)
	}
	if st := r.State(s.id); st.Marker != s.marks[1] || st.State != StateApplied {
		t.Errorf("state = %s, marker %q; want applied with the last marker", st.State, st.Marker)
	}
	r2 := newRunner(t, Config{Journal: j}, s)
	if st := r2.State(s.id); st.Marker != s.marks[1] {
		t.Errorf("after reload marker = %q, want %q", st.Marker, s.marks[1])
	}
	var events int
	for _, e := range r.Snapshot().Events {
		if e.Outcome == OutcomeMarker {
			events++
		}
	}
	if events != 2 {
		t.Errorf("%d marker events, want 2", events)
	}
}
