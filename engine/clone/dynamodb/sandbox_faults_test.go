package dynamodb

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// seeded are the old account's seeded tables with their item counts
// (sandbox/tools/sandboxd seed_data.go).
var seeded = map[string]int32{"ledger-entries": 60, "orders": 40}

// TestSandboxCloneUnderFaults clones the seeded tables while both accounts
// throttle and fail a share of requests, with clients that retry as
// ferry's do: each apply succeeds and verifies; a second apply changes no
// table and writes nothing but the same items again, and its plan has
// nothing left to do. With the faults off a client of the test's own finds
// every item; the rollback, under faults again, deletes both tables, and
// the old account is never written to.
func TestSandboxCloneUnderFaults(t *testing.T) {
	sb := clonetest.Isolated(t)
	noCRC := func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true } // see TestSandboxCloneTables
	w := &sandboxWorld{src: dynamodb.NewFromConfig(clonetest.Retrying(sb.Source()), noCRC),
		dst: dynamodb.NewFromConfig(clonetest.Retrying(sb.Target()), noCRC), mapping: sb.Plan.Mapping, label: sb.Plan.Target.Label}
	step := func(name string) runbook.Step {
		cfg := w.cfg(name)
		cfg.PageSize = 10 // several pages a segment, each a resume record, under faults
		return NewTableStep(cfg)
	}

	faults := sb.InjectFaults(t, true)
	recs := map[string]*memRecorder{}
	for name := range seeded {
		recs[name] = &memRecorder{}
		if err := step(name).Apply(t.Context(), recs[name]); err != nil {
			t.Fatal(err)
		}
		if tr := records(recs[name], recordTable); len(tr) != 1 || !tr[0].Created {
			t.Errorf("%s: the apply saved table records %+v, want one that it created the table", name, tr)
		}
		verifyAll(t, step(name), name)
	}
	reapplied := sb.TargetOps.Len()
	for name := range seeded {
		again := &memRecorder{}
		if err := step(name).Apply(t.Context(), again); err != nil {
			t.Fatal(err)
		}
		if tr := records(again, recordTable); len(tr) != 0 {
			t.Errorf("%s: the second apply changed the table: %+v", name, tr)
		}
		cs, err := step(name).Plan(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs.Changes {
			if c.Op != runbook.OpNone {
				t.Errorf("plan of %s after apply: %s %s\nbefore:\n%s\nafter:\n%s", name, c.Op, c.Kind, c.Before, c.After)
			}
		}
	}
	for _, op := range sb.TargetOps.Writes(reapplied) {
		if op != "BatchWriteItem" {
			t.Errorf("the second apply wrote %s; it may only put the same items again", op)
		}
	}
	faults.Off()

	tables := map[string]string{}
	for name := range seeded {
		tables[name] = name // the plan's mapping renames no table
	}
	independentRead(t, sb.NewAccount, dynamodb.NewFromConfig(sb.OldAccount, noCRC), tables, seeded)

	faults = sb.InjectFaults(t, false)
	for name, rec := range recs {
		if err := step(name).Rollback(t.Context(), rec.All(), &memRecorder{}); err != nil {
			t.Fatal(err)
		}
	}
	faults.Off()
	for name := range seeded {
		if _, err := w.dst.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(name)}); !notFound(err) {
			t.Errorf("%s is still in the new account after the rollback (%v)", name, err)
		}
	}
	if writes := sb.SourceOps.Writes(0); len(writes) != 0 {
		t.Errorf("the old account was written to: %q", writes)
	}
}
