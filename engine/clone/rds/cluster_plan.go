package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

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
		cs.Changes = append(append(sd.changes(&s.common, s.sharedARN(sd), encryption(sd.want.encrypted, sd.want.keyName)), cluster), members...)
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
	cs.Notes = []string{first, sd.leftNote(&s.common), s.rollbackNote(sd)}
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

// notes say what the clone writes where, what AWS does and for how long,
// what the data is, and what the operator must have arranged.
func (s *clusterStep) notes(sd clusterSides) []string {
	work := fmt.Sprintf("AWS does the work: the snapshot, the copy into %s, the restore and each of the %d member instances take from minutes to hours, growing with %s's data; "+
		"apply shows each phase's progress while AWS works, and an interrupted apply resumes where it stopped", s.cfg.TargetAccount, len(sd.want.members), s.cfg.Name)
	return append(sd.snapshots.notes(&s.common, work, aws.ToBool(sd.src.DeletionProtection),
		"the clone has endpoints of its own (writer and reader) and keeps the source's master user and password; services must be pointed at them at cutover"), s.rollbackNote(sd))
}

func (s *clusterStep) rollbackNote(sd clusterSides) string {
	var ids []string
	for _, m := range sd.want.members {
		ids = append(ids, m.id)
	}
	return fmt.Sprintf("rollback deletes the member instances %s, DB cluster %s and cluster snapshot %s in account %s (after a confirmation naming them) and never touches account %s",
		strings.Join(ids, ", "), s.names.cluster, s.names.copy, s.cfg.TargetAccount, s.cfg.SourceAccount)
}
