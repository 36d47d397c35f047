package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan lists, without writing anything, what Apply does: the cluster
// snapshot in the old account (and its re-encrypted copy, with a share
// key), the share with the new account, the copy there, the restored
// cluster and each member instance, each create or none when an earlier
// apply made it. Changes in the old account carry its id as their
// namespace; the notes say they are the only writes there and what AWS
// does, for how long.
func (s *clusterStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	cs := runbook.ChangeSet{Step: s.ID()}
	cluster := runbook.Change{Kind: ChangeCluster, Namespace: s.cfg.TargetAccount, Name: s.names.cluster, After: sd.want.render(s.names.cluster)}
	members, missing := s.memberChanges(sd)
	if sd.dst == nil {
		cluster.Op = runbook.OpCreate
		cs.Changes = append(append(s.snapshotChanges(sd), cluster), members...)
		cs.Notes = s.notes(sd)
		return cs, nil
	}
	if d := s.differences(sd); len(d) > 0 {
		return cs, s.differErr(d)
	}
	cluster.Op, cluster.Before = runbook.OpNone, cluster.After
	cs.Changes = append([]runbook.Change{cluster}, members...)
	first := fmt.Sprintf("DB cluster %s and its members already exist in %s as the clone wants them: applying changes nothing", s.names.cluster, s.cfg.TargetLabel)
	if len(missing) > 0 {
		first = fmt.Sprintf("DB cluster %s already exists in %s as the clone wants it: applying creates the members it lacks (%s)",
			s.names.cluster, s.cfg.TargetLabel, strings.Join(missing, ", "))
	}
	cs.Notes = []string{first, s.leftNote(sd), s.rollbackNote(sd)}
	return cs, nil
}

// memberChanges are the member instances, create or none; missing names
// those to create.
func (s *clusterStep) memberChanges(sd clusterSides) (changes []runbook.Change, missing []string) {
	for _, m := range sd.want.members {
		ch := runbook.Change{Op: createOp(sd.dstMembers[m.id] != nil), Kind: ChangeInstance, Namespace: s.cfg.TargetAccount, Name: m.id,
			After: m.render(s.names.cluster)}
		if ch.Op == runbook.OpNone {
			ch.Before = ch.After
		} else {
			missing = append(missing, m.id)
		}
		changes = append(changes, ch)
	}
	return changes, missing
}

// differences lists how the target cluster and the members it has differ
// from the mapped source.
func (s *clusterStep) differences(sd clusterSides) []string {
	d := clusterDifferences(sd.want, haveCluster(sd.dst))
	for _, m := range sd.want.members {
		if in := sd.dstMembers[m.id]; in != nil {
			d = append(d, memberDifferences(m, haveMember(in))...)
		}
	}
	return d
}

// differErr refuses a target cluster that exists and is not the clone.
func (s *clusterStep) differErr(d []string) error {
	return s.fail("DB cluster %s already exists in %s and differs from the mapped source:\n  %s\n"+
		"ferry restores new clusters only: delete it there (or roll this step back, if ferry made it), or rename the cluster in the plan's mapping",
		s.names.cluster, s.onTarget(), strings.Join(d, "\n  "))
}

// snapshotChanges are the snapshot work still to do; once the new account
// holds its copy, the old account's part is over and left out.
func (s *clusterStep) snapshotChanges(sd clusterSides) []runbook.Change {
	keyOf := func(sn *types.DBClusterSnapshot, fallback string) string {
		if sn != nil && aws.ToString(sn.KmsKeyId) != "" {
			return aws.ToString(sn.KmsKeyId)
		}
		return fallback
	}
	copyChange := runbook.Change{Op: createOp(sd.copy != nil), Kind: ChangeClusterSnapshot, Namespace: s.cfg.TargetAccount, Name: s.names.copy,
		After: fmt.Sprintf("account: %s (new)\ncopied from: %s\n%s", s.cfg.TargetAccount, s.sharedARN(sd), encryption(sd.want.encrypted, sd.want.keyName))}
	if sd.copy != nil {
		return []runbook.Change{copyChange}
	}
	old := s.cfg.SourceAccount + " (old; ferry's only writes there)"
	out := []runbook.Change{{Op: createOp(sd.snap != nil), Kind: ChangeClusterSnapshot, Namespace: s.cfg.SourceAccount, Name: s.names.snapshot,
		After: fmt.Sprintf("account: %s\nsnapshot of: %s\n%s", old, s.cfg.Name, encryption(sd.srcKey.arn != "", keyOf(sd.snap, sd.srcKey.describeName())))}}
	if sd.reencrypt() {
		out = append(out, runbook.Change{Op: createOp(sd.share != nil), Kind: ChangeClusterSnapshot, Namespace: s.cfg.SourceAccount, Name: s.names.share,
			After: fmt.Sprintf("account: %s\ncopy of: %s\n%s", old, s.names.snapshot, encryption(true, sd.shareKey.describeName()))})
	}
	share := runbook.Change{Op: runbook.OpUpdate, Kind: ChangeClusterShare, Namespace: s.cfg.SourceAccount, Name: s.sharedID(sd) + "/restore",
		Before: "restore: []", After: "restore: [" + s.cfg.TargetAccount + "]"}
	if sd.shared {
		share.Op, share.Before = runbook.OpNone, share.After
	}
	return append(out, share, copyChange)
}

// notes say what the clone writes where, what AWS does and for how long,
// what the data is, and what the operator must have arranged.
func (s *clusterStep) notes(sd clusterSides) []string {
	var writes []string
	if sd.copy == nil {
		if sd.snap == nil {
			writes = append(writes, fmt.Sprintf("creates cluster snapshot %s of %s", s.names.snapshot, s.cfg.Name))
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
	notes = append(notes, fmt.Sprintf("AWS does the work: the snapshot, the copy into %s, the restore and each of the %d member instances take from minutes to hours, growing with %s's data; "+
		"apply shows each phase's progress while AWS works, and an interrupted apply resumes where it stopped", s.cfg.TargetAccount, len(sd.want.members), s.cfg.Name))
	notes = append(notes, s.dataNote(sd))
	key := sd.srcKey
	if sd.reencrypt() {
		key = sd.shareKey
	}
	if key.arn != "" {
		notes = append(notes, fmt.Sprintf("KMS key %s stays in account %s: its key policy must let account %s use it (kms:DescribeKey, kms:CreateGrant, kms:Decrypt), or AWS refuses the copy with KMSKeyNotAccessibleFault; ferry never changes the old account's keys",
			key.describeName(), s.cfg.SourceAccount, s.cfg.TargetAccount))
	}
	if aws.ToBool(sd.src.DeletionProtection) {
		notes = append(notes, fmt.Sprintf("%s has deletion protection; the clone is restored without it so that a rollback can delete it: turn it on after the cutover", s.cfg.Name))
	}
	notes = append(notes, "the clone has endpoints of its own (writer and reader) and keeps the source's master user and password; services must be pointed at them at cutover")
	return append(notes, s.leftNote(sd), s.rollbackNote(sd))
}

// dataNote says which point in time the clone holds.
func (s *clusterStep) dataNote(sd clusterSides) string {
	if sd.snap != nil && sd.snap.SnapshotCreateTime != nil {
		return fmt.Sprintf("cluster snapshot %s already exists in account %s (taken %s): the clone restores that point in time; delete it there for a fresher one",
			s.names.snapshot, s.cfg.SourceAccount, sd.snap.SnapshotCreateTime.UTC().Format("2006-01-02 15:04 MST"))
	}
	return fmt.Sprintf("the clone holds %s's data as of the cluster snapshot apply takes: writes after it are not copied; stop writes first (or plan a final sync) if the cutover needs them", s.cfg.Name)
}

// leftNote names what the step leaves in the old account.
func (s *clusterStep) leftNote(sd clusterSides) string {
	left := s.names.snapshot
	if sd.reencrypt() {
		left += " and " + s.names.share
	}
	return fmt.Sprintf("the old account keeps cluster snapshot %s, shared with account %s: neither apply nor rollback deletes it; delete it there when the migration is done",
		left, s.cfg.TargetAccount)
}

func (s *clusterStep) rollbackNote(sd clusterSides) string {
	var ids []string
	for _, m := range sd.want.members {
		ids = append(ids, m.id)
	}
	return fmt.Sprintf("rollback deletes the member instances %s, DB cluster %s and cluster snapshot %s in account %s (after a confirmation naming them) and never touches account %s",
		strings.Join(ids, ", "), s.names.cluster, s.names.copy, s.cfg.TargetAccount, s.cfg.SourceAccount)
}
