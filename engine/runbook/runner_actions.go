package runbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Plan computes step id's change set and journals a summary (operations
// and object names, never before/after bodies). The full change set stays
// in memory for Snapshot.
func (r *Runner) Plan(ctx context.Context, id string) (ChangeSet, error) {
	s, err := r.step(id)
	if err != nil {
		return ChangeSet{}, err
	}
	if err := r.write(Record{Step: id, Action: ActionPlan, Outcome: OutcomeStarted}); err != nil {
		return ChangeSet{}, err
	}
	cs, err := s.Plan(ctx)
	if err != nil {
		err = fmt.Errorf("plan %s: %w", id, cause(ctx, err))
		return ChangeSet{}, errors.Join(err, r.write(Record{Step: id, Action: ActionPlan, Outcome: OutcomeFailed, Error: err.Error()}))
	}
	if cs.Step == "" {
		cs.Step = id
	}
	r.mu.Lock()
	r.plans[id] = cs
	r.mu.Unlock()
	rec := Record{Step: id, Action: ActionPlan, Outcome: OutcomeOK, Summary: summarize(cs), Changes: withoutBodies(cs.Changes)}
	return cs, r.write(rec)
}

// Verify runs step id's checks and journals them with their evidence. A
// failing check is not an error: the step's state becomes failed.
func (r *Runner) Verify(ctx context.Context, id string) ([]Check, error) {
	s, err := r.step(id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	busy := r.busy == id
	r.mu.Unlock()
	if busy {
		return nil, fmt.Errorf("step %s is being changed by this ferry; verify it when that ends", id)
	}
	if err := r.write(Record{Step: id, Action: ActionVerify, Outcome: OutcomeStarted}); err != nil {
		return nil, err
	}
	checks, err := s.Verify(ctx)
	if err != nil {
		err = fmt.Errorf("verify %s: %w", id, cause(ctx, err))
		return checks, errors.Join(err, r.write(Record{Step: id, Action: ActionVerify, Outcome: OutcomeFailed, Checks: checks, Error: err.Error()}))
	}
	summary := fmt.Sprintf("%d checks passed", len(checks))
	if f := failedChecks(checks); f != "" {
		summary = f
	}
	return checks, r.write(Record{Step: id, Action: ActionVerify, Outcome: OutcomeOK, Checks: checks, Summary: summary})
}

// Skip marks step id skipped, with the reason in the journal. Steps that
// depend on it may then be applied.
func (r *Runner) Skip(ctx context.Context, id, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("skip %s: give a reason; the journal records why a step was skipped", id)
	}
	return r.mutate(ctx, id, func(ctx context.Context, s Step, note string) error {
		return r.write(Record{Step: id, Action: ActionSkip, Outcome: OutcomeOK, Summary: joinNote(reason, note)})
	})
}

// Apply applies step id while holding the lock. It refuses when a
// dependency is neither applied, verified nor skipped.
func (r *Runner) Apply(ctx context.Context, id string) error {
	return r.mutate(ctx, id, func(ctx context.Context, s Step, note string) error {
		if err := r.depsReady(s); err != nil {
			return err
		}
		// RequestStop may stop an apply (a stage's dwell); a rollback it
		// would interrupt is the very thing it makes room for.
		ctx, stop := context.WithCancelCause(ctx)
		defer stop(nil)
		r.setStopOp(id, stop)
		defer r.setStopOp("", nil)
		return r.change(ctx, s, ActionApply, note, func(rec Recorder) error { return s.Apply(ctx, rec) })
	})
}

// Rollback undoes step id while holding the lock, passing the step the
// undo payloads its applies saved since the last completed rollback,
// oldest first, each checked against the sha256 the journal recorded.
func (r *Runner) Rollback(ctx context.Context, id string) error {
	return r.mutate(ctx, id, func(ctx context.Context, s Step, note string) error {
		undo, err := r.undoFor(id)
		if err != nil {
			return err
		}
		return r.change(ctx, s, ActionRollback, note, func(rec Recorder) error { return s.Rollback(ctx, undo, rec) })
	})
}

// PlanRollback says what rolling step id back would do, from the undo
// records a Rollback would pass it, without changing anything: the step's
// own account when it is a RollbackPlanner, else how many saved states it
// would restore.
func (r *Runner) PlanRollback(ctx context.Context, id string) (ChangeSet, error) {
	s, err := r.step(id)
	if err != nil {
		return ChangeSet{}, err
	}
	undo, err := r.undoFor(id)
	if err != nil {
		return ChangeSet{Step: id}, err
	}
	if p, ok := s.(RollbackPlanner); ok {
		cs, err := p.PlanRollback(ctx, undo)
		cs.Step = id
		return cs, err
	}
	return ChangeSet{Step: id, Notes: []string{fmt.Sprintf(
		"restores what %d undo record(s) saved before %s's writes: objects that existed are put back, objects it created are deleted", len(undo), id)}}, nil
}

// change journals started, runs fn with a recorder, then journals ok or
// failed.
func (r *Runner) change(ctx context.Context, s Step, action Action, note string, fn func(Recorder) error) error {
	id := s.ID()
	if err := r.write(Record{Step: id, Action: action, Outcome: OutcomeStarted, Summary: note}); err != nil {
		return err
	}
	r.setBusy(id)
	defer r.setBusy("")
	rec := &recorder{r: r, step: id, action: action}
	err := fn(rec)
	rec.flush()
	if err != nil {
		err = fmt.Errorf("%s %s: %w", action, id, cause(ctx, err))
		return errors.Join(err, r.write(Record{Step: id, Action: action, Outcome: OutcomeFailed, Error: err.Error()}))
	}
	return r.write(Record{Step: id, Action: action, Outcome: OutcomeOK})
}

func (r *Runner) setBusy(id string) {
	r.mu.Lock()
	r.busy = id
	r.mu.Unlock()
	r.notify()
}

// depsReady names the first dependency that is not applied, verified or
// skipped.
func (r *Runner) depsReady(s Step) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range s.Deps() {
		switch st := r.stateLocked(d); st.State {
		case StateApplied, StateVerified, StateSkipped:
		default:
			return fmt.Errorf("step %s depends on %s, which is %s; apply (or verify, or skip) %s first", s.ID(), d, st.State, d)
		}
	}
	return nil
}

// undoFor reads back the payloads a rollback of id gets.
func (r *Runner) undoFor(id string) ([]json.RawMessage, error) {
	r.mu.Lock()
	st := r.stateLocked(id)
	r.mu.Unlock()
	if len(st.Undo) == 0 {
		// Steps save undo before each write, so none means nothing was
		// written since the last rollback.
		return nil, fmt.Errorf("nothing to roll back: the journal holds no undo records for step %s since its last rollback (it is %s)", id, st.State)
	}
	undo := make([]json.RawMessage, 0, len(st.Undo))
	for _, ref := range st.Undo {
		b, err := r.cfg.Journal.undo.load(ref)
		if err != nil {
			return nil, fmt.Errorf("roll back %s: %w", id, err)
		}
		undo = append(undo, b)
	}
	return undo, nil
}

// cause prefers the reason a context was cancelled (the lock was lost)
// over a bare "context canceled".
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && !errors.Is(err, c) && errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w (%w)", err, c)
	}
	return err
}

func joinNote(s, note string) string {
	if note == "" {
		return s
	}
	return s + "; " + note
}

// mutate runs fn for step id as this process's only mutation, holding the
// lock (when configured) with a context cancelled if the lock is lost, and
// with states freshly read from the journal.
func (r *Runner) mutate(ctx context.Context, id string, fn func(context.Context, Step, string) error) error {
	if r.cfg.ReadOnly {
		return ErrReadOnly
	}
	s, err := r.step(id)
	if err != nil {
		return err
	}
	select {
	case r.ops <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: waiting for this ferry's other change to end: %w", id, ctx.Err())
	}
	defer func() { <-r.ops }()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	note := ""
	if l := r.cfg.Lock; l != nil {
		held, err := l.AcquireWithin(ctx, r.lockWait(l))
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		defer r.release(ctx, held)
		if t := held.TookOver; t != nil {
			note = fmt.Sprintf("took over the stale lock of %s (last renewed %s)", t.Holder, t.Renewed.UTC().Format(time.RFC3339))
		}
		go func() {
			select {
			case <-held.Lost():
				cancel(held.Err())
			case <-held.StopRequested():
				cancel(ErrStopRequested{By: held.StopBy()})
			case <-ctx.Done():
			}
		}()
	}
	// Under the lock nobody else applies: re-read what others journaled
	// before deciding anything.
	if err := r.reload(""); err != nil {
		return err
	}
	return fn(ctx, s, note)
}

// release gives the lock back even when ctx was cancelled (Ctrl-C).
func (r *Runner) release(ctx context.Context, held *Held) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := held.Release(ctx); err != nil {
		r.warn(err.Error() + " (the lease goes stale by itself within its duration)")
	}
}
