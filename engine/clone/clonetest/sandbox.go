// Package clonetest is the scaffolding shared by the sandbox tests of the
// AWS clone steps and the cutover routers: a private sandbox with its plan
// and both accounts' configs, a log of the operations the steps' clients
// make, fault injection in both accounts, and the checks every clone test
// makes (verify, a second apply that writes nothing, a rollback that leaves
// no trace). Only tests import it.
package clonetest

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// Sandbox is a private sandbox as a clone test uses it: its plan, both
// accounts' configs for the test's own clients, and configs for the steps'
// clients that record every operation.
type Sandbox struct {
	Env  *sandboxtest.Env
	Plan *plan.Plan
	// OldAccount and NewAccount are the kops and eks accounts' configs as
	// the sandbox's profiles give them: for clients the steps never use.
	OldAccount, NewAccount aws.Config
	// SourceOps and TargetOps record the operations of every client made
	// from Source and Target.
	SourceOps, TargetOps OpLog
}

// Isolated is a private sandbox of the test's own (sandboxtest.Isolated),
// so that a test may change either account, with the plan it was made
// with. The package's TestMain must call sandboxtest.Main.
func Isolated(t *testing.T) *Sandbox {
	t.Helper()
	env := sandboxtest.Isolated(t)
	p, err := plan.Load(env.SB.Config().PlanPath())
	must(t, err)
	return &Sandbox{Env: env, Plan: p, OldAccount: env.AWS(t, "kops"), NewAccount: env.AWS(t, "eks")}
}

// Source is the old account's config for the steps' clients: their
// operations go to SourceOps.
func (s *Sandbox) Source() aws.Config { return s.SourceOps.Config(s.OldAccount) }

// Target is the new account's config for the steps' clients: their
// operations go to TargetOps.
func (s *Sandbox) Target() aws.Config { return s.TargetOps.Config(s.NewAccount) }

// Retrying is cfg with room for the retries that injected faults cause
// (see InjectFaults); the retryer stays the SDK's standard one, which is
// what must carry a step through them.
func Retrying(cfg aws.Config) aws.Config {
	cfg.RetryMaxAttempts = 10
	return cfg
}

// Runner runs steps (c.Steps, with c's other settings) with a journal in a
// temporary dir of the test's, closed when the test ends; it returns the
// runner and the journal's path, for tests that read the journal.
func Runner(t *testing.T, c runbook.Config) (*runbook.Runner, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := runbook.OpenJournal(path)
	must(t, err)
	t.Cleanup(func() { _ = j.Close() })
	c.Journal = j
	r, err := runbook.NewRunner(c)
	must(t, err)
	return r, path
}

// State is both accounts' resources, one a line, sorted, as a test reads
// them with clients the steps never use.
type State struct{ Old, New []string }

// Lines is an account's resources kept by name as State's lines, "name:
// what", sorted.
func Lines(byName map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, k+": "+byName[k])
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
