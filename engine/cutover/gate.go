package cutover

import (
	"context"
	"time"
)

// Gate is one condition a cutover stage must keep to stay: probes pass on
// both sides, the target's pods are ready, its error-line rate is low. A
// gate is asked before traffic moves and every interval while a stage
// dwells.
type Gate interface {
	// Name is short and stable: "probes", "ready pods", "error rate".
	Name() string
	// Check evaluates the gate now. A gate that cannot tell (its cluster
	// is down) fails: a cutover never moves on a guess.
	Check(ctx context.Context) GateResult
}

// GateResult is one evaluation of a gate, with the evidence that decided
// it: "eks: POST /orders answered 301", "target 0.8 errors/s, source 0.1/s".
type GateResult struct {
	Gate     string    `json:"gate"`
	OK       bool      `json:"ok"`
	Evidence string    `json:"evidence"`
	At       time.Time `json:"at"`
}

// GateFunc adapts a function to a Gate.
type GateFunc struct {
	GateName string
	Fn       func(ctx context.Context) (ok bool, evidence string)
}

// Name is the configured name.
func (g GateFunc) Name() string { return g.GateName }

// Check calls the function.
func (g GateFunc) Check(ctx context.Context) GateResult {
	ok, ev := g.Fn(ctx)
	return GateResult{Gate: g.GateName, OK: ok, Evidence: ev, At: time.Now()}
}

// checkGates asks every gate, in order, and returns the results and the
// first that failed (nil when all passed).
func checkGates(ctx context.Context, gates []Gate) ([]GateResult, *GateResult) {
	results := make([]GateResult, 0, len(gates))
	var failed *GateResult
	for _, g := range gates {
		r := g.Check(ctx)
		r.Gate = g.Name()
		if r.At.IsZero() {
			r.At = time.Now()
		}
		results = append(results, r)
		if !r.OK && failed == nil {
			failed = &results[len(results)-1]
		}
	}
	return results, failed
}
