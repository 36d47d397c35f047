package runbook

import (
	"fmt"
	"strings"
	"time"
)

// StepState is what the journal says about one step.
type StepState struct {
	State State
	// Applied is true once an apply completed and until a rollback
	// completes, whatever verify said since: a failing check leaves State
	// failed but the step's changes are still in place.
	Applied bool
	// Action, Outcome, Time and Run describe the last record that was not
	// progress or an undo reference.
	Action  Action
	Outcome Outcome
	Time    time.Time
	Run     string
	// Error is the last failure: a failed record's error, or the checks
	// that failed. An ok apply, verify, rollback or skip clears it.
	Error string
	// Checks are the last verify's checks, with evidence.
	Checks []Check
	// Progress is the last progress of the current (or interrupted) apply
	// or rollback; nil before any.
	Progress *Progress
	// Undo are the undo payloads saved by applies since the last completed
	// rollback, oldest first: what the next Rollback receives.
	Undo []UndoRef
	// Marker is the step's last marker message ("cutover: 50% to EKS"),
	// "" before any: where a cutover stood when ferry stopped.
	Marker string

	openRun string // run of an apply or rollback started and not ended
}

// States derives every journaled step's state from records, in order.
// Steps absent from the journal have no entry: they are pending. An apply or rollback that
// started and never ended is applying while its run is one of live (the
// caller's own run id, say) and interrupted otherwise: its process is gone.
func States(records []Record, live ...string) map[string]StepState {
	m := foldAll(records)
	for id, st := range m {
		m[id] = st.settle(live)
	}
	return m
}

// foldAll folds records into states without settling open changes.
func foldAll(records []Record) map[string]StepState {
	m := map[string]StepState{}
	for _, r := range records {
		foldInto(m, r)
	}
	return m
}

func foldInto(m map[string]StepState, r Record) {
	st, ok := m[r.Step]
	if !ok {
		st.State = StatePending
	}
	st.fold(r)
	m[r.Step] = st
}

// settle turns an open apply or rollback of a run that is not live into
// interrupted.
func (st StepState) settle(live []string) StepState {
	if st.State != StateApplying {
		return st
	}
	for _, run := range live {
		if run == st.openRun {
			return st
		}
	}
	st.State = StateInterrupted
	return st
}

// fold applies one record to the state.
func (st *StepState) fold(r Record) {
	switch r.Outcome {
	case OutcomeProgress:
		st.Progress = &Progress{Done: r.Done, Total: r.Total, Message: r.Summary}
		return
	case OutcomeMarker:
		st.Marker = r.Summary
		return
	case OutcomeUndo:
		// Undo saved by a rollback is not something a later rollback can
		// use: it would undo the undo.
		if r.Action == ActionApply && r.UndoRef != nil {
			st.Undo = append(st.Undo, *r.UndoRef)
		}
		return
	}
	st.Action, st.Outcome, st.Time, st.Run = r.Action, r.Outcome, r.Time, r.Run
	switch r.Action {
	case ActionPlan:
		st.foldPlan(r)
	case ActionApply, ActionRollback:
		st.foldChange(r)
	case ActionVerify:
		st.foldVerify(r)
	case ActionSkip:
		if r.Outcome == OutcomeOK {
			st.State, st.Error, st.openRun = StateSkipped, "", ""
		}
	}
	if r.Outcome == OutcomeFailed {
		st.Error = r.Error
	}
}

// foldPlan: planning changes nothing in the world, so it only moves a step
// that has nothing applied or pending (pending, planned, rolled back,
// skipped) to planned.
func (st *StepState) foldPlan(r Record) {
	if r.Outcome != OutcomeOK {
		return
	}
	switch st.State {
	case StatePending, StatePlanned, StateRolledBack, StateSkipped:
		st.State = StatePlanned
	}
}

func (st *StepState) foldChange(r Record) {
	switch r.Outcome {
	case OutcomeStarted:
		st.State, st.openRun, st.Progress, st.Error = StateApplying, r.Run, nil, ""
	case OutcomeOK:
		st.openRun, st.Error = "", ""
		if r.Action == ActionApply {
			st.State, st.Applied = StateApplied, true
		} else {
			st.State, st.Applied, st.Undo = StateRolledBack, false, nil
		}
	case OutcomeFailed:
		st.State, st.openRun = StateFailed, ""
	}
}

// foldVerify: a verify settles an interrupted step either way (verified,
// or failed with the evidence), which is the point of offering it.
func (st *StepState) foldVerify(r Record) {
	switch r.Outcome {
	case OutcomeOK:
		st.Checks, st.openRun = r.Checks, ""
		if failed := failedChecks(r.Checks); failed != "" {
			st.State, st.Error = StateFailed, failed
			return
		}
		st.State, st.Error = StateVerified, ""
	case OutcomeFailed:
		st.State, st.openRun = StateFailed, ""
	}
}

// failedChecks names the failing checks, "" when all pass.
func failedChecks(cs []Check) string {
	var names []string
	for _, c := range cs {
		if !c.OK {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d checks failed: %s", len(names), len(cs), strings.Join(names, ", "))
}
