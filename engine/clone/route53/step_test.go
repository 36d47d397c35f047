package route53

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

func rec(name, typ string, vals ...string) types.ResourceRecordSet {
	return types.ResourceRecordSet{Name: aws.String(name), Type: types.RRType(typ), TTL: aws.Int64(300), ResourceRecords: values(vals...)}
}

func weighted(name, id string, w int64, vals ...string) types.ResourceRecordSet {
	r := rec(name, "A", vals...)
	r.SetIdentifier, r.Weight = aws.String(id), aws.Int64(w)
	return r
}

func alias(name, zoneID, dns string) types.ResourceRecordSet {
	return types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA,
		AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(zoneID), DNSName: aws.String(dns), EvaluateTargetHealth: true}}
}

// elbZone is the canonical hosted zone of us-east-1's load balancers,
// which AWS owns: the same in both accounts.
const elbZone = "Z35SXDOTRQ7X7K"

// mappable are records the clone carries over whole: plain, weighted (one
// set), aliases in the zone, to a renamed zone and load balancer, and to
// CloudFront, and a TXT naming the old account.
func mappable() []types.ResourceRecordSet {
	return []types.ResourceRecordSet{
		rec("checkout-api.payments.acme.internal.", "A", "10.20.1.10"),
		rec("orders.acme.internal.", "CNAME", "orders-api.orders.acme.internal."),
		rec("acme.internal.", "TXT", `"owner=arn:aws:iam::`+oldAcct+`:role/dns-admin"`),
		weighted("api.acme.internal.", "kops", 90, "10.20.2.10"),
		weighted("api.acme.internal.", "eks", 10, "10.30.2.10"),
		alias("www.acme.internal.", "/hostedzone/ZOLD1", "orders.acme.internal."),
		alias("lb.acme.internal.", elbZone, "dualstack.orders-lb-old.us-east-1.elb.amazonaws.com."),
		alias("api2.acme.internal.", "ZOLDAPI", "api.other.internal."),
		alias("cdn.acme.internal.", "Z2FDTNDATAQYW2", "d111111abcdef8.cloudfront.net."),
	}
}

// unmappable are records the mapping cannot carry: an alias to a load
// balancer and to a zone of the old account that no rename covers.
func unmappable() []types.ResourceRecordSet {
	return []types.ResourceRecordSet{
		alias("legacy.acme.internal.", elbZone, "legacy-lb-1.us-east-1.elb.amazonaws.com."),
		alias("intra.acme.internal.", "ZOLDX", "intra.other.internal."),
	}
}

// seeded is the old account with acme.internal. (and the zones its
// aliases name) and an empty new account.
func seeded(recs ...types.ResourceRecordSet) (src, dst *fakeR53) {
	src, dst = newFakeR53(), newFakeR53()
	src.addZone("ZOLD1", "acme.internal.", recs...)
	src.addZone("ZOLDAPI", "other.internal.")
	src.addZone("ZOLDX", "intra.internal.")
	return src, dst
}

func newStep(src, dst *fakeR53) *zoneStep {
	return NewZoneStep(ZoneConfig{Zone: "acme.internal", Source: src, Target: dst, Mapping: testMapping, TargetLabel: "EKS",
		SourceAccount: oldAcct, TargetAccount: newAcct}).(*zoneStep)
}

func apply(t *testing.T, s runbook.Step, rec *memRecorder) *memRecorder {
	t.Helper()
	if rec == nil {
		rec = &memRecorder{}
	}
	must(t, s.Apply(t.Context(), rec))
	return rec
}

func checks(t *testing.T, s runbook.Step) map[string]runbook.Check {
	t.Helper()
	cs, err := s.Verify(t.Context())
	must(t, err)
	out := map[string]runbook.Check{}
	for _, c := range cs {
		out[c.Name] = c
	}
	return out
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	s := NewZoneStep(ZoneConfig{Zone: "acme.internal.", Source: src, Target: dst, TargetLabel: "EKS", Deps: []string{"preflight"}})
	got := []string{s.ID(), s.Kind(), s.Title(), strings.Join(s.Deps(), ",")}
	want := []string{"aws/route53/acme.internal", "clone-route53", "Copy Route 53 zone acme.internal. to EKS", "preflight"}
	if !slices.Equal(got, want) {
		t.Errorf("metadata = %q, want %q", got, want)
	}
}

// TestPlanCreate: into an empty account the plan creates the zone and
// every mappable record, with mapped values, names what it cannot copy,
// and writes nothing.
func TestPlanCreate(t *testing.T) {
	t.Parallel()
	src, dst := seeded(append(mappable(), unmappable()...)...)
	cs, err := newStep(src, dst).Plan(t.Context())
	must(t, err)
	if cs.Changes[0].Op != runbook.OpCreate || cs.Changes[0].Kind != ChangeKindZone || len(cs.Changes) != 1+len(mappable()) {
		t.Fatalf("changes = %+v", cs.Changes)
	}
	after := cs.Changes[0].After
	for _, want := range []string{
		`acme.internal. TXT ttl=300 "owner=arn:aws:iam::222222222222:role/dns-admin"`,
		"api.acme.internal. A [kops] weight=90 ttl=300 10.20.2.10",
		"www.acme.internal. A alias=(the new zone's id)/orders.acme.internal. evaluateTargetHealth=true",
		"lb.acme.internal. A alias=" + elbZone + "/dualstack.orders-lb-new.us-east-1.elb.amazonaws.com.",
		"api2.acme.internal. A alias=ZNEWAPI/api.other.internal.",
		"cdn.acme.internal. A alias=Z2FDTNDATAQYW2/d111111abcdef8.cloudfront.net.",
	} {
		if !strings.Contains(after, want) {
			t.Errorf("plan lacks %q:\n%s", want, after)
		}
	}
	if strings.Contains(after, oldAcct) || strings.Contains(after, "NS") || strings.Contains(after, "SOA") {
		t.Errorf("plan holds the old account or the apex NS/SOA:\n%s", after)
	}
	for _, want := range []string{
		"not copied: legacy.acme.internal. A: alias to load balancer legacy-lb-1.us-east-1.elb.amazonaws.com. of the old account",
		"not copied: intra.acme.internal. A: alias to intra.other.internal. in zone ZOLDX of the old account",
		"zone acme.internal. does not exist in EKS (account 222222222222): the apply creates it (public)",
	} {
		if !slices.ContainsFunc(cs.Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
			t.Errorf("notes lack %q: %q", want, cs.Notes)
		}
	}
	if len(src.calls.Writes())+len(dst.calls.Writes()) != 0 {
		t.Errorf("plan wrote: %q %q", src.calls.Writes(), dst.calls.Writes())
	}
}

// TestApplyTwice creates the zone and its records, saving each undo record
// before its write; the second apply writes nothing; Verify passes record
// by record; rollback deletes the records and then the zone.
func TestApplyTwice(t *testing.T) {
	t.Parallel()
	src, dst := seeded(mappable()...)
	s := newStep(src, dst)
	before := dst.state()
	first := &memRecorder{Check: notWrittenYet(t, dst)}
	must(t, s.Apply(t.Context(), first))
	w := dst.calls.Writes()
	if len(w) != 2 || w[0] != "CreateHostedZone acme.internal." || !strings.HasPrefix(w[1], "ChangeResourceRecordSets ZNEW1: UPSERT") {
		t.Fatalf("writes = %q", w)
	}
	if n := len(first.Undo()); n != 2 {
		t.Errorf("%d undo records saved, want 2 (zone, one batch)", n)
	}
	again := apply(t, s, nil)
	if len(dst.calls.Writes()) != 2 || len(again.Undo()) != 0 || !strings.HasPrefix(again.Messages()[len(again.Messages())-1], "unchanged zone acme.internal.") {
		t.Errorf("second apply: writes %q, undo %d, progress %q", dst.calls.Writes()[2:], len(again.Undo()), again.Messages())
	}
	cs, err := s.Plan(t.Context())
	must(t, err)
	if len(cs.Changes) != 1 || cs.Changes[0].Op != runbook.OpNone {
		t.Errorf("plan after apply: %+v", cs.Changes)
	}
	got := checks(t, s)
	for _, name := range []string{CheckZone, CheckRecords, CheckAccounts} {
		if !got[name].OK {
			t.Errorf("check %s failed: %s", name, got[name].Evidence)
		}
	}
	if !strings.HasPrefix(got[CheckRecords].Evidence, "9 of 9 record sets present with the mapped values: acme.internal. TXT, api.acme.internal. A [eks]") {
		t.Errorf("evidence = %s", got[CheckRecords].Evidence)
	}
	must(t, s.Rollback(t.Context(), first.Undo(), &memRecorder{}))
	if got := dst.state(); got != before {
		t.Errorf("after rollback:\n%s\nwant\n%s", got, before)
	}
	if w := src.calls.Writes(); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
}

// notWrittenYet checks, at each Save, that the write the record describes
// has not happened yet.
func notWrittenYet(t *testing.T, dst *fakeR53) func(undoRecord) {
	return func(u undoRecord) {
		if u.CreatedZone && strings.Contains(dst.state(), "zone "+u.Zone) {
			t.Errorf("zone %s saved after it was created", u.Zone)
		}
		for _, e := range u.Records {
			if e.Before == nil && strings.Contains(dst.state(), canonical(*e.After)) {
				t.Errorf("record %s saved after it was written", e.Key)
			}
		}
	}
}

// TestVerifyNamesUnmapped: records the mapping cannot carry are not
// written, and Verify fails naming each.
func TestVerifyNamesUnmapped(t *testing.T) {
	t.Parallel()
	src, dst := seeded(append(mappable(), unmappable()...)...)
	s := newStep(src, dst)
	apply(t, s, nil)
	if st := dst.state(); strings.Contains(st, "legacy") || strings.Contains(st, "intra") {
		t.Errorf("unmappable records were written:\n%s", st)
	}
	c := checks(t, s)[CheckRecords]
	if c.OK || !strings.Contains(c.Evidence, "not copied: legacy.acme.internal. A: alias to load balancer") ||
		!strings.Contains(c.Evidence, "not copied: intra.acme.internal. A: alias to intra.other.internal. in zone ZOLDX") {
		t.Errorf("records check = %+v", c)
	}
}
