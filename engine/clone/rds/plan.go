package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan lists, without writing anything, what Apply does: the snapshot in
// the old account (and its re-encrypted copy, with a share key), the share
// with the new account, the copy there, and the restored instance, each
// create or none when an earlier apply made it. Changes in the old account
// carry its id as their namespace; the notes say they are the only writes
// there and what AWS does, for how long.
func (s *instanceStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	cs := runbook.ChangeSet{Step: s.ID()}
	inst := runbook.Change{Kind: ChangeInstance, Namespace: s.cfg.TargetAccount, Name: s.names.instance, After: sd.want.render(s.names.instance)}
	if sd.dst != nil {
		if d := differences(sd.want, have(sd.dst)); len(d) > 0 {
			return cs, s.differErr(d)
		}
		inst.Op, inst.Before = runbook.OpNone, inst.After
		cs.Changes = []runbook.Change{inst}
		cs.Notes = append([]string{fmt.Sprintf("DB instance %s already exists in %s as the clone wants it: applying changes nothing", s.names.instance, s.cfg.TargetLabel)},
			s.leftNote(sd), s.rollbackNote())
		return cs, nil
	}
	inst.Op = runbook.OpCreate
	cs.Changes = append(s.snapshotChanges(sd), inst)
	cs.Notes = s.notes(sd)
	return cs, nil
}

// differErr refuses a target instance that exists and is not the clone.
func (s *instanceStep) differErr(d []string) error {
	return s.fail("DB instance %s already exists in %s (account %s) and differs from the mapped source:\n  %s\n"+
		"ferry restores new instances only: delete it there (or roll this step back, if ferry made it), or rename the instance in the plan's mapping",
		s.names.instance, s.cfg.TargetLabel, s.cfg.TargetAccount, strings.Join(d, "\n  "))
}

// snapshotChanges are the snapshot work still to do; once the new account
// holds its copy, the old account's part is over and left out.
func (s *instanceStep) snapshotChanges(sd sides) []runbook.Change {
	keyOf := func(sn *types.DBSnapshot, fallback string) string {
		if sn != nil && aws.ToString(sn.KmsKeyId) != "" {
			return aws.ToString(sn.KmsKeyId)
		}
		return fallback
	}
	copyChange := runbook.Change{Op: createOp(sd.copy != nil), Kind: ChangeSnapshot, Namespace: s.cfg.TargetAccount, Name: s.names.copy,
		After: fmt.Sprintf("account: %s (new)\ncopied from: %s\n%s", s.cfg.TargetAccount, s.sharedARN(sd), encryption(sd.want.encrypted, sd.want.keyName))}
	if sd.copy != nil {
		return []runbook.Change{copyChange}
	}
	old := s.cfg.SourceAccount + " (old; ferry's only writes there)"
	out := []runbook.Change{{Op: createOp(sd.snap != nil), Kind: ChangeSnapshot, Namespace: s.cfg.SourceAccount, Name: s.names.snapshot,
		After: fmt.Sprintf("account: %s\nsnapshot of: %s\n%s", old, s.cfg.Name, encryption(sd.srcKey.arn != "", keyOf(sd.snap, sd.srcKey.describeName())))}}
	if sd.reencrypt() {
		out = append(out, runbook.Change{Op: createOp(sd.share != nil), Kind: ChangeSnapshot, Namespace: s.cfg.SourceAccount, Name: s.names.share,
			After: fmt.Sprintf("account: %s\ncopy of: %s\n%s", old, s.names.snapshot, encryption(true, sd.shareKey.describeName()))})
	}
	share := runbook.Change{Op: runbook.OpUpdate, Kind: ChangeShare, Namespace: s.cfg.SourceAccount, Name: s.sharedID(sd) + "/restore",
		Before: "restore: []", After: "restore: [" + s.cfg.TargetAccount + "]"}
	if sd.shared {
		share.Op, share.Before = runbook.OpNone, share.After
	}
	return append(out, share, copyChange)
}

// notes say what the clone writes where, what AWS does and for how long,
// what the data is, and what the operator must have arranged.
func (s *instanceStep) notes(sd sides) []string {
	var writes []string
	if sd.copy == nil {
		if sd.snap == nil {
			writes = append(writes, fmt.Sprintf("creates snapshot %s of %s", s.names.snapshot, s.cfg.Name))
		}
		if sd.reencrypt() && sd.share == nil {
			writes = append(writes, fmt.Sprintf("copies it as %s under the share key %s (%s is AWS-managed and cannot be shared)",
				s.names.share, sd.shareKey.describeName(), sd.srcKey.describeName()))
		}
		if !sd.shared {
			writes = append(writes, fmt.Sprintf("shares %s with account %s (its restore attribute)", s.sharedID(sd), s.cfg.TargetAccount))
		}
	}
	var notes []string
	if len(writes) > 0 {
		notes = append(notes, fmt.Sprintf("this step writes to the old account %s, the only writes it makes there: it %s", s.cfg.SourceAccount, strings.Join(writes, ", then ")))
	}
	notes = append(notes, fmt.Sprintf("AWS does the work: the snapshot, the copy into %s and the restore each take from minutes to hours, growing with %s's %d GiB; "+
		"apply shows each phase's progress while AWS works, and an interrupted apply resumes where it stopped", s.cfg.TargetAccount, s.cfg.Name, sd.want.storage))
	notes = append(notes, s.dataNote(sd))
	if k := s.keyToShare(sd); k.arn != "" {
		notes = append(notes, fmt.Sprintf("KMS key %s stays in account %s: its key policy must let account %s use it (kms:DescribeKey, kms:CreateGrant, kms:Decrypt), or AWS refuses the copy with KMSKeyNotAccessibleFault; ferry never changes the old account's keys",
			k.describeName(), s.cfg.SourceAccount, s.cfg.TargetAccount))
	}
	if aws.ToBool(sd.src.DeletionProtection) {
		notes = append(notes, fmt.Sprintf("%s has deletion protection; the clone is restored without it so that a rollback can delete it: turn it on after the cutover", s.cfg.Name))
	}
	notes = append(notes, "the clone has an endpoint of its own and keeps the source's master user and password; services must be pointed at it at cutover")
	return append(notes, s.leftNote(sd), s.rollbackNote())
}

// dataNote says which point in time the clone holds.
func (s *instanceStep) dataNote(sd sides) string {
	if sd.snap != nil && sd.snap.SnapshotCreateTime != nil {
		return fmt.Sprintf("snapshot %s already exists in account %s (taken %s): the clone restores that point in time; delete it there for a fresher one",
			s.names.snapshot, s.cfg.SourceAccount, sd.snap.SnapshotCreateTime.UTC().Format("2006-01-02 15:04 MST"))
	}
	return fmt.Sprintf("the clone holds %s's data as of the snapshot apply takes: writes after it are not copied; stop writes first (or plan a final sync) if the cutover needs them", s.cfg.Name)
}

// keyToShare is the key the new account must be let use: the share key,
// else the instance's own.
func (s *instanceStep) keyToShare(sd sides) keyInfo {
	if sd.reencrypt() {
		return sd.shareKey
	}
	return sd.srcKey
}

// leftNote names what the step leaves in the old account.
func (s *instanceStep) leftNote(sd sides) string {
	left := s.names.snapshot
	if sd.reencrypt() {
		left += " and " + s.names.share
	}
	return fmt.Sprintf("the old account keeps snapshot %s, shared with account %s: neither apply nor rollback deletes it; delete it there when the migration is done",
		left, s.cfg.TargetAccount)
}

func (s *instanceStep) rollbackNote() string {
	return fmt.Sprintf("rollback deletes DB instance %s and snapshot %s in account %s (after a confirmation naming them) and never touches account %s",
		s.names.instance, s.names.copy, s.cfg.TargetAccount, s.cfg.SourceAccount)
}
