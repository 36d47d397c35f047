// Package cutover shifts a service's traffic from the old cluster to the new
// one in gated steps. Routers move the weights (Route53 weighted records, ALB
// forward actions, an API Gateway stage); gates (probes, ready pods, error
// rates) decide whether a step may stay; each weight change is a runbook
// step, journaled, with the previous weights as its undo.
package cutover

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Weights is the share of traffic, in percent, each side receives. Source
// and Target add up to 100.
type Weights struct {
	Source int `json:"source"`
	Target int `json:"target"`
}

// ToTarget is the weights that send pct percent to the target.
func ToTarget(pct int) Weights { return Weights{Source: 100 - pct, Target: pct} }

// String is "90/10" (source/target).
func (w Weights) String() string { return fmt.Sprintf("%d/%d", w.Source, w.Target) }

// Valid reports whether both shares are within 0..100 and add up to 100.
func (w Weights) Valid() bool {
	return w.Source >= 0 && w.Target >= 0 && w.Source+w.Target == 100
}

// Router moves one public endpoint's traffic between the sides. Every
// method reads AWS again: a router keeps no state between calls, so a
// restarted ferry sees what AWS holds.
type Router interface {
	// Name identifies the router for people and the journal, e.g.
	// "route53 shop.acme.example. CNAME" or "alb orders-public/443".
	Name() string
	// Kind is "route53", "alb" or "apigateway".
	Kind() string
	// Read returns the weights AWS holds now.
	Read(ctx context.Context) (Weights, error)
	// Plan says, without changing anything, what Set(w) would change.
	Plan(ctx context.Context, w Weights) (runbook.Change, error)
	// Set makes AWS hold w, creating what is missing (the target's weighted
	// record, its forward target group). It is idempotent and returns once
	// AWS has accepted the change (Route53: the change is INSYNC).
	Set(ctx context.Context, w Weights) error
	// MinDwell is the least time traffic needs to follow a change: a
	// Route53 record's TTL (resolvers cache that long); 0 for routers that
	// take effect at once.
	MinDwell(ctx context.Context) (time.Duration, error)
	// Snapshot captures what Restore needs to put the router back exactly
	// as it is now (including records or target groups absent now).
	Snapshot(ctx context.Context) (json.RawMessage, error)
	// Restore puts the router back as a Snapshot captured it.
	Restore(ctx context.Context, snap json.RawMessage) error
}
