package route53

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// TestSandboxClone copies acme.internal. (decorated with a record naming
// the old account and an alias within the zone) and acme.example. (a
// weighted record) into the new account through a runner, in several
// change batches, while both accounts throttle and fail a share of
// requests; then checks the copies with a client the steps never used,
// re-applies (no write), and rolls back: the new account ends as it began
// and the old one is never written to.
func TestSandboxClone(t *testing.T) {
	sb := clonetest.Isolated(t)
	p := sb.Plan
	oldReader, newReader := route53.NewFromConfig(sb.OldAccount), route53.NewFromConfig(sb.NewAccount)
	decorate(t, oldReader, p.Source.AWS.Account)
	state := func() clonetest.State {
		return clonetest.State{Old: snapshot(t, oldReader), New: snapshot(t, newReader)}
	}
	before := state()

	src := route53.NewFromConfig(clonetest.Retrying(sb.Source()))
	dst := route53.NewFromConfig(clonetest.Retrying(sb.Target()))
	var steps []runbook.Step
	var ids []string
	for _, z := range []string{"acme.internal", "acme.example"} {
		s := NewZoneStep(ZoneConfig{Zone: z, Source: src, Target: dst, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: p.Source.AWS.Account, TargetAccount: p.Target.AWS.Account})
		s.(*zoneStep).limits = limits{changes: 1000, records: 6, chars: 32000} // three record sets a batch
		steps, ids = append(steps, s), append(ids, s.ID())
	}
	r, _ := clonetest.Runner(t, runbook.Config{Steps: steps})

	faults := sb.InjectFaults(t, true)
	for _, id := range ids {
		cs, err := r.Plan(t.Context(), id)
		must(t, err)
		if cs.Changes[0].Op != runbook.OpCreate {
			t.Errorf("plan of %s: %s, notes %q", id, cs.Changes[0].Op, cs.Notes)
		}
		must(t, r.Apply(t.Context(), id))
		clonetest.Verified(t, r, id)
	}
	// acme.internal.'s nine record sets go three a batch.
	want := []string{"CreateHostedZone", "ChangeResourceRecordSets", "ChangeResourceRecordSets", "ChangeResourceRecordSets",
		"CreateHostedZone", "ChangeResourceRecordSets"}
	if w := sb.TargetOps.Writes(0); !slices.Equal(w, want) {
		t.Errorf("writes to the new account: %q, want %q", w, want)
	}
	for i, cs := range sb.Reapply(t, r, ids...) {
		if len(cs.Changes) != 1 {
			t.Errorf("plan of %s after apply: %+v", ids[i], cs.Changes)
		}
	}
	faults.Off()

	independentRead(t, oldReader, newReader, p.Source.AWS.Account, p.Target.AWS.Account)
	faults = sb.InjectFaults(t, false)
	for _, id := range ids {
		must(t, r.Rollback(t.Context(), id))
	}
	faults.Off()
	sb.RolledBack(t, before, state())
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
