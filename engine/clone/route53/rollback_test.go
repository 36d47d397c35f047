package route53

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// many is n plain records and a weighted pair, enough for several batches
// under small limits.
func many(n int) []types.ResourceRecordSet {
	var out []types.ResourceRecordSet
	for i := range n {
		out = append(out, rec(fmt.Sprintf("host-%02d.acme.internal.", i), "A", fmt.Sprintf("10.20.9.%d", i)))
	}
	return append(out, weighted("api.acme.internal.", "kops", 90, "10.20.2.10"), weighted("api.acme.internal.", "eks", 10, "10.30.2.10"))
}

// small allows 3 plain records a batch (an UPSERT's record counts twice).
var small = limits{changes: 1000, records: 6, chars: 32000}

// TestBatches: every batch stays within the limits, a weighted set is never
// split, and a set too big for any batch is refused before anything is
// written.
func TestBatches(t *testing.T) {
	t.Parallel()
	src, dst := seeded(many(7)...)
	s := newStep(src, dst)
	s.limits = small
	apply(t, s, nil)
	var sent []string
	for _, w := range dst.calls.Writes()[1:] {
		if !strings.HasPrefix(w, "ChangeResourceRecordSets") {
			t.Fatalf("unexpected write %q", w)
		}
		parts := strings.Split(w[strings.Index(w, ": ")+2:], ", ")
		if len(parts) > 3 {
			t.Errorf("batch over the limit: %q", w)
		}
		if strings.Contains(w, "[kops]") != strings.Contains(w, "[eks]") {
			t.Errorf("weighted set split: %q", w)
		}
		sent = append(sent, parts...)
	}
	if len(sent) != 9 || len(dst.calls.Writes()) != 4 {
		t.Errorf("sent %d changes in %d batches: %q", len(sent), len(dst.calls.Writes())-1, dst.calls.Writes())
	}
	_, err := batches([]edit{{key: key{Name: "big.", Type: "TXT"}, after: &types.ResourceRecordSet{Name: aws.String("big."),
		Type: types.RRTypeTxt, ResourceRecords: values(strings.Repeat("x", 16001))}}}, apiLimits)
	if err == nil || !strings.Contains(err.Error(), "big. TXT alone exceed one Route 53 change batch") {
		t.Errorf("oversized record: %v", err)
	}
}

// TestResumeAfterCrash: an apply cut short between batches is resumed by
// the next, which writes only what is missing (each record exactly once
// overall) and reuses the zone; a rollback from both applies' undo
// records leaves the account as it was.
func TestResumeAfterCrash(t *testing.T) {
	t.Parallel()
	src, dst := seeded(many(7)...)
	before := dst.state()
	s := newStep(src, dst)
	s.limits = small
	dst.failBatch = 2
	first := &memRecorder{}
	if err := s.Apply(t.Context(), first); err == nil || !strings.Contains(err.Error(), "batch 2 of 3") {
		t.Fatalf("apply with a failing batch: %v", err)
	}
	second := &memRecorder{Resume: first.Undo()}
	must(t, s.Apply(t.Context(), second))
	upserts := map[string]int{}
	for n, w := range dst.calls.Writes() {
		if strings.HasPrefix(w, "CreateHostedZone") {
			upserts["zone"]++
		}
		// The second batch call failed without writing.
		if i := strings.Index(w, ": "); i > 0 && strings.HasPrefix(w, "ChangeResourceRecordSets") && n != 2 {
			for _, p := range strings.Split(w[i+2:], ", ") {
				upserts[p]++
			}
		}
	}
	for k, n := range upserts {
		if n != 1 {
			t.Errorf("%s written %d times", k, n)
		}
	}
	if len(upserts) != 10 {
		t.Errorf("writes = %q", dst.calls.Writes())
	}
	if c := checks(t, s)[CheckRecords]; !c.OK {
		t.Errorf("verify after resume: %s", c.Evidence)
	}
	must(t, s.Rollback(t.Context(), append(first.Undo(), second.Undo()...), &memRecorder{}))
	if got := dst.state(); got != before {
		t.Errorf("after rollback:\n%s\nwant\n%s", got, before)
	}
}

// existing is a new account that already holds acme.internal. with an
// outdated weighted record and a record of its own.
func existing() (src, dst *fakeR53) {
	src, dst = seeded(mappable()...)
	dst.addZone("ZNEWPRE", "acme.internal.",
		weighted("api.acme.internal.", "kops", 100, "10.99.0.1"),
		rec("only-new.acme.internal.", "A", "10.30.0.1"))
	return src, dst
}

// TestRollbackRestores: over an existing zone, the plan updates one record
// and creates the rest; the rollback restores the updated one, deletes the
// created ones, keeps the zone and the record the clone never touched.
func TestRollbackRestores(t *testing.T) {
	t.Parallel()
	src, dst := existing()
	before := dst.state()
	s := newStep(src, dst)
	cs, err := s.Plan(t.Context())
	must(t, err)
	ops := map[runbook.Op]int{}
	for _, c := range cs.Changes[1:] {
		ops[c.Op]++
	}
	if cs.Changes[0].Op != runbook.OpUpdate || ops[runbook.OpUpdate] != 1 || ops[runbook.OpCreate] != 8 ||
		!slices.Contains(cs.Notes, "1 record sets of the new zone that the old one lacks are left as they are") {
		t.Errorf("plan: %v %v, notes %q", cs.Changes[0].Op, ops, cs.Notes)
	}
	rec := apply(t, s, nil)
	if !strings.Contains(dst.state(), "only-new") || !strings.Contains(canonical(findRec(t, dst, "ZNEWPRE", "www.acme.internal.")), `"HostedZoneId":"ZNEWPRE"`) {
		t.Errorf("after apply:\n%s", dst.state())
	}
	preview, err := s.RollbackPreview(rec.Undo())
	must(t, err)
	if len(preview) != 9 || !slices.Contains(preview, "restore record set api.acme.internal. A [kops] in zone acme.internal. of EKS (account 222222222222) to its value before the clone") ||
		!slices.Contains(preview, "delete record set www.acme.internal. A in zone acme.internal. of EKS (account 222222222222)") {
		t.Errorf("preview = %q", preview)
	}
	back := &memRecorder{}
	must(t, s.Rollback(t.Context(), rec.Undo(), back))
	if got := dst.state(); got != before {
		t.Errorf("after rollback:\n%s\nwant\n%s", got, before)
	}
	if last := back.Messages()[len(back.Messages())-1]; last != "zone acme.internal. in EKS existed before the clone and stays" {
		t.Errorf("progress = %q", back.Messages())
	}
	n := len(dst.calls.Writes())
	must(t, s.Rollback(t.Context(), rec.Undo(), &memRecorder{}))
	if w := dst.calls.Writes()[n:]; len(w) != 0 {
		t.Errorf("the second rollback wrote %q", w)
	}
}

func findRec(t *testing.T, f *fakeR53, zoneID, name string) types.ResourceRecordSet {
	t.Helper()
	for _, r := range f.zones[zoneID].recs {
		if aws.ToString(r.Name) == name {
			return r
		}
	}
	t.Fatalf("no record %s in %s", name, zoneID)
	return types.ResourceRecordSet{}
}

// TestRollbackRefusesChanged: a record changed by hand since the clone
// wrote it stops the rollback before any write, naming it.
func TestRollbackRefusesChanged(t *testing.T) {
	t.Parallel()
	src, dst := seeded(mappable()...)
	s := newStep(src, dst)
	rec := apply(t, s, nil)
	z := dst.zones["ZNEW1"]
	i := slices.IndexFunc(z.recs, func(r types.ResourceRecordSet) bool { return aws.ToString(r.Name) == "orders.acme.internal." })
	z.recs[i].ResourceRecords = values("elsewhere.acme.internal.")
	n := len(dst.calls.Writes())
	err := s.Rollback(t.Context(), rec.Undo(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "record sets orders.acme.internal. CNAME in EKS changed since the clone wrote them") {
		t.Errorf("rollback: %v", err)
	}
	if len(dst.calls.Writes()) != n {
		t.Errorf("a refused rollback wrote: %q", dst.calls.Writes()[n:])
	}
}

// TestRollbackKeepsZoneWithForeignRecords: a zone the clone created stays
// when someone added a record to it since.
func TestRollbackKeepsZoneWithForeignRecords(t *testing.T) {
	t.Parallel()
	src, dst := seeded(mappable()...)
	s := newStep(src, dst)
	applied := apply(t, s, nil)
	z := dst.zones["ZNEW1"]
	z.recs = append(z.recs, rec("by-hand.acme.internal.", "A", "10.30.0.9"))
	back := &memRecorder{}
	must(t, s.Rollback(t.Context(), applied.Undo(), back))
	recs := dst.zones["ZNEW1"].recs
	if len(recs) != 3 || !strings.Contains(back.Messages()[len(back.Messages())-1], "stays: it holds 1 record sets the clone did not write (by-hand.acme.internal. A)") {
		t.Errorf("zone after rollback: %d records, progress %q", len(recs), back.Messages())
	}
}

// TestConflict: a plain record in the new zone where the source has a
// weighted set is left alone; the plan and Verify name it.
func TestConflict(t *testing.T) {
	t.Parallel()
	src, dst := seeded(mappable()...)
	dst.addZone("ZNEWPRE", "acme.internal.", rec("api.acme.internal.", "A", "10.30.2.99"))
	s := newStep(src, dst)
	cs, err := s.Plan(t.Context())
	must(t, err)
	want := "not copied: api.acme.internal. A [eks]: api.acme.internal. A in the new zone conflicts with it"
	if !slices.ContainsFunc(cs.Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
		t.Errorf("notes = %q", cs.Notes)
	}
	apply(t, s, nil)
	if r := findRec(t, dst, "ZNEWPRE", "api.acme.internal."); aws.ToString(r.ResourceRecords[0].Value) != "10.30.2.99" {
		t.Errorf("conflicting record overwritten: %s", canonical(r))
	}
	if c := checks(t, s)[CheckRecords]; c.OK || !strings.Contains(c.Evidence, want) {
		t.Errorf("records check = %+v", c)
	}
}

// TestVerifyOldAccount: a record of the new zone that names the old
// account fails the check with its location, whoever wrote it.
func TestVerifyOldAccount(t *testing.T) {
	t.Parallel()
	src, dst := seeded(mappable()...)
	s := newStep(src, dst)
	apply(t, s, nil)
	z := dst.zones["ZNEW1"]
	z.recs = append(z.recs, rec("queue.acme.internal.", "TXT", `"https://sqs.us-east-1.amazonaws.com/`+oldAcct+`/orders"`))
	c := checks(t, s)[CheckAccounts]
	if c.OK || c.Evidence != "queue.acme.internal. TXT value: https://sqs.us-east-1.amazonaws.com/"+oldAcct+"/orders" {
		t.Errorf("accounts check = %+v", c)
	}
}

// TestRefusals: configurations and zones the step will not work with.
func TestRefusals(t *testing.T) {
	t.Parallel()
	src, dst := seeded(mappable()...)
	src.addZone("ZPRIV", "private.internal.").private = true
	dup, _ := seeded()
	dup.addZone("ZDUP", "acme.internal.")
	tests := []struct {
		name string
		cfg  ZoneConfig
		want string
	}{
		{"missing", ZoneConfig{Zone: "nope.internal", Source: src, Target: dst, TargetAccount: newAcct}, "no such hosted zone in the old account"},
		{"target is old", ZoneConfig{Zone: "acme.internal", Source: src, Target: dst, SourceAccount: oldAcct, TargetAccount: oldAcct},
			"target account 111111111111 is an old account"},
		{"private", ZoneConfig{Zone: "private.internal", Source: src, Target: dst, TargetAccount: newAcct},
			"the old zone is private; create private.internal. in target (account 222222222222) associated with its VPC"},
		{"two zones", ZoneConfig{Zone: "acme.internal", Source: dup, Target: dst, TargetAccount: newAcct},
			"2 hosted zones are named acme.internal. (ids ZDUP, ZOLD1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewZoneStep(tt.cfg)
			for what, err := range map[string]error{"plan": planErr(t, s), "apply": s.Apply(t.Context(), &memRecorder{})} {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v, want %q", what, err, tt.want)
				}
			}
		})
	}
	if w := slices.Concat(src.calls.Writes(), dst.calls.Writes(), dup.calls.Writes()); len(w) != 0 {
		t.Errorf("a refused step wrote: %q", w)
	}
}

func planErr(t *testing.T, s runbook.Step) error {
	_, err := s.Plan(t.Context())
	return err
}

// TestUndoRecordsRoundTrip: undo records hold everything a rollback in a
// later process needs, as JSON.
func TestUndoRecordsRoundTrip(t *testing.T) {
	t.Parallel()
	src, dst := existing()
	s := newStep(src, dst)
	rec := apply(t, s, nil)
	var u undoRecord
	must(t, json.Unmarshal(rec.Undo()[0], &u))
	byKey := map[string]undoEntry{}
	for _, e := range u.Records {
		byKey[e.Key.String()] = e
	}
	e := byKey["api.acme.internal. A [kops]"]
	if u.ZoneID != "ZNEWPRE" || u.CreatedZone || e.Before == nil || aws.ToInt64(e.Before.Weight) != 100 || aws.ToInt64(e.After.Weight) != 90 {
		t.Errorf("undo record = %+v, entry %+v", u, e)
	}
	if keys := slices.Sorted(maps.Keys(byKey)); len(keys) != 9 {
		t.Errorf("undo keys = %q", keys)
	}
}
