package route53

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// undo is the undo records merged: the zone's creation, and per record set
// its state before the first apply and as the last apply wrote it.
type undo struct {
	createdZone bool
	callerRefs  []string
	zoneIDs     []string
	keys        []key
	before      map[key]*types.ResourceRecordSet
	after       map[key]*types.ResourceRecordSet
}

// merge reads the undo records oldest first. The oldest entry of a record
// set saw it before any apply, the newest is what the clone left there.
func (s *zoneStep) merge(records []json.RawMessage) (undo, error) {
	u := undo{before: map[key]*types.ResourceRecordSet{}, after: map[key]*types.ResourceRecordSet{}}
	for i, raw := range records {
		var r undoRecord
		if err := s.ReadUndo(i, raw, &r); err != nil {
			return u, err
		}
		if r.CreatedZone {
			u.createdZone, u.callerRefs = true, append(u.callerRefs, r.CallerReference)
		}
		if r.ZoneID != "" && !slices.Contains(u.zoneIDs, r.ZoneID) {
			u.zoneIDs = append(u.zoneIDs, r.ZoneID)
		}
		for _, e := range r.Records {
			if _, seen := u.before[e.Key]; !seen {
				u.keys, u.before[e.Key] = append(u.keys, e.Key), e.Before
			}
			u.after[e.Key] = e.After
		}
	}
	slices.SortFunc(u.keys, compareKeys)
	return u, nil
}

// Rollback puts every record set the clone wrote back as it was before the
// first apply (deleting those that were absent), in all-or-nothing
// batches, and deletes the zone if the clone created it and it then holds
// only its NS and SOA records. A record set changed since the clone wrote
// it is not touched: the rollback refuses, naming it. The old account is
// never touched.
func (s *zoneStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) error {
	if err := s.checkConfig(); err != nil {
		return err
	}
	u, err := s.merge(records)
	if err != nil {
		return err
	}
	z, err := findZone(ctx, s.cfg.Target, s.NewName)
	if err != nil {
		return s.Fail("%s (account %s): %w", s.TargetLabel, s.TargetAccount, err)
	}
	if z == nil {
		if len(u.keys) > 0 && !u.createdZone {
			return s.Fail("zone %s, which existed before the clone, is gone from %s; recreate it by hand from the undo records", s.NewName, s.TargetLabel)
		}
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf("zone %s is already gone from %s", s.NewName, s.TargetLabel)})
		return nil
	}
	if len(u.zoneIDs) > 0 && !slices.Contains(u.zoneIDs, z.id) {
		return s.Fail("zone %s in %s now has id %s, not %s that the clone wrote to; it was recreated since, roll it back by hand",
			s.NewName, s.TargetLabel, z.id, strings.Join(u.zoneIDs, ", "))
	}
	have, err := listRecords(ctx, s.cfg.Target, z.id)
	if err != nil {
		return s.Fail("%s: %w", s.TargetLabel, err)
	}
	edits, err := s.restoring(u, have)
	if err != nil {
		return err
	}
	if err := s.sendRestore(ctx, rec, z.id, edits); err != nil {
		return err
	}
	return s.dropZone(ctx, rec, u, *z)
}

// restoring is the edits that put each record set back, refusing when one
// holds neither the clone's value nor the original.
func (s *zoneStep) restoring(u undo, have []types.ResourceRecordSet) ([]edit, error) {
	cur := index(have)
	var edits []edit
	var changed []string
	for _, k := range u.keys {
		before, after := u.before[k], u.after[k]
		now, exists := cur[k]
		switch {
		case matches(before, now, exists):
		case matches(after, now, exists) && before == nil:
			edits = append(edits, edit{key: k, before: &now})
		case matches(after, now, exists) && !exists:
			edits = append(edits, edit{key: k, after: before})
		case matches(after, now, exists):
			edits = append(edits, edit{key: k, before: &now, after: before})
		default:
			changed = append(changed, k.String())
		}
	}
	if len(changed) > 0 {
		return nil, s.Fail("record sets %s in %s changed since the clone wrote them; the rollback leaves them alone: put them back as the clone left them, or restore them by hand, then roll back again",
			strings.Join(changed, ", "), s.TargetLabel)
	}
	sortEdits(edits)
	return edits, nil
}

// matches says whether the target's record set (exists false: absent) is
// r (nil: absent).
func matches(r *types.ResourceRecordSet, now types.ResourceRecordSet, exists bool) bool {
	if r == nil || !exists {
		return r == nil && !exists
	}
	return sameRecord(*r, now)
}

// sendRestore writes the restoring edits in batches.
func (s *zoneStep) sendRestore(ctx context.Context, rec runbook.Recorder, zoneID string, edits []edit) error {
	bs, err := batches(edits, s.limits)
	if err != nil {
		return s.Fail("%w", err)
	}
	for i, b := range bs {
		_, err := s.cfg.Target.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String(zoneID),
			ChangeBatch:  &types.ChangeBatch{Comment: aws.String("ferry rollback " + s.ID()), Changes: changes(b)},
		})
		if err != nil {
			return s.Fail("restore batch %d of %d (%s) in %s: %w; Route 53 applies a batch whole or not at all: roll back again, which restores only what is left",
				i+1, len(bs), keysText(b), s.TargetLabel, err)
		}
		rec.Progress(runbook.Progress{Done: i + 1, Total: len(bs), Message: fmt.Sprintf("restored %d record sets of zone %s in %s", len(b), s.NewName, s.TargetLabel)})
	}
	return nil
}

// dropZone deletes the zone when the clone created it and nothing but its
// own NS and SOA records is left in it.
func (s *zoneStep) dropZone(ctx context.Context, rec runbook.Recorder, u undo, z zone) error {
	if !u.createdZone {
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf("zone %s in %s existed before the clone and stays", s.NewName, s.TargetLabel)})
		return nil
	}
	if !slices.Contains(u.callerRefs, z.callerRef) {
		return s.Fail("zone %s in %s was not created by this clone (caller reference %q); its records are restored, the zone stays: delete it by hand if it should go",
			s.NewName, s.TargetLabel, z.callerRef)
	}
	have, err := listRecords(ctx, s.cfg.Target, z.id)
	if err != nil {
		return s.Fail("%s: %w", s.TargetLabel, err)
	}
	if left := extra(nil, have, s.NewName); len(left) > 0 {
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf("zone %s in %s stays: it holds %d record sets the clone did not write (%s)",
			s.NewName, s.TargetLabel, len(left), keyOf(left[0]))})
		return nil
	}
	if _, err := s.cfg.Target.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(z.id)}); err != nil {
		return s.Fail("delete zone %s (id %s), which the clone created, in %s: %w; delete it by hand or roll back again", s.NewName, z.id, s.TargetLabel, err)
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf("deleted zone %s (id %s), which the clone created, in %s", s.NewName, z.id, s.TargetLabel)})
	return nil
}

// RollbackPreview names, from the undo records alone, what a rollback
// would do in the new account, for the confirmation an operator answers
// before it runs.
func (s *zoneStep) RollbackPreview(records []json.RawMessage) ([]string, error) {
	u, err := s.merge(records)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("in zone %s of %s (account %s)", s.NewName, s.TargetLabel, s.TargetAccount)
	var out []string
	for _, k := range u.keys {
		if u.before[k] == nil {
			out = append(out, fmt.Sprintf("delete record set %s %s", k, where))
		} else {
			out = append(out, fmt.Sprintf("restore record set %s %s to its value before the clone", k, where))
		}
	}
	if u.createdZone {
		out = append(out, fmt.Sprintf("delete zone %s of %s (account %s), which the clone created, if only its NS and SOA records are left",
			s.NewName, s.TargetLabel, s.TargetAccount))
	}
	return out, nil
}

// PlanRollback is RollbackPreview as the runbook's rollback confirmation
// shows it.
func (s *zoneStep) PlanRollback(_ context.Context, records []json.RawMessage) (runbook.ChangeSet, error) {
	lines, err := s.RollbackPreview(records)
	return runbook.ChangeSet{Step: s.ID(), Notes: lines}, err
}
