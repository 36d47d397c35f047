package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// action is what the operator asks of a step.
type action string

const (
	actPlan     action = "plan"
	actApply    action = "apply"
	actVerify   action = "verify"
	actRollback action = "undo"
	actSkip     action = "skip"
)

// mutates reports whether the action changes a cluster or the journal's
// verdict, and so asks for confirmation first.
func (a action) mutates() bool { return a == actApply || a == actRollback || a == actSkip }

func (a action) ing() string {
	return map[action]string{actPlan: "planning", actApply: "applying", actVerify: "verifying",
		actRollback: "rolling back", actSkip: "skipping"}[a]
}

// job is an action this screen started and has no answer to yet.
type job struct {
	act action
	id  string
}

// runbookSnapMsg brings a new runbook snapshot to the screen that waits.
type runbookSnapMsg struct {
	screen uint64
	snap   runbook.Snapshot
}

// actionDoneMsg is an action's answer, with the snapshot read after it.
type actionDoneMsg struct {
	screen uint64
	act    action
	id     string
	plan   runbook.ChangeSet
	checks []runbook.Check
	err    error
	snap   runbook.Snapshot
}

// waitForRunbook is the self-re-arming wait on the runbook, as
// waitForChange is on the inventory; ctx (the screen's) ends it.
func waitForRunbook(ctx context.Context, rb Runbook, screen uint64) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-rb.Changed():
			return runbookSnapMsg{screen: screen, snap: rb.Snapshot()}
		case <-ctx.Done():
			return nil
		}
	}
}

// runAction runs one action off the loop. It takes only copied values.
func runAction(ctx context.Context, rb Runbook, screen uint64, a action, id, reason string) tea.Cmd {
	return func() tea.Msg {
		msg := actionDoneMsg{screen: screen, act: a, id: id}
		switch a {
		case actPlan:
			msg.plan, msg.err = rb.Plan(ctx, id)
		case actApply:
			msg.err = rb.Apply(ctx, id)
		case actVerify:
			msg.checks, msg.err = rb.Verify(ctx, id)
		case actRollback:
			msg.err = rb.Rollback(ctx, id)
		case actSkip:
			msg.err = rb.Skip(ctx, id, reason)
		}
		msg.snap = rb.Snapshot()
		return msg
	}
}

// read starts a plan or verify of the selected step: they change
// nothing, so they ask nothing and run beside an apply.
func (r *runbookScreen) read(a action) tea.Cmd {
	v, ok := r.selected()
	if !ok {
		return nil
	}
	if slices.Contains(r.jobs, job{a, v.ID}) {
		return statusErr(fmt.Sprintf("%s %s: already running", a.ing(), v.ID))
	}
	return r.start(a, v.ID, "")
}

func (r *runbookScreen) start(a action, id, reason string) tea.Cmd {
	r.jobs = append(r.jobs, job{a, id})
	return runAction(r.ctx, r.rb, r.id, a, id, reason)
}

// busy says why no mutation may start now: one is running, here or (by
// the journal) in another live ferry.
func (r *runbookScreen) busy() string {
	for _, j := range r.jobs {
		if j.act.mutates() {
			return fmt.Sprintf("%s %s: wait for it", j.act.ing(), j.id)
		}
	}
	for _, v := range r.snap.Steps {
		if v.ID == r.snap.Busy || v.State == runbook.StateApplying {
			verb := actApply.ing()
			if v.Action == runbook.ActionRollback {
				verb = actRollback.ing()
			}
			return fmt.Sprintf("%s %s: wait for it", verb, v.ID)
		}
	}
	return ""
}

// done takes an action's answer: the snapshot read after it, and a line
// for the status bar.
func (r *runbookScreen) done(msg actionDoneMsg) tea.Cmd {
	if i := slices.Index(r.jobs, job{msg.act, msg.id}); i >= 0 {
		r.jobs = slices.Delete(r.jobs, i, i+1)
	}
	r.setSnapshot(msg.snap)
	if msg.err != nil {
		return statusErr(r.actionError(msg.act, msg.id, msg.err))
	}
	switch msg.act {
	case actPlan:
		return status(fmt.Sprintf("planned %s: %s", msg.id, changeSummary(msg.plan)))
	case actVerify:
		failed := 0
		for _, c := range msg.checks {
			if !c.OK {
				failed++
			}
		}
		if failed > 0 {
			return statusErr(fmt.Sprintf("verify %s: %d of %d checks failed (the step is failed; u rolls it back)", msg.id, failed, len(msg.checks)))
		}
		return status(fmt.Sprintf("verified %s: %d checks passed", msg.id, len(msg.checks)))
	case actApply:
		return status("applied " + msg.id + "; v verifies it")
	case actRollback:
		return status("rolled back " + msg.id)
	}
	return status("skipped " + msg.id)
}

// actionError says what went wrong and what to do about it.
func (r *runbookScreen) actionError(a action, id string, err error) string {
	return actionErrorText(r.now, a, id, err)
}

// changeSummary counts a change set's operations.
func changeSummary(cs runbook.ChangeSet) string {
	n := map[runbook.Op]int{}
	for _, c := range cs.Changes {
		n[c.Op]++
	}
	s := fmt.Sprintf("%d create, %d update, %d delete, %d unchanged",
		n[runbook.OpCreate], n[runbook.OpUpdate], n[runbook.OpDelete], n[runbook.OpNone])
	switch len(cs.Notes) {
	case 0:
	case 1:
		s += ", 1 note"
	default:
		s += fmt.Sprintf(", %d notes", len(cs.Notes))
	}
	return s
}

// trimmed is a prompt's answer without the spaces around it.
func trimmed(p *prompt) string { return strings.TrimSpace(p.Value()) }
