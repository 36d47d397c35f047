package runbook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Config is what a Runner needs.
type Config struct {
	Steps   []Step   // any order; NewRunner orders them
	Journal *Journal // required; open it JournalReadOnly with ReadOnly
	// Lock is held by Apply, Rollback and Skip. Nil means no lock: for
	// tests and single-operator sandboxes only.
	Lock     *Lock
	Operator Operator
	Run      string // this process's run id; NewRunID() when empty
	// ReadOnly makes Apply, Rollback and Skip return ErrReadOnly before
	// touching the lock or the journal; Plan and Verify still run, their
	// results kept in memory only.
	ReadOnly bool
	// MaxEvents bounds Snapshot's event list (200 when 0).
	MaxEvents int
	// ProgressEvery is the least time between two journaled progress
	// records of one apply (250ms when 0); the snapshot sees every one.
	ProgressEvery time.Duration
}

// Runner walks a runbook: it runs steps' Plan, Apply, Verify and Rollback,
// journals each, holds the lock while changing things, and derives every
// step's state from the journal. Its methods are safe for concurrent use;
// mutations (Apply, Rollback, Skip) run one at a time.
type Runner struct {
	cfg   Config
	steps []Step
	byID  map[string]Step
	ops   chan struct{} // a token: one mutation at a time in this process

	mu     sync.Mutex
	states map[string]StepState // folded, not settled
	seen   int                  // journal records folded from the file
	live   []string             // runs whose open changes are not interrupted
	plans  map[string]ChangeSet
	busy   string // step this runner is applying or rolling back
	// stopOp cancels the apply in flight (nil when none); stopAsked is
	// when RequestStop last asked another ferry to stop, whose lock the
	// next mutation then waits for.
	stopOp    context.CancelCauseFunc
	stopID    string
	stopAsked time.Time
	damage    []Damage
	events    []Event
	dropped   int
	changed   chan struct{}
}

// NewRunID returns a run id unique to this process: time, pid, random.
func NewRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", time.Now().UTC().Format("20060102T150405Z"), os.Getpid(), hex.EncodeToString(b[:]))
}

// NewRunner orders the steps and reads the journal.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.Journal == nil {
		return nil, errors.New("runbook: no journal; open one with OpenJournal")
	}
	if !cfg.ReadOnly && cfg.Journal.ReadOnly() {
		return nil, errors.New("runbook: the journal is open read-only but the runner is not; pass ReadOnly too")
	}
	steps, err := Order(cfg.Steps)
	if err != nil {
		return nil, err
	}
	if cfg.Run == "" && cfg.Lock != nil {
		cfg.Run = cfg.Lock.cfg.Run
	}
	if cfg.Run == "" {
		cfg.Run = NewRunID()
	}
	if cfg.Lock != nil {
		// The Lease names the run holding it, so other processes know
		// its open journal records are live.
		cfg.Lock.cfg.Run = cfg.Run
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 200
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	r := &Runner{
		cfg: cfg, steps: steps, byID: map[string]Step{}, ops: make(chan struct{}, 1),
		live: []string{cfg.Run}, plans: map[string]ChangeSet{},
		changed: make(chan struct{}, 1),
	}
	for _, s := range steps {
		r.byID[s.ID()] = s
	}
	if err := r.reload(""); err != nil {
		return nil, err
	}
	return r, nil
}

// Run is this runner's run id.
func (r *Runner) Run() string { return r.cfg.Run }

// Steps are the runbook's steps in dependency order.
func (r *Runner) Steps() []Step { return append([]Step(nil), r.steps...) }

// Reload re-reads the journal, picking up what other ferry processes
// wrote. With a Lock it also asks who holds it, so an apply running in
// another live process shows as applying rather than interrupted.
func (r *Runner) Reload(ctx context.Context) error {
	other := ""
	if r.cfg.Lock != nil {
		h, err := r.cfg.Lock.Peek(ctx)
		if err != nil {
			return err
		}
		if h != nil {
			other = h.Run
		}
	}
	return r.reload(other)
}

func (r *Runner) reload(otherLive string) error {
	log, err := r.cfg.Journal.Read()
	if err != nil {
		return err
	}
	states := foldAll(log.Records)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range log.Records[min(r.seen, len(log.Records)):] {
		if rec.Outcome != OutcomeProgress {
			r.addEventLocked(rec)
		}
	}
	r.states, r.seen, r.damage = states, len(log.Records), log.Damage
	r.live = []string{r.cfg.Run}
	if otherLive != "" {
		r.live = append(r.live, otherLive)
	}
	r.notify()
	return nil
}

// step finds a step by ID.
func (r *Runner) step(id string) (Step, error) {
	s, ok := r.byID[id]
	if !ok {
		return nil, fmt.Errorf("no step %q in this runbook; `ferry plan` lists the step IDs", id)
	}
	return s, nil
}

// State is one step's current state.
func (r *Runner) State(id string) StepState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stateLocked(id)
}

func (r *Runner) stateLocked(id string) StepState {
	st, ok := r.states[id]
	if !ok {
		return StepState{State: StatePending}
	}
	return st.settle(r.live)
}

// write journals rec (unless read-only) and folds it into the states.
func (r *Runner) write(rec Record) error { return r.record(rec, true) }

// record stamps rec, journals it when journal is set and the runner is not
// read-only, then folds it in and tells Changed.
func (r *Runner) record(rec Record, journal bool) error {
	rec.Time = time.Now().UTC()
	rec.Operator, rec.Run = r.cfg.Operator, r.cfg.Run
	journal = journal && !r.cfg.ReadOnly
	if journal {
		if err := r.cfg.Journal.Append(rec); err != nil {
			return err
		}
	}
	r.mu.Lock()
	if journal {
		r.seen++
	}
	foldInto(r.states, rec)
	if rec.Outcome != OutcomeProgress {
		r.addEventLocked(rec)
	}
	r.mu.Unlock()
	r.notify()
	return nil
}

// notify wakes a Changed reader without ever blocking.
func (r *Runner) notify() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// Changed receives after the runner's state changed; changes coalesce
// (capacity 1), so read Snapshot after each receive.
func (r *Runner) Changed() <-chan struct{} { return r.changed }
