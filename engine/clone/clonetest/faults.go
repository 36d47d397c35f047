package clonetest

import (
	"context"
	"testing"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// Faults are what InjectFaults has both accounts answer a share of
// requests with instead of serving them: throttling and 5xx errors, which
// the SDK's standard retryer must carry a step through (see Retrying).
var Faults = sandbox.AWSFaults{Throttle: 0.1, Error5xx: 0.05}

// sides are both accounts, as sandboxtest.Side names them.
var sides = []string{"kops", "eks"}

// Injection is Faults turned on in both accounts of a sandbox.
type Injection struct {
	t         *testing.T
	cfg       sandbox.Config
	mustFault bool
	before    map[string]sandbox.AWSFaultCounts
	off       bool
}

// InjectFaults turns Faults on in both accounts until Off or the test's
// end. With mustFault, Off fails the test if neither account faulted a
// request meanwhile: the run would prove nothing about retries. A phase of
// a few requests may well see none, so such a phase passes false.
func (s *Sandbox) InjectFaults(t *testing.T, mustFault bool) *Injection {
	t.Helper()
	in := &Injection{t: t, cfg: s.Env.SB.Config(), mustFault: mustFault, before: map[string]sandbox.AWSFaultCounts{}}
	for _, side := range sides {
		counts, err := in.cfg.SetAWSFaults(t.Context(), sandboxtest.Side(t, side), Faults)
		must(t, err)
		in.before[side] = counts
	}
	t.Cleanup(in.Off)
	return in
}

// Off turns the faults off in both accounts; only its first call does
// anything. It runs at the test's end too, so a test that fails half-way
// leaves a sandbox without faults.
func (in *Injection) Off() {
	if in.off {
		return
	}
	in.off = true
	var faulted int64
	for _, side := range sides {
		// Not the test's context: Off also runs in a cleanup, after it ends.
		counts, err := in.cfg.SetAWSFaults(context.Background(), sandboxtest.Side(in.t, side), sandbox.AWSFaults{})
		if err != nil {
			in.t.Error(err)
			continue
		}
		faulted += counts.Throttle + counts.Error5xx - in.before[side].Throttle - in.before[side].Error5xx
	}
	if in.mustFault && faulted == 0 {
		in.t.Error("no request was faulted: the run proves nothing about retries")
	}
}

// RequireEachFaulted fails the test for each account that has faulted no
// request since InjectFaults, reading the counts while the faults stay on:
// a test whose every phase is long enough asks this of both accounts, not
// only of the two together.
func (in *Injection) RequireEachFaulted() {
	in.t.Helper()
	for _, side := range sides {
		_, after, err := in.cfg.AWSFaultStatus(in.t.Context(), sandboxtest.Side(in.t, side))
		must(in.t, err)
		before := in.before[side]
		if faulted := after.Throttle + after.Error5xx - before.Throttle - before.Error5xx; faulted == 0 {
			in.t.Errorf("%s: no request was faulted (%+v -> %+v); the test proved nothing", side, before, after)
		}
	}
}
