package cutover

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Stage is one step of a cutover: send Percent of the traffic to the
// target, then dwell with the gates watched before the next stage may start.
type Stage struct {
	Percent int
	// Dwell is how long the stage holds with gates passing. It is at least
	// every router's MinDwell (a record's TTL): resolvers keep the old
	// answer that long, so a shorter dwell would judge traffic that has not
	// moved yet.
	Dwell time.Duration
	// Auto lets the stage start as soon as the one before it completed,
	// without the operator confirming (Flagger's confirm-traffic-increase
	// is the default).
	Auto bool
}

// Config is one service's cutover.
type Config struct {
	// Namespace and Service name the service whose traffic moves (its
	// probes, pods and logs feed the gates).
	Namespace, Service string
	// SourceLabel and TargetLabel are the plan's names for the sides, for
	// titles and markers ("cutover: 10% to EKS").
	SourceLabel, TargetLabel string
	Routers                  []Router
	Gates                    []Gate
	// Interval is how often gates are asked while a stage dwells; a failing
	// gate rolls the weights back within one interval.
	Interval time.Duration
	Stages   []Stage
	// Deps are the steps the first stage waits for (preflight, the
	// service's clone).
	Deps []string
	// Board, when set, receives live status (weights, gate results, dwell)
	// for a UI; nil keeps none.
	Board *Board
}

// check refuses a configuration that cannot run: no router, stages not
// strictly increasing within 1..100, no interval.
func (c Config) check() error {
	var errs []error
	if c.Service == "" {
		errs = append(errs, errors.New("cutover: no service named; set cutover.service"))
	}
	if len(c.Routers) == 0 {
		errs = append(errs, fmt.Errorf("cutover of %s: no router; list at least one under cutover.routers", c.Service))
	}
	if c.Interval <= 0 {
		errs = append(errs, fmt.Errorf("cutover of %s: gate interval %s must be positive", c.Service, c.Interval))
	}
	prev := 0
	for i, s := range c.Stages {
		if s.Percent <= prev || s.Percent > 100 {
			errs = append(errs, fmt.Errorf("cutover of %s: stage %d sends %d%%; stages must increase, each within 1..100 (after %d%%)", c.Service, i+1, s.Percent, prev))
		}
		if s.Dwell < 0 {
			errs = append(errs, fmt.Errorf("cutover of %s: stage %d%% has a negative dwell", c.Service, s.Percent))
		}
		prev = s.Percent
	}
	if len(c.Stages) == 0 {
		errs = append(errs, fmt.Errorf("cutover of %s: no stages; list them under cutover.steps, e.g. 10, 50, 100", c.Service))
	}
	return errors.Join(errs...)
}

// StepID is the runbook ID of the stage sending pct percent of service's
// traffic to the target: "cutover/orders-api/50".
func StepID(service string, pct int) string {
	return "cutover/" + service + "/" + strconv.Itoa(pct)
}
