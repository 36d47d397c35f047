package s3

import (
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// seededBuckets are the old account's seeded buckets (25 invoices; 10
// assets, versioned) and their names in the new account under the plan's
// mapping.
var seededBuckets = map[string]string{"acme-legacy-invoices": "acme-platform-invoices", "acme-legacy-assets": "acme-platform-assets"}

// TestSandboxCloneUnderFaults clones the seeded buckets, server-side copy
// tried as ferry's runbook does, while both accounts throttle and fail a
// share of requests, with clients that retry as ferry's do: each apply
// succeeds and verifies; a second apply writes nothing and its plan has
// nothing left to do. With the faults off a client of the test's own finds
// every object; the rollback, under faults again, leaves the new account's
// buckets as they were, and the old account is never written to.
func TestSandboxCloneUnderFaults(t *testing.T) {
	sb := clonetest.Isolated(t)
	w := &world{src: s3.NewFromConfig(clonetest.Retrying(sb.Source()), pathStyle), dst: s3.NewFromConfig(clonetest.Retrying(sb.Target()), pathStyle)}
	w.cfg = BucketConfig{Source: w.src, Target: w.dst, Mapping: sb.Plan.Mapping, TargetLabel: sb.Plan.Target.Label, Region: "us-east-1",
		ServerSideCopy: true, PageSize: 4} // several pages, each saved, under faults
	newReader := s3.NewFromConfig(sb.NewAccount, pathStyle)
	targetBefore := bucketNames(t, newReader)

	faults := sb.InjectFaults(t, true)
	recs := map[string]*memRecorder{}
	for name := range seededBuckets {
		recs[name] = &memRecorder{}
		if err := NewBucketStep(w.step(name)).Apply(t.Context(), recs[name]); err != nil {
			t.Fatal(err)
		}
		t.Logf("apply %s: %s", name, strings.Join(recs[name].Messages(), " | "))
		if b := records(recs[name], recordBucket); len(b) != 1 || !b[0].Created {
			t.Errorf("%s: the apply saved bucket records %+v, want one that it created the bucket", name, b)
		}
		if checks := clonetest.StepVerified(t, NewBucketStep(w.step(name))); len(checks) != 4 {
			t.Errorf("verify %s: %d checks, want 4", name, len(checks))
		}
	}
	reapplied := sb.TargetOps.Len()
	for name := range seededBuckets {
		if err := NewBucketStep(w.step(name)).Apply(t.Context(), &memRecorder{}); err != nil {
			t.Fatal(err)
		}
		cs, err := NewBucketStep(w.step(name)).Plan(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs.Changes {
			if c.Op != runbook.OpNone {
				t.Errorf("plan of %s after apply: %s %s\nbefore:\n%s\nafter:\n%s", name, c.Op, c.Kind, c.Before, c.After)
			}
		}
	}
	if writes := sb.TargetOps.Writes(reapplied); len(writes) != 0 {
		t.Errorf("the second apply wrote: %q", writes)
	}
	faults.Off()

	independentRead(t, newReader, s3.NewFromConfig(sb.OldAccount, pathStyle), seededBuckets)

	faults = sb.InjectFaults(t, false)
	for name, rec := range recs {
		if err := NewBucketStep(w.step(name)).Rollback(t.Context(), rec.All(), &memRecorder{}); err != nil {
			t.Fatal(err)
		}
	}
	faults.Off()
	if after := bucketNames(t, newReader); !maps.Equal(after, targetBefore) {
		t.Errorf("the new account's buckets after the rollback: %v, before: %v", after, targetBefore)
	}
	if writes := sb.SourceOps.Writes(0); len(writes) != 0 {
		t.Errorf("the old account was written to: %q", writes)
	}
}
