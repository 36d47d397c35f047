package cutover

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// fakeRouter holds weights in memory; a target "record" exists once Set
// sends the target anything, as a Route53 router creates its record.
type fakeRouter struct {
	name string
	ttl  time.Duration

	mu        sync.Mutex
	w         Weights
	hasTarget bool
	sets      int
}

func newFakeRouter(name string, ttl time.Duration) *fakeRouter {
	return &fakeRouter{name: name, ttl: ttl, w: Weights{Source: 100}}
}

func (f *fakeRouter) Name() string { return f.name }
func (f *fakeRouter) Kind() string { return "fake" }

func (f *fakeRouter) Read(context.Context) (Weights, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w, nil
}

func (f *fakeRouter) Plan(_ context.Context, w Weights) (runbook.Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	op := runbook.OpUpdate
	if f.w == w {
		op = runbook.OpNone
	}
	return runbook.Change{Op: op, Kind: "Fake::Weights", Name: f.name, Before: f.w.String(), After: w.String()}, nil
}

func (f *fakeRouter) Set(_ context.Context, w Weights) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.w != w {
		f.sets++
	}
	f.w, f.hasTarget = w, f.hasTarget || w.Target > 0
	return nil
}

func (f *fakeRouter) MinDwell(context.Context) (time.Duration, error) { return f.ttl, nil }

type fakeSnap struct {
	W         Weights `json:"w"`
	HasTarget bool    `json:"hasTarget"`
}

func (f *fakeRouter) Snapshot(context.Context) (json.RawMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return json.Marshal(fakeSnap{f.w, f.hasTarget})
}

func (f *fakeRouter) Restore(_ context.Context, b json.RawMessage) error {
	var s fakeSnap
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.w, f.hasTarget = s.W, s.HasTarget
	return nil
}

func (f *fakeRouter) state() (Weights, bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w, f.hasTarget, f.sets
}

// flipGate passes until failing is set; it counts its checks.
type flipGate struct {
	name    string
	failing atomic.Bool
	checks  atomic.Int32
	// failAfter, when > 0, makes the gate fail from that check on.
	failAfter int32
}

func (g *flipGate) Name() string { return g.name }

func (g *flipGate) Check(context.Context) GateResult {
	n := g.checks.Add(1)
	if g.failing.Load() || (g.failAfter > 0 && n >= g.failAfter) {
		return GateResult{OK: false, Evidence: "eks: POST /orders answered 500"}
	}
	return GateResult{OK: true, Evidence: fmt.Sprintf("check %d ok", n)}
}

// harness is a cutover on fakes, walked by a real runner and journal.
type harness struct {
	routers []*fakeRouter
	gate    *flipGate
	board   *Board
	cfg     Config
	journal *runbook.Journal
	runner  *runbook.Runner
}

func newHarness(t *testing.T, stages ...Stage) *harness {
	t.Helper()
	h := &harness{
		routers: []*fakeRouter{newFakeRouter("route53 shop.acme.example. CNAME", 20*time.Millisecond), newFakeRouter("alb orders-public", 0)},
		gate:    &flipGate{name: "probes"},
		board:   NewBoard(),
	}
	h.cfg = Config{Namespace: "orders", Service: "orders-api", SourceLabel: "KOPS", TargetLabel: "EKS",
		Gates: []Gate{h.gate}, Interval: 10 * time.Millisecond, Stages: stages, Board: h.board}
	for _, r := range h.routers {
		h.cfg.Routers = append(h.cfg.Routers, r)
	}
	h.journal = openJournal(t, filepath.Join(t.TempDir(), "cutover.journal.jsonl"))
	h.runner = newRunner(t, h.journal, h.cfg)
	return h
}

func openJournal(t *testing.T, path string) *runbook.Journal {
	t.Helper()
	j, err := runbook.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func newRunner(t *testing.T, j *runbook.Journal, cfg Config) *runbook.Runner {
	t.Helper()
	steps, err := Steps(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := runbook.NewRunner(runbook.Config{Steps: steps, Journal: j, Operator: runbook.Operator{User: "tester"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// weights is every router's weights.
func (h *harness) weights() []Weights {
	out := make([]Weights, len(h.routers))
	for i, r := range h.routers {
		out[i], _, _ = r.state()
	}
	return out
}

func (h *harness) wantWeights(t *testing.T, pct int) {
	t.Helper()
	for i, w := range h.weights() {
		if w != ToTarget(pct) {
			t.Fatalf("%s holds %s, want %s", h.routers[i].name, w, ToTarget(pct))
		}
	}
}

// markers are the journal's marker summaries, in order.
func (h *harness) markers(t *testing.T) []string {
	t.Helper()
	recs, err := h.journal.Records()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if r.Outcome == runbook.OutcomeMarker {
			out = append(out, r.Summary)
		}
	}
	return out
}
