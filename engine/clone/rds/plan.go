package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

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
			sd.leftNote(&s.common), s.rollbackNote())
		return cs, nil
	}
	inst.Op = runbook.OpCreate
	cs.Changes = append(sd.changes(&s.common, s.sharedARN(sd), encryption(sd.want.encrypted, sd.want.keyName)), inst)
	cs.Notes = s.notes(sd)
	return cs, nil
}

// differErr refuses a target instance that exists and is not the clone.
func (s *instanceStep) differErr(d []string) error {
	return s.fail("DB instance %s already exists in %s (account %s) and differs from the mapped source:\n  %s\n"+
		"ferry restores new instances only: delete it there (or roll this step back, if ferry made it), or rename the instance in the plan's mapping",
		s.names.instance, s.cfg.TargetLabel, s.cfg.TargetAccount, strings.Join(d, "\n  "))
}

// notes say what the clone writes where, what AWS does and for how long,
// what the data is, and what the operator must have arranged.
func (s *instanceStep) notes(sd sides) []string {
	work := fmt.Sprintf("AWS does the work: the snapshot, the copy into %s and the restore each take from minutes to hours, growing with %s's %d GiB; "+
		"apply shows each phase's progress while AWS works, and an interrupted apply resumes where it stopped", s.cfg.TargetAccount, s.cfg.Name, sd.want.storage)
	return append(sd.snapshots.notes(&s.common, work, aws.ToBool(sd.src.DeletionProtection),
		"the clone has an endpoint of its own and keeps the source's master user and password; services must be pointed at it at cutover"), s.rollbackNote())
}

func (s *instanceStep) rollbackNote() string {
	return fmt.Sprintf("rollback deletes DB instance %s and snapshot %s in account %s (after a confirmation naming them) and never touches account %s",
		s.names.instance, s.names.copy, s.cfg.TargetAccount, s.cfg.SourceAccount)
}
