package route53

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// opLog records the Route 53 operations a client makes (once per
// operation, however often the retryer sends it).
type opLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *opLog) option(o *route53.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("ferry-test-oplog",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				l.mu.Lock()
				l.ops = append(l.ops, awsmiddleware.GetOperationName(ctx))
				l.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

// writes are the recorded operations that change something, from the
// first'th on.
func (l *opLog) writes(from int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, op := range l.ops[from:] {
		if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") {
			out = append(out, op)
		}
	}
	return out
}

func (l *opLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ops)
}

// faults are what the sandbox's accounts inject into the clone's requests:
// the SDK's standard retryer must carry the clone through them.
var faults = sandbox.AWSFaults{Throttle: 0.1, Error5xx: 0.05}

// retrying is an account's config with room for the retries the faults
// cause; the retryer is the SDK's standard one.
func retrying(cfg aws.Config) aws.Config {
	cfg.RetryMaxAttempts = 10
	return cfg
}

// TestSandboxClone copies acme.internal. (decorated with a record naming
// the old account and an alias within the zone) and acme.example. (a
// weighted record) into the new account through a runner, in several
// change batches, while both accounts throttle and fail a share of
// requests; then checks the copies with a client the steps never used,
// re-applies (no write), and rolls back: the new account ends as it began
// and the old one is never written to.
func TestSandboxClone(t *testing.T) {
	env := sandboxtest.Isolated(t)
	p, err := plan.Load(env.SB.Config().PlanPath())
	must(t, err)
	oldReader, newReader := route53.NewFromConfig(env.AWS(t, "kops")), route53.NewFromConfig(env.AWS(t, "eks"))
	decorate(t, oldReader, p.Source.AWS.Account)
	oldBefore, newBefore := snapshot(t, oldReader), snapshot(t, newReader)

	var srcOps, dstOps opLog
	src := route53.NewFromConfig(retrying(env.AWS(t, "kops")), srcOps.option)
	dst := route53.NewFromConfig(retrying(env.AWS(t, "eks")), dstOps.option)
	var steps []runbook.Step
	for _, z := range []string{"acme.internal", "acme.example"} {
		s := NewZoneStep(ZoneConfig{Zone: z, Source: src, Target: dst, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: p.Source.AWS.Account, TargetAccount: p.Target.AWS.Account})
		s.(*zoneStep).limits = limits{changes: 1000, records: 6, chars: 32000} // three record sets a batch
		steps = append(steps, s)
	}
	j, err := runbook.OpenJournal(filepath.Join(t.TempDir(), "journal.jsonl"))
	must(t, err)
	t.Cleanup(func() { _ = j.Close() })
	r, err := runbook.NewRunner(runbook.Config{Steps: steps, Journal: j})
	must(t, err)

	injected := withFaults(t, env, true)
	for _, s := range steps {
		cs, err := r.Plan(t.Context(), s.ID())
		must(t, err)
		if cs.Changes[0].Op != runbook.OpCreate {
			t.Errorf("plan of %s: %s, notes %q", s.ID(), cs.Changes[0].Op, cs.Notes)
		}
		must(t, r.Apply(t.Context(), s.ID()))
		verified(t, r, s.ID())
	}
	// acme.internal.'s nine record sets go three a batch.
	want := []string{"CreateHostedZone", "ChangeResourceRecordSets", "ChangeResourceRecordSets", "ChangeResourceRecordSets",
		"CreateHostedZone", "ChangeResourceRecordSets"}
	if w := dstOps.writes(0); !slices.Equal(w, want) {
		t.Errorf("writes to the new account: %q, want %q", w, want)
	}
	n := dstOps.len()
	for _, s := range steps {
		must(t, r.Apply(t.Context(), s.ID()))
		cs, err := r.Plan(t.Context(), s.ID())
		must(t, err)
		if len(cs.Changes) != 1 || cs.Changes[0].Op != runbook.OpNone {
			t.Errorf("plan of %s after apply: %+v", s.ID(), cs.Changes)
		}
	}
	if w := dstOps.writes(n); len(w) != 0 {
		t.Errorf("the second apply wrote: %q", w)
	}
	injected()

	independentRead(t, oldReader, newReader, p.Source.AWS.Account, p.Target.AWS.Account)
	injected = withFaults(t, env, false)
	for _, s := range steps {
		must(t, r.Rollback(t.Context(), s.ID()))
	}
	injected()
	if got := snapshot(t, newReader); !slices.Equal(got, newBefore) {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(newBefore, "\n"))
	}
	if got := snapshot(t, oldReader); !slices.Equal(got, oldBefore) {
		t.Errorf("old account changed:\n%s\nwas\n%s", strings.Join(got, "\n"), strings.Join(oldBefore, "\n"))
	}
	if w := srcOps.writes(0); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
}

// withFaults turns faults on in both accounts until the returned func (or
// the test's end) turns them off; with mustFault, that func fails the test
// if no fault was injected, which would make the run prove nothing about
// retries (a phase of a few requests may well see none).
func withFaults(t *testing.T, env *sandboxtest.Env, mustFault bool) (off func()) {
	t.Helper()
	cfg := env.SB.Config()
	before := map[string]sandbox.AWSFaultCounts{}
	for _, side := range []string{"kops", "eks"} {
		counts, err := cfg.SetAWSFaults(t.Context(), sandboxtest.Side(t, side), faults)
		must(t, err)
		before[side] = counts
	}
	done := false
	off = func() {
		if done {
			return
		}
		done = true
		var faulted int64
		for _, side := range []string{"kops", "eks"} {
			counts, err := cfg.SetAWSFaults(context.Background(), sandboxtest.Side(t, side), sandbox.AWSFaults{})
			if err != nil {
				t.Error(err)
				continue
			}
			faulted += counts.Throttle + counts.Error5xx - before[side].Throttle - before[side].Error5xx
		}
		if mustFault && faulted == 0 {
			t.Error("no request was faulted: the run proves nothing about retries")
		}
	}
	t.Cleanup(off)
	return off
}

// decorate gives the old acme.internal. what the seed lacks and a real
// zone has: a TXT record naming the old account and an alias to another
// record of the zone. This private sandbox is this test's alone.
func decorate(t *testing.T, c *route53.Client, oldAccount string) {
	t.Helper()
	z, err := findZone(t.Context(), c, "acme.internal.")
	must(t, err)
	_, err = c.ChangeResourceRecordSets(t.Context(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.id),
		ChangeBatch: &types.ChangeBatch{Changes: []types.Change{
			{Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("acme.internal."), Type: types.RRTypeTxt,
				TTL: aws.Int64(300), ResourceRecords: values(`"owner=arn:aws:iam::` + oldAccount + `:role/dns-admin"`)}},
			{Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("api.acme.internal."), Type: types.RRTypeA,
				AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(z.id), DNSName: aws.String("orders-api.orders.acme.internal."), EvaluateTargetHealth: false}}},
		}}})
	must(t, err)
}

// snapshot is every zone of an account with its records, one a line, read
// by a client of its own.
func snapshot(t *testing.T, c *route53.Client) []string {
	t.Helper()
	var out []string
	ids, err := zoneIDs(t.Context(), c)
	must(t, err)
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		recs, err := listRecords(t.Context(), c, id)
		must(t, err)
		for _, r := range sortedRecs(recs) {
			out = append(out, id+" "+canonical(r))
		}
		if len(recs) == 0 {
			out = append(out, id+" (empty)")
		}
	}
	return out
}

// independentRead checks the copies with clients the steps never used:
// each record of the old zones (apex NS and SOA aside) is in the new zone
// of the same name with the old account replaced by the new, the alias
// points into the new zone, the weighted record keeps its set identifier
// and weight, and no record of the new zones names the old account.
func independentRead(t *testing.T, oldC, newC *route53.Client, oldAccount, newAccount string) {
	t.Helper()
	for _, name := range []string{"acme.internal.", "acme.example."} {
		oz, err := findZone(t.Context(), oldC, name)
		must(t, err)
		nz, err := findZone(t.Context(), newC, name)
		must(t, err)
		if nz == nil {
			t.Fatalf("no zone %s in the new account", name)
		}
		oldRecs, err := listRecords(t.Context(), oldC, oz.id)
		must(t, err)
		newRecs, err := listRecords(t.Context(), newC, nz.id)
		must(t, err)
		byKey := index(newRecs)
		copied := 0
		for _, o := range oldRecs {
			if isApexNSOrSOA(o, name) {
				continue
			}
			want := strings.ReplaceAll(canonical(o), oldAccount, newAccount)
			want = strings.ReplaceAll(want, `"HostedZoneId":"`+oz.id+`"`, `"HostedZoneId":"`+nz.id+`"`)
			if got := canonical(byKey[keyOf(o)]); got != want {
				t.Errorf("%s in the new account:\n%s\nwant\n%s", keyOf(o), got, want)
			}
			copied++
		}
		for _, r := range newRecs {
			if strings.Contains(canonical(r), oldAccount) {
				t.Errorf("%s in the new account names the old account: %s", keyOf(r), canonical(r))
			}
		}
		if copied == 0 {
			t.Errorf("zone %s held no records to copy", name)
		}
	}
	ex, err := findZone(t.Context(), newC, "acme.example.")
	must(t, err)
	recs, err := listRecords(t.Context(), newC, ex.id)
	must(t, err)
	if !slices.ContainsFunc(recs, func(r types.ResourceRecordSet) bool {
		return aws.ToString(r.SetIdentifier) == "source" && aws.ToInt64(r.Weight) == 100 && r.Type == types.RRTypeCname
	}) {
		t.Errorf("the weighted record of acme.example. was not copied faithfully: %v", recs)
	}
}

// verified runs Verify through the runner and fails on a failing check.
func verified(t *testing.T, r *runbook.Runner, id string) {
	t.Helper()
	checks, err := r.Verify(t.Context(), id)
	must(t, err)
	for _, c := range checks {
		t.Logf("%s: %s ok=%v: %s", id, c.Name, c.OK, c.Evidence)
		if !c.OK {
			t.Errorf("%s: check %q failed: %s", id, c.Name, c.Evidence)
		}
	}
}
