package cutover

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// dwell holds the stage for its dwell, asking the gates every interval. A
// failing gate puts back the weights the stage started from and fails the
// stage with the gate's evidence; a router moved by someone else stops the
// stage without touching anything.
func (s *stageStep) dwell(ctx context.Context, rec runbook.Recorder, prior *undoRecord) error {
	d := s.stage().Dwell
	start := time.Now()
	end := start.Add(d)
	s.board(func(st *Status) { st.Phase, st.DwellStart, st.DwellEnd = "dwelling", start, end })
	tick := time.NewTicker(s.cfg.Interval)
	defer tick.Stop()
	for {
		s.progress(rec, end, d)
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped during the %d%% dwell with traffic at %s (left as it is): %w", s.stage().Percent, s.want(), context.Cause(ctx))
		case <-tick.C:
		}
		if err := s.stillSet(ctx); err != nil {
			return err
		}
		results, failed := checkGates(ctx, s.cfg.Gates)
		s.board(func(st *Status) { st.Gates = results })
		if failed != nil {
			return s.fallBack(ctx, rec, prior, *failed)
		}
		if !time.Now().Before(end) {
			rec.Progress(runbook.Progress{Done: int(d.Seconds()), Total: int(d.Seconds()), Message: fmt.Sprintf("dwelt %s at %d%% with every gate passing", d, s.stage().Percent)})
			return nil
		}
	}
}

// progress reports the dwell in seconds: done of total, and the time left.
func (s *stageStep) progress(rec runbook.Recorder, end time.Time, d time.Duration) {
	left := time.Until(end).Round(time.Second)
	if left < 0 {
		left = 0
	}
	done := d - left
	rec.Progress(runbook.Progress{Done: int(done.Seconds()), Total: int(d.Seconds()),
		Message: fmt.Sprintf("dwelling at %d%%: %s left", s.stage().Percent, left)})
}

// stillSet reads every router: one that does not hold the stage's weights
// was moved by someone else (another ferry's rollback), so the stage stops
// and leaves traffic where that left it.
func (s *stageStep) stillSet(ctx context.Context) error {
	rs := readRouters(ctx, s.cfg.Routers)
	s.board(func(st *Status) { st.Routers = rs })
	var moved []string
	for _, r := range rs {
		switch {
		case r.Err != "":
			return fmt.Errorf("read %s during the dwell: %s; traffic left at %s", r.Name, r.Err, s.want())
		case r.Weights != s.want():
			moved = append(moved, fmt.Sprintf("%s holds %s", r.Name, r.Weights))
		}
	}
	if len(moved) > 0 {
		return fmt.Errorf("%w: %s, this stage set %s; left as it is", errMoved, strings.Join(moved, ", "), s.want())
	}
	return nil
}

// fallBack puts every router back to the weights before the stage and
// fails the stage naming the gate and its evidence.
func (s *stageStep) fallBack(ctx context.Context, rec runbook.Recorder, prior *undoRecord, failed GateResult) error {
	s.board(func(st *Status) { st.Phase = "rolling back" })
	var back []string
	for _, r := range s.cfg.Routers {
		u, ok := prior.router(r.Name())
		if !ok {
			return fmt.Errorf("gate %q failed (%s) but %s has no saved weights to return to; run ferry rollback", failed.Gate, failed.Evidence, r.Name())
		}
		if err := r.Set(ctx, u.Weights); err != nil {
			return fmt.Errorf("gate %q failed (%s); returning %s to %s failed too: %w; run ferry rollback", failed.Gate, failed.Evidence, r.Name(), u.Weights, err)
		}
		back = append(back, r.Name()+" "+u.Weights.String())
	}
	s.board(func(st *Status) { st.Routers = readRouters(ctx, s.cfg.Routers) })
	msg := fmt.Sprintf("cutover: gate %q failed at %d%%, traffic back to %s", failed.Gate, s.stage().Percent, strings.Join(back, ", "))
	if err := mark(rec, msg); err != nil {
		return err
	}
	return fmt.Errorf("gate %q failed during the %d%% dwell: %s; traffic is back at the weights before this stage (%s)",
		failed.Gate, s.stage().Percent, failed.Evidence, strings.Join(back, ", "))
}

func (u *undoRecord) router(name string) (routerUndo, bool) {
	for _, r := range u.Routers {
		if r.Name == name {
			return r, true
		}
	}
	return routerUndo{}, false
}

// Verify reads back every router's weights and asks every gate.
func (s *stageStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	var checks []runbook.Check
	for _, r := range readRouters(ctx, s.cfg.Routers) {
		c := runbook.Check{Name: "weights on " + r.Name}
		switch {
		case r.Err != "":
			c.Evidence = "cannot read: " + r.Err
		default:
			c.OK = r.Weights == s.want()
			c.Evidence = fmt.Sprintf("holds %s (source/target); this stage sets %s", r.Weights, s.want())
		}
		checks = append(checks, c)
	}
	results, _ := checkGates(ctx, s.cfg.Gates)
	s.board(func(st *Status) { st.Gates = results })
	for _, g := range results {
		checks = append(checks, runbook.Check{Name: "gate " + g.Gate, OK: g.OK, Evidence: g.Evidence})
	}
	return checks, nil
}

// Rollback restores every router exactly as the oldest saved undo found it:
// the weights, and any record or target group the stage created is gone.
func (s *stageStep) Rollback(ctx context.Context, undo []json.RawMessage, rec runbook.Recorder) error {
	if len(undo) == 0 {
		return fmt.Errorf("nothing saved to roll %s back to", s.ID())
	}
	var u undoRecord
	if err := json.Unmarshal(undo[0], &u); err != nil {
		return fmt.Errorf("read the saved state of %s: %w", s.ID(), err)
	}
	var back []string
	for _, r := range s.cfg.Routers {
		ru, ok := u.router(r.Name())
		if !ok {
			return fmt.Errorf("the journal holds no saved state for %s (was it added to the plan after this stage ran?); set it by hand", r.Name())
		}
		if err := r.Restore(ctx, ru.Snapshot); err != nil {
			return fmt.Errorf("restore %s: %w", r.Name(), err)
		}
		back = append(back, r.Name()+" "+ru.Weights.String())
	}
	s.board(func(st *Status) { st.Routers = readRouters(ctx, s.cfg.Routers) })
	return mark(rec, fmt.Sprintf("cutover: rolled back the %d%% stage, traffic at %s", s.stage().Percent, strings.Join(back, ", ")))
}

// PlanRollback says where each router goes back to: the weights and state
// before this stage first moved traffic.
func (s *stageStep) PlanRollback(ctx context.Context, undo []json.RawMessage) (runbook.ChangeSet, error) {
	cs := runbook.ChangeSet{Step: s.ID()}
	if len(undo) == 0 {
		return cs, fmt.Errorf("nothing saved to roll %s back to", s.ID())
	}
	var u undoRecord
	if err := json.Unmarshal(undo[0], &u); err != nil {
		return cs, fmt.Errorf("read the saved state of %s: %w", s.ID(), err)
	}
	for _, r := range s.cfg.Routers {
		ru, ok := u.router(r.Name())
		if !ok {
			return cs, fmt.Errorf("the journal holds no saved state for %s; set it by hand", r.Name())
		}
		now, err := r.Read(ctx)
		if err != nil {
			return cs, fmt.Errorf("read %s: %w", r.Name(), err)
		}
		op := runbook.OpUpdate
		if now == ru.Weights {
			op = runbook.OpNone
		}
		cs.Changes = append(cs.Changes, runbook.Change{Op: op, Kind: r.Kind(), Name: r.Name(), Before: now.String(), After: ru.Weights.String()})
	}
	cs.Notes = append(cs.Notes, fmt.Sprintf("every router goes back exactly as it was before the %d%% stage (source/target weights above); what the stage created, such as the target's record, is removed", s.stage().Percent))
	return cs, nil
}
