package cutover

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Board is a cutover's live status for a UI: what each router holds, the
// gates' latest results, the stage in progress and its dwell. Steps write
// it; a UI takes Snapshot when Changed fires (coalesced, never blocking).
type Board struct {
	mu      sync.Mutex
	st      Status
	changed chan struct{}
}

// Status is a copy of a Board's state.
type Status struct {
	Routers []RouterStatus
	Gates   []GateResult
	// Stage is the step applying now ("" when none), Phase what it does:
	// "checking gates", "shifting", "dwelling", "rolling back".
	Stage, Phase string
	// Want is the weights the stage sets; DwellStart and DwellEnd bound its
	// dwell (zero outside one).
	Want                 Weights
	DwellStart, DwellEnd time.Time
}

// RouterStatus is one router as last read.
type RouterStatus struct {
	Name, Kind string
	Weights    Weights
	Err        string // why it could not be read
	At         time.Time
}

// NewBoard returns an empty board.
func NewBoard() *Board { return &Board{changed: make(chan struct{}, 1)} }

// Snapshot copies the status.
func (b *Board) Snapshot() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.st
	s.Routers, s.Gates = slices.Clone(s.Routers), slices.Clone(s.Gates)
	return s
}

// Changed fires after updates, coalesced.
func (b *Board) Changed() <-chan struct{} { return b.changed }

func (b *Board) update(fn func(*Status)) {
	if b == nil {
		return
	}
	b.mu.Lock()
	fn(&b.st)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// Refresh reads every router and asks every gate now, outside any stage:
// what a UI shows while the operator decides.
func Refresh(ctx context.Context, b *Board, routers []Router, gates []Gate) {
	rs := readRouters(ctx, routers)
	results, _ := checkGates(ctx, gates)
	b.update(func(s *Status) { s.Routers, s.Gates = rs, results })
}

// readRouters reads each router's weights; a failed read is kept as Err.
func readRouters(ctx context.Context, routers []Router) []RouterStatus {
	out := make([]RouterStatus, 0, len(routers))
	for _, r := range routers {
		st := RouterStatus{Name: r.Name(), Kind: r.Kind(), At: time.Now()}
		w, err := r.Read(ctx)
		if err != nil {
			st.Err = err.Error()
		} else {
			st.Weights = w
		}
		out = append(out, st)
	}
	return out
}
