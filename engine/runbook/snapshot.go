package runbook

import (
	"slices"
	"time"
)

// Snapshot is a copy of the runner's state for a UI: it shares nothing
// with the runner.
type Snapshot struct {
	Run      string
	ReadOnly bool
	// Busy is the step this runner is applying or rolling back, "" if none.
	Busy  string
	Steps []StepView // dependency order
	// Events are the most recent journal events (not progress) and
	// warnings, oldest first; DroppedEvents counts older ones let go.
	Events        []Event
	DroppedEvents int
	// Damage lists journal lines that could not be read (a crash during a
	// write); show them as warnings.
	Damage []Damage
}

// StepView is one step as a UI shows it.
type StepView struct {
	ID, Kind, Title    string
	Namespace, Service string
	Deps               []string
	StepState
	// Plan is the last change set this process computed, with before and
	// after bodies (never journaled); nil before Plan.
	Plan *ChangeSet
}

// Event is one thing that happened: a journal record or a warning.
type Event struct {
	Time    time.Time
	Step    string
	Action  Action  // "" for a warning
	Outcome Outcome // "" for a warning
	Message string  // summary, error or warning text
}

// Snapshot copies the current state of every step and the recent events.
func (r *Runner) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{
		Run: r.cfg.Run, ReadOnly: r.cfg.ReadOnly, Busy: r.busy,
		Events: slices.Clone(r.events), DroppedEvents: r.dropped, Damage: slices.Clone(r.damage),
	}
	for _, st := range r.steps {
		ns, svc := st.Scope()
		v := StepView{
			ID: st.ID(), Kind: st.Kind(), Title: st.Title(), Namespace: ns, Service: svc,
			Deps: slices.Clone(st.Deps()), StepState: copyState(r.stateLocked(st.ID())),
		}
		if cs, ok := r.plans[st.ID()]; ok {
			cs.Changes, cs.Notes = slices.Clone(cs.Changes), slices.Clone(cs.Notes)
			v.Plan = &cs
		}
		s.Steps = append(s.Steps, v)
	}
	return s
}

func copyState(st StepState) StepState {
	st.Checks, st.Undo = slices.Clone(st.Checks), slices.Clone(st.Undo)
	if st.Progress != nil {
		p := *st.Progress
		st.Progress = &p
	}
	return st
}

// addEventLocked appends rec as an event, dropping the oldest past the cap.
func (r *Runner) addEventLocked(rec Record) {
	msg := rec.Summary
	if rec.Error != "" {
		msg = rec.Error
	}
	r.pushEventLocked(Event{Time: rec.Time, Step: rec.Step, Action: rec.Action, Outcome: rec.Outcome, Message: msg})
}

func (r *Runner) pushEventLocked(e Event) {
	if n := len(r.events) - r.cfg.MaxEvents + 1; n > 0 {
		r.events = slices.Delete(r.events, 0, n)
		r.dropped += n
	}
	r.events = append(r.events, e)
}

// warn adds a warning event: something the operator should see that is not
// a journal record.
func (r *Runner) warn(msg string) {
	r.mu.Lock()
	r.pushEventLocked(Event{Time: time.Now().UTC(), Message: msg})
	r.mu.Unlock()
	r.notify()
}
