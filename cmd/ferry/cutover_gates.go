package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/logs"
)

// readyGate passes while the target runs the service with every desired
// pod ready, as the inventory (informers, no polling) sees it.
func readyGate(s *session, key string) cutover.Gate {
	label := s.plan.Target.Label
	return cutover.GateFunc{GateName: "ready pods", Fn: func(context.Context) (bool, string) {
		snap := s.inv.Snapshot()
		if snap.Target.Health != inventory.HealthUp {
			return false, fmt.Sprintf("%s is %s: %s", label, snap.Target.Health, snap.Target.Error)
		}
		p, ok := snap.Pair(key)
		if !ok || p.Target == nil {
			return false, fmt.Sprintf("%s does not run on %s", key, label)
		}
		w := p.Target
		ev := fmt.Sprintf("%s: %d/%d pods ready, rollout %s", label, w.Ready, w.Desired, w.Rollout)
		return w.Desired > 0 && w.Ready >= w.Desired, ev
	}}
}

// errorRateGate compares the sides' error lines per second, from a log
// tail of the service on both clusters started at the gate's first check
// and kept for the session.
type errorRateGate struct {
	cfg      plan.ErrorRateGate
	src, dst string // the sides' labels
	start    func() (*logs.Tail, error)

	once    sync.Once
	tail    *logs.Tail
	err     error
	started time.Time
}

// newErrorRateGate streams key's pods on both sides from now on (no
// history: old errors are not this cutover's) until ctx ends.
func newErrorRateGate(ctx context.Context, s *session, key string, cfg plan.ErrorRateGate) cutover.Gate {
	g := &errorRateGate{cfg: cfg, src: s.plan.Source.Label, dst: s.plan.Target.Label}
	g.start = func() (*logs.Tail, error) {
		snap := s.inv.Snapshot()
		pair, ok := snap.Pair(key)
		if !ok {
			return nil, fmt.Errorf("%s is on neither side", key)
		}
		sources := pairSources(s.plan, pair, s.source, s.target, logs.Selector{Since: time.Second})
		return logs.Run(ctx, logs.Config{Sources: sources, Follow: true, BufferLines: 1000, RateWindow: cfg.Window})
	}
	return g
}

func (g *errorRateGate) Name() string { return "error rate" }

// errorRateWarmup is the least a fresh tail measures before the gate
// judges: a rate over no time says nothing.
const errorRateWarmup = 5 * time.Second

// Check fails when the target logs more than Max error lines per second,
// or more than the source's rate plus Margin. The first check waits until
// the tail has measured a few seconds (or the window, if shorter).
func (g *errorRateGate) Check(ctx context.Context) cutover.GateResult {
	g.once.Do(func() { g.tail, g.err = g.start(); g.started = time.Now() })
	if g.err != nil {
		return cutover.GateResult{Evidence: "cannot read the logs: " + g.err.Error()}
	}
	warm := time.Until(g.started.Add(min(errorRateWarmup, g.cfg.Window)))
	select {
	case <-time.After(warm):
	case <-ctx.Done():
		return cutover.GateResult{Evidence: "stopped before the log tail had measured anything"}
	}
	// Until the tail has run a whole window, the window's mean would count
	// seconds it never measured: divide what it saw by how long it looked.
	elapsed := time.Since(g.started)
	perSec := func(side logs.SideStats) float64 {
		if elapsed < g.cfg.Window {
			return float64(side.Errors) / elapsed.Seconds()
		}
		return side.ErrorsPerSec
	}
	var src, dst float64
	for _, side := range g.tail.Stats().Sides {
		switch side.Label {
		case g.src:
			src = perSec(side)
		case g.dst:
			dst = perSec(side)
		}
	}
	over := min(time.Since(g.started), g.cfg.Window).Round(time.Second)
	ev := fmt.Sprintf("%s %.2f error lines/s, %s %.2f/s (over %s)", g.dst, dst, g.src, src, over)
	switch {
	case dst > g.cfg.Max:
		return cutover.GateResult{Evidence: fmt.Sprintf("%s; above the %.2f/s the plan allows", ev, g.cfg.Max)}
	case dst > src+g.cfg.Margin:
		return cutover.GateResult{Evidence: fmt.Sprintf("%s; more than %.2f/s above %s", ev, g.cfg.Margin, g.src)}
	}
	return cutover.GateResult{OK: true, Evidence: ev}
}
