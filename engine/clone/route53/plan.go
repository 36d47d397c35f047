package route53

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan compares the mapped source records with the target zone's. The
// first change is the zone: create when the new account has none, update
// when any record differs, none otherwise; a change per record that
// differs follows. Notes name every record that will not be copied, and
// why.
func (s *zoneStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	cs := runbook.ChangeSet{Step: s.ID()}
	sd, err := s.read(ctx)
	if err != nil {
		return cs, err
	}
	if err := s.needPublicOrExisting(sd); err != nil {
		return cs, err
	}
	edits, conflicts := diff(sd.want, sd.dstRecs)
	bs, err := batches(edits, s.limits)
	if err != nil {
		return cs, s.Fail("%w", err)
	}
	zc := runbook.Change{Kind: ChangeKindZone, Name: s.NewName, After: renderZone(s.NewName, sd.want)}
	switch {
	case sd.dst == nil:
		zc.Op = runbook.OpCreate
		cs.Notes = append(cs.Notes, fmt.Sprintf("zone %s does not exist in %s (account %s): the apply creates it (public)",
			s.NewName, s.TargetLabel, s.TargetAccount))
	case len(edits) == 0:
		zc.Op = runbook.OpNone
	default:
		zc.Op = runbook.OpUpdate
		zc.Before = renderZone(s.NewName, present(sd.want, sd.dstRecs))
	}
	cs.Changes = append([]runbook.Change{zc}, recordChanges(edits)...)
	if len(edits) > 0 {
		cs.Notes = append(cs.Notes, fmt.Sprintf("%d record sets to write in %d change batches (UPSERT, each batch all-or-nothing)", len(edits), len(bs)))
	}
	cs.Notes = append(cs.Notes, s.leftOut(sd, conflicts)...)
	return cs, nil
}

// leftOut notes the source records that will not be copied, and why, and
// counts the target's records the clone leaves alone.
func (s *zoneStep) leftOut(sd *sides, conflicts []unmapped) []string {
	var notes []string
	skipped := map[key]bool{}
	for _, u := range append(sd.unmapped, conflicts...) {
		notes = append(notes, "not copied: "+u.String())
		skipped[u.key] = true
	}
	n := 0
	for _, r := range extra(sd.want, sd.dstRecs, s.NewName) {
		if !skipped[keyOf(r)] {
			n++
		}
	}
	if n > 0 {
		notes = append(notes, fmt.Sprintf("%d record sets of the new zone that the old one lacks are left as they are", n))
	}
	return notes
}

// needPublicOrExisting refuses to create a private zone: it needs a VPC of
// the new account, which the mapping cannot name.
func (s *zoneStep) needPublicOrExisting(sd *sides) error {
	if sd.dst == nil && sd.src.private {
		return s.Fail("the old zone is private; create %s in %s (account %s) associated with its VPC, then apply again: ferry cannot pick the new account's VPC",
			s.NewName, s.TargetLabel, s.TargetAccount)
	}
	return nil
}

// recordChanges is a change per edit.
func recordChanges(edits []edit) []runbook.Change {
	out := make([]runbook.Change, 0, len(edits))
	for _, e := range edits {
		c := runbook.Change{Kind: ChangeKindRecord, Name: e.key.String(), Op: runbook.OpCreate, After: render(*e.after)}
		if e.before != nil {
			c.Op, c.Before = runbook.OpUpdate, render(*e.before)
		}
		out = append(out, c)
	}
	return out
}

// renderZone is a zone's records, one a line, in key order.
func renderZone(name string, recs []types.ResourceRecordSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "zone: %s\nrecords:\n", name)
	for _, r := range recs {
		b.WriteString("  " + render(r) + "\n")
	}
	return b.String()
}

// present is the target's record sets with the keys of want, in want's
// order.
func present(want, have []types.ResourceRecordSet) []types.ResourceRecordSet {
	byKey := index(have)
	var out []types.ResourceRecordSet
	for _, w := range want {
		if h, ok := byKey[keyOf(w)]; ok {
			out = append(out, h)
		}
	}
	return out
}

// extra is the target's record sets the source has no counterpart for,
// apex NS and SOA aside.
func extra(want, have []types.ResourceRecordSet, zoneName string) []types.ResourceRecordSet {
	wanted := index(want)
	var out []types.ResourceRecordSet
	for _, h := range have {
		if _, ok := wanted[keyOf(h)]; !ok && !isApexNSOrSOA(h, zoneName) {
			out = append(out, h)
		}
	}
	return out
}
