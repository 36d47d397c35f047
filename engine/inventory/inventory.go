package inventory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// Config is what the inventory needs from the plan.
type Config struct {
	SourceName, TargetName string   // the plan's labels, e.g. "KOPS" and "EKS"
	Namespaces             []string // source namespaces in scope
	Mapping                rewrite.Mapping
	// WarningWindow is how far back warning events count; default 1 h.
	WarningWindow time.Duration
	// Debounce coalesces bursts of events into one rebuild; default 50 ms.
	Debounce time.Duration
}

// Inventory knows, live, what each service looks like on both clusters. It
// lists every kind once, then watches; it never polls the resources.
// Readers take Snapshot copies and wait on Changed.
type Inventory struct {
	cfg    Config
	source *side
	target *side
	dirty  chan struct{} // capacity 1: something changed, rebuild
	cache  *pairCache

	mu      sync.Mutex
	snap    Snapshot
	changed chan struct{} // capacity 1, coalescing
}

// New builds an inventory over two clusters. Run starts it.
func New(source, target kubernetes.Interface, cfg Config) *Inventory {
	if cfg.WarningWindow == 0 {
		cfg.WarningWindow = time.Hour
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 50 * time.Millisecond
	}
	inv := &Inventory{
		cfg:     cfg,
		dirty:   make(chan struct{}, 1),
		changed: make(chan struct{}, 1),
		cache:   newPairCache(),
	}
	inv.source = newSide(cfg.SourceName, source, inv.markDirty)
	inv.target = newSide(cfg.TargetName, target, inv.markDirty)
	inv.snap = Snapshot{Source: inv.source.state(), Target: inv.target.state()}
	return inv
}

func (inv *Inventory) markDirty() {
	select {
	case inv.dirty <- struct{}{}:
	default:
	}
}

// Changed receives (coalesced) after every new snapshot.
func (inv *Inventory) Changed() <-chan struct{} { return inv.changed }

// Snapshot returns the latest snapshot. The caller owns the copy.
func (inv *Inventory) Snapshot() Snapshot {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.snap.clone()
}

// Run starts both sides' informers and rebuilds the snapshot on every
// change until ctx ends. A side that is down does not stop the other.
func (inv *Inventory) Run(ctx context.Context) error {
	for _, s := range []*side{inv.source, inv.target} {
		if err := s.start(ctx); err != nil {
			return err
		}
	}
	probe := time.NewTicker(2 * time.Second)
	defer probe.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-inv.dirty:
			// Let a burst (a relist, a rollout) land before rebuilding,
			// unless a side has just listed: that snapshot is the one
			// WaitSynced and the first screen wait for.
			if !inv.justListed() {
				select {
				case <-time.After(inv.cfg.Debounce):
				case <-ctx.Done():
					return nil
				}
			}
			inv.rebuild()
		case <-probe.C:
			inv.source.probe(ctx)
			inv.target.probe(ctx)
			// A side whose last kind to list was empty sent no event
			// after it listed: nothing else would mark it up.
			if inv.listedNotMarked() {
				inv.rebuild()
			}
		}
	}
}

// listedNotMarked reports whether a side has listed everything but is not
// marked up yet.
func (inv *Inventory) listedNotMarked() bool {
	for _, s := range []*side{inv.source, inv.target} {
		if s.state().Health == HealthConnecting && s.synced() {
			return true
		}
	}
	return false
}

// WaitSynced blocks until both sides have listed everything once (or a
// side is down or forbidden, which is an answer too), or ctx ends.
func (inv *Inventory) WaitSynced(ctx context.Context) error {
	for {
		snap := inv.Snapshot()
		if snap.Source.Health != HealthConnecting && snap.Target.Health != HealthConnecting {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("inventory not synced: %s is %s, %s is %s: %w",
				snap.Source.Name, snap.Source.Health, snap.Target.Name, snap.Target.Health, ctx.Err())
		case <-inv.Changed():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// justListed reports whether a side has listed everything but is not
// marked up yet.
func (inv *Inventory) justListed() bool {
	for _, s := range []*side{inv.source, inv.target} {
		if s.state().Health == HealthConnecting && s.synced() {
			return true
		}
	}
	return false
}

// rebuild reads both sides' caches and publishes a new snapshot. Pairs
// whose objects did not change reuse their last drift and references.
// While a side is still on its first list only the sides' states are
// published: its pairs would be half there, and diffing them then would be
// redone once the rest arrived (on a busy machine the two compete for CPU).
func (inv *Inventory) rebuild() {
	listing := false
	for _, s := range []*side{inv.source, inv.target} {
		if s.synced() {
			s.markSynced()
		}
		listing = listing || s.listing()
	}
	next := Snapshot{Source: inv.source.state(), Target: inv.target.state(), Built: time.Now()}
	if listing {
		inv.mu.Lock()
		same := inv.snap.Source == next.Source && inv.snap.Target == next.Target
		next.Pairs = inv.snap.Pairs
		inv.mu.Unlock()
		if same {
			return
		}
	} else {
		next.Pairs = buildPairs(readSide(inv.source), readSide(inv.target), inv.cfg, inv.cache, next.Built)
	}
	inv.mu.Lock()
	next.Generation = inv.snap.Generation + 1
	inv.snap = next
	inv.mu.Unlock()
	select {
	case inv.changed <- struct{}{}:
	default:
	}
}

func (s Snapshot) clone() Snapshot {
	c := s
	c.Pairs = make([]Pair, len(s.Pairs))
	copy(c.Pairs, s.Pairs) // workloads and findings are never mutated after build
	return c
}
