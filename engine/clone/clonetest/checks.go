package clonetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Verified verifies the step id through r, logs every check with its
// evidence and fails the test on each check that failed.
func Verified(t *testing.T, r *runbook.Runner, id string) []runbook.Check {
	t.Helper()
	checks, err := r.Verify(t.Context(), id)
	must(t, err)
	failChecks(t, id, checks)
	return checks
}

// StepVerified is Verified for a test that drives a step itself, with no
// runner or journal.
func StepVerified(t *testing.T, st runbook.Step) []runbook.Check {
	t.Helper()
	checks, err := st.Verify(t.Context())
	must(t, err)
	failChecks(t, st.ID(), checks)
	return checks
}

func failChecks(t *testing.T, id string, checks []runbook.Check) {
	t.Helper()
	for _, c := range checks {
		t.Logf("%s: %s ok=%v: %s", id, c.Name, c.OK, c.Evidence)
		if !c.OK {
			t.Errorf("%s: check %q failed: %s", id, c.Name, c.Evidence)
		}
	}
}

// Reapply applies each step of ids again through r, in order, and plans
// it after: it fails the test if that second apply wrote anything to
// either account (through the clients of Source and Target) or a plan
// still has a change to make, as an applied clone is idempotent. It
// returns the plans, for a test's own checks of them.
func (s *Sandbox) Reapply(t *testing.T, r *runbook.Runner, ids ...string) []runbook.ChangeSet {
	t.Helper()
	nSrc, nDst := s.SourceOps.Len(), s.TargetOps.Len()
	var plans []runbook.ChangeSet
	for _, id := range ids {
		must(t, r.Apply(t.Context(), id))
		cs, err := r.Plan(t.Context(), id)
		must(t, err)
		if len(cs.Changes) == 0 {
			t.Errorf("plan of %s after apply has no change, not even a none: it proves nothing", id)
		}
		for _, c := range cs.Changes {
			if c.Op != runbook.OpNone {
				t.Errorf("plan of %s after apply: %s %s %s\nbefore:\n%s\nafter:\n%s", id, c.Op, c.Kind, c.Name, c.Before, c.After)
			}
		}
		plans = append(plans, cs)
	}
	if w := append(s.SourceOps.Writes(nSrc), s.TargetOps.Writes(nDst)...); len(w) != 0 {
		t.Errorf("the second apply wrote: %q", w)
	}
	return plans
}

// RolledBack fails the test unless after, read once a clone is rolled
// back, is before, read before the clone: the new account as it was, the
// old one unchanged; and unless no write ever reached the old account
// through the clients of Source.
func (s *Sandbox) RolledBack(t *testing.T, before, after State) {
	t.Helper()
	if !slices.Equal(after.New, before.New) {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", strings.Join(after.New, "\n"), strings.Join(before.New, "\n"))
	}
	if !slices.Equal(after.Old, before.Old) {
		t.Errorf("old account changed:\n%s\nwas\n%s", strings.Join(after.Old, "\n"), strings.Join(before.Old, "\n"))
	}
	if w := s.SourceOps.Writes(0); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
}
