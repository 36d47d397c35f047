package cutover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of a cutover stage.
const Kind = "cutover"

// Steps returns one runbook step per stage, each depending on the one
// before: the cutover as the runbook walks it.
func Steps(cfg Config) ([]runbook.Step, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	steps := make([]runbook.Step, len(cfg.Stages))
	for i := range cfg.Stages {
		steps[i] = &stageStep{cfg: &cfg, i: i}
	}
	return steps, nil
}

// StageStep is a cutover stage as a UI or the CLI sees it: a runbook step
// that also says its percentage, dwell and whether it starts by itself.
type StageStep interface {
	runbook.Step
	Percent() int
	Dwell() time.Duration
	Auto() bool
}

// stageStep moves the traffic to one stage's weights and dwells there.
type stageStep struct {
	cfg *Config
	i   int
}

func (s *stageStep) stage() Stage         { return s.cfg.Stages[s.i] }
func (s *stageStep) want() Weights        { return ToTarget(s.stage().Percent) }
func (s *stageStep) ID() string           { return StepID(s.cfg.Service, s.stage().Percent) }
func (s *stageStep) Kind() string         { return Kind }
func (s *stageStep) Auto() bool           { return s.stage().Auto }
func (s *stageStep) Percent() int         { return s.stage().Percent }
func (s *stageStep) Dwell() time.Duration { return s.stage().Dwell }

// Title says where the traffic goes and for how long.
func (s *stageStep) Title() string {
	return fmt.Sprintf("Send %d%% of %s's traffic to %s, dwell %s", s.stage().Percent, s.cfg.Service, s.cfg.TargetLabel, s.stage().Dwell)
}

// Deps: the first stage waits for the configured steps, each later stage
// for the one before it.
func (s *stageStep) Deps() []string {
	if s.i == 0 {
		return append([]string(nil), s.cfg.Deps...)
	}
	return []string{StepID(s.cfg.Service, s.cfg.Stages[s.i-1].Percent)}
}

// Scope is the service whose traffic moves.
func (s *stageStep) Scope() (string, string) { return s.cfg.Namespace, s.cfg.Service }

// checkDwell refuses a dwell shorter than any router's MinDwell, saying why.
func (s *stageStep) checkDwell(ctx context.Context) error {
	for _, r := range s.cfg.Routers {
		min, err := r.MinDwell(ctx)
		if err != nil {
			return fmt.Errorf("read %s: %w", r.Name(), err)
		}
		if d := s.stage().Dwell; d < min {
			return fmt.Errorf("the %d%% stage dwells %s, shorter than %s's TTL of %s: resolvers keep serving the old answer that long, so gates would judge traffic that has not moved; set its dwell to at least %s",
				s.stage().Percent, d, r.Name(), min, min)
		}
	}
	return nil
}

// Plan shows each router's change and how the stage will be watched.
func (s *stageStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	cs := runbook.ChangeSet{Step: s.ID()}
	if err := s.checkDwell(ctx); err != nil {
		return cs, err
	}
	for _, r := range s.cfg.Routers {
		ch, err := r.Plan(ctx, s.want())
		if err != nil {
			return cs, fmt.Errorf("plan %s: %w", r.Name(), err)
		}
		cs.Changes = append(cs.Changes, ch)
	}
	cs.Notes = append(cs.Notes,
		fmt.Sprintf("Traffic to %s becomes %d%% (source/target %s), then holds for %s while %s are checked every %s.",
			s.cfg.TargetLabel, s.stage().Percent, s.want(), s.stage().Dwell, s.gateNames(), s.cfg.Interval),
		"Gates are checked before anything moves; a gate failing during the dwell puts back the weights this stage started from, by itself.")
	if s.stage().Auto {
		cs.Notes = append(cs.Notes, "auto: this stage starts without confirmation once the stage before it completes.")
	}
	return cs, nil
}

func (s *stageStep) gateNames() string {
	if len(s.cfg.Gates) == 0 {
		return "no gates"
	}
	names := make([]string, len(s.cfg.Gates))
	for i, g := range s.cfg.Gates {
		names[i] = g.Name()
	}
	return "gates (" + strings.Join(names, ", ") + ")"
}

// undoRecord is what a stage saves before it moves traffic: each router's
// weights and exact state, so a gate failure returns to the weights and a
// rollback to the state.
type undoRecord struct {
	Stage   int          `json:"stage"`
	Routers []routerUndo `json:"routers"`
}

type routerUndo struct {
	Name     string          `json:"name"`
	Weights  Weights         `json:"weights"`
	Snapshot json.RawMessage `json:"snapshot"`
}

// Apply checks the gates, saves where traffic stands, moves it, then dwells.
// Re-applied after a crash, it starts from the weights saved the first time.
func (s *stageStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	if err := s.checkDwell(ctx); err != nil {
		return err
	}
	s.board(func(st *Status) { st.Stage, st.Phase, st.Want = s.ID(), "checking gates", s.want() })
	defer s.board(func(st *Status) { st.Stage, st.Phase, st.DwellStart, st.DwellEnd = "", "", time.Time{}, time.Time{} })
	prior, err := s.prior(ctx, rec)
	if err != nil {
		return err
	}
	results, failed := checkGates(ctx, s.cfg.Gates)
	s.board(func(st *Status) { st.Gates = results })
	if failed != nil {
		return fmt.Errorf("gate %q fails before any traffic moves: %s; traffic stays where it is", failed.Gate, failed.Evidence)
	}
	if prior == nil {
		if prior, err = s.saveUndo(ctx, rec); err != nil {
			return err
		}
	}
	s.board(func(st *Status) { st.Phase = "shifting" })
	if err := s.setAll(ctx, s.want()); err != nil {
		return err
	}
	if err := mark(rec, fmt.Sprintf("cutover: %d%% to %s (%s)", s.stage().Percent, s.cfg.TargetLabel, s.describe(s.want()))); err != nil {
		return err
	}
	return s.dwell(ctx, rec, prior)
}

// prior is the undo an earlier, interrupted apply of this stage saved (nil
// when there is none).
func (s *stageStep) prior(ctx context.Context, rec runbook.Recorder) (*undoRecord, error) {
	saved, err := rec.Saved()
	if err != nil || len(saved) == 0 {
		return nil, err
	}
	var u undoRecord
	if err := json.Unmarshal(saved[0], &u); err != nil {
		return nil, fmt.Errorf("read the weights an earlier apply of %s saved: %w", s.ID(), err)
	}
	return &u, nil
}

// saveUndo reads each router's weights and state and saves them, durably,
// before anything moves.
func (s *stageStep) saveUndo(ctx context.Context, rec runbook.Recorder) (*undoRecord, error) {
	u := &undoRecord{Stage: s.stage().Percent}
	for _, r := range s.cfg.Routers {
		w, err := r.Read(ctx)
		if err != nil {
			return nil, fmt.Errorf("read %s before moving traffic: %w", r.Name(), err)
		}
		snap, err := r.Snapshot(ctx)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s before moving traffic: %w", r.Name(), err)
		}
		u.Routers = append(u.Routers, routerUndo{Name: r.Name(), Weights: w, Snapshot: snap})
	}
	b, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	return u, rec.Save(b)
}

// setAll sets w on every router, in order.
func (s *stageStep) setAll(ctx context.Context, w Weights) error {
	for _, r := range s.cfg.Routers {
		if err := r.Set(ctx, w); err != nil {
			return fmt.Errorf("set %s to %s: %w", r.Name(), w, err)
		}
	}
	s.board(func(st *Status) { st.Routers = readRouters(ctx, s.cfg.Routers) })
	return nil
}

// describe is "route53 shop.acme.example. CNAME 90/10" for every router.
func (s *stageStep) describe(w Weights) string {
	parts := make([]string, len(s.cfg.Routers))
	for i, r := range s.cfg.Routers {
		parts[i] = r.Name() + " " + w.String()
	}
	return strings.Join(parts, ", ")
}

func (s *stageStep) board(fn func(*Status)) { s.cfg.Board.update(fn) }

// mark journals a marker when the recorder can (the runner's can) and
// reports it as progress otherwise.
func mark(rec runbook.Recorder, msg string) error {
	if m, ok := rec.(runbook.Marker); ok {
		if err := m.Mark(msg); err != nil {
			return fmt.Errorf("journal %q: %w", msg, err)
		}
		return nil
	}
	rec.Progress(runbook.Progress{Message: msg})
	return nil
}

// errMoved is returned when a router no longer holds the stage's weights:
// someone else moved traffic (ferry rollback from another terminal).
var errMoved = errors.New("weights changed outside this stage")
