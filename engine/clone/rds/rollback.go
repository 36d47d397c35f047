package rds

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// undo is what the undo records ask: what to delete in the new account,
// and what stays in the old one.
type undo struct {
	instance, copy bool
	old            []string // "name (what)" in the old account
}

// merge reads the undo records, refusing any this step did not write.
func (s *instanceStep) merge(records []json.RawMessage) (undo, error) {
	var u undo
	for i, raw := range records {
		var r undoRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return u, s.fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		ok := false
		switch r.Kind {
		case recordInstance:
			ok, u.instance = r.Account == s.cfg.TargetAccount && r.Name == s.names.instance, true
		case recordCopy:
			ok, u.copy = r.Account == s.cfg.TargetAccount && r.Name == s.names.copy, true
		case recordOld:
			ok = r.Account == s.cfg.SourceAccount
			if left := r.Name + " (" + r.What + ")"; ok && !slices.Contains(u.old, left) {
				u.old = append(u.old, left)
			}
		}
		if !ok {
			return u, s.fail("undo record %d (%s %s in account %s) was not written by this step; the journal does not belong to this plan", i+1, r.Kind, r.Name, r.Account)
		}
	}
	return u, nil
}

// PlanRollback names what Rollback deletes in the new account, live: the
// restored instance and the snapshot copy, each delete or none when already
// gone. Notes say the old account is left as it is, and what stays there.
func (s *instanceStep) PlanRollback(ctx context.Context, records []json.RawMessage) (runbook.ChangeSet, error) {
	cs := runbook.ChangeSet{Step: s.ID()}
	if err := s.checkConfig(); err != nil {
		return cs, err
	}
	u, err := s.merge(records)
	if err != nil {
		return cs, err
	}
	if u.instance {
		in, err := s.targetInstance(ctx)
		if err != nil {
			return cs, err
		}
		ch := runbook.Change{Op: runbook.OpNone, Kind: ChangeInstance, Namespace: s.cfg.TargetAccount, Name: s.names.instance}
		if in != nil {
			ch.Op, ch.Before = runbook.OpDelete, have(in).render(s.names.instance)
			cs.Notes = append(cs.Notes, fmt.Sprintf("deleting DB instance %s destroys its data, including anything written to it since the restore; no final snapshot is taken", s.names.instance))
		}
		cs.Changes = append(cs.Changes, ch)
	}
	if u.copy {
		sn, err := describeSnapshot(ctx, s.cfg.Target, s.names.copy)
		if err != nil {
			return cs, s.fail("%s (account %s): %w", s.cfg.TargetLabel, s.cfg.TargetAccount, err)
		}
		ch := runbook.Change{Op: runbook.OpNone, Kind: ChangeSnapshot, Namespace: s.cfg.TargetAccount, Name: s.names.copy}
		if sn != nil {
			ch.Op, ch.Before = runbook.OpDelete, fmt.Sprintf("account: %s\ncopied from: %s\nstatus: %s", s.cfg.TargetAccount,
				aws.ToString(sn.SourceDBSnapshotIdentifier), aws.ToString(sn.Status))
		}
		cs.Changes = append(cs.Changes, ch)
	}
	cs.Notes = append(cs.Notes, s.oldNote(u.old))
	return cs, nil
}

// Rollback deletes, in the new account only, what the undo records say
// Apply made: the restored instance (without a final snapshot, waiting
// until it is gone) and the snapshot copy. The old account's snapshot and
// its share stay, as the plan's notes say.
func (s *instanceStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) error {
	if err := s.checkConfig(); err != nil {
		return err
	}
	u, err := s.merge(records)
	if err != nil {
		return err
	}
	var done []string
	if u.instance {
		msg, err := s.deleteInstance(ctx, rec)
		if err != nil {
			return err
		}
		done = append(done, msg)
	}
	if u.copy {
		msg, err := s.deleteCopy(ctx)
		if err != nil {
			return err
		}
		done = append(done, msg)
	}
	if len(done) == 0 {
		done = append(done, fmt.Sprintf("nothing to delete in account %s", s.cfg.TargetAccount))
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: strings.Join(append(done, s.oldNote(u.old)), "; ")})
	return nil
}

// targetInstance reads the restored instance, checking its account.
func (s *instanceStep) targetInstance(ctx context.Context) (*types.DBInstance, error) {
	var sd sides
	if err := s.readTarget(ctx, &sd); err != nil {
		return nil, err
	}
	return sd.dst, nil
}

// deleteInstance deletes the restored instance once AWS lets it (not while
// it is still being created or changed) and waits until it is gone.
func (s *instanceStep) deleteInstance(ctx context.Context, rec runbook.Recorder) (string, error) {
	in, err := s.targetInstance(ctx)
	if err != nil {
		return "", err
	}
	if in == nil {
		return fmt.Sprintf("DB instance %s is already gone from %s", s.names.instance, s.cfg.TargetLabel), nil
	}
	ph := phase{0, 2}
	what := fmt.Sprintf("DB instance %s in account %s, to be deleted", s.names.instance, s.cfg.TargetAccount)
	if err := s.wait(ctx, rec, ph, what, settled(s.instanceGone(s.cfg.Target, s.names.instance))); err != nil {
		return "", err
	}
	if in, err = s.targetInstance(ctx); err != nil {
		return "", err
	}
	if in != nil && aws.ToString(in.DBInstanceStatus) != "deleting" {
		_, err := s.cfg.Target.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(s.names.instance),
			SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(true)})
		if err != nil && !isCode(err, "DBInstanceNotFound") {
			return "", s.fail("delete DB instance %s in %s: %w; fix what RDS says (deletion protection?) and roll back again", s.names.instance, s.cfg.TargetLabel, err)
		}
	}
	if err := s.wait(ctx, rec, phase{1, 2}, fmt.Sprintf("DB instance %s deleted in account %s", s.names.instance, s.cfg.TargetAccount),
		s.instanceGone(s.cfg.Target, s.names.instance)); err != nil {
		return "", err
	}
	return fmt.Sprintf("deleted DB instance %s in %s", s.names.instance, s.cfg.TargetLabel), nil
}

// deleteCopy deletes the snapshot copy in the new account.
func (s *instanceStep) deleteCopy(ctx context.Context) (string, error) {
	gone := fmt.Sprintf("snapshot %s is already gone from %s", s.names.copy, s.cfg.TargetLabel)
	sn, err := describeSnapshot(ctx, s.cfg.Target, s.names.copy)
	switch {
	case err != nil:
		return "", s.fail("%s (account %s): %w", s.cfg.TargetLabel, s.cfg.TargetAccount, err)
	case sn == nil:
		return gone, nil
	case arnAccount(aws.ToString(sn.DBSnapshotArn)) != s.cfg.TargetAccount:
		return "", s.fail("snapshot %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			s.names.copy, arnAccount(aws.ToString(sn.DBSnapshotArn)), s.cfg.TargetAccount)
	}
	_, err = s.cfg.Target.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(s.names.copy)})
	if isCode(err, "DBSnapshotNotFound") {
		return gone, nil
	}
	if err != nil {
		return "", s.fail("delete snapshot %s in %s: %w; roll back again, or delete it by hand", s.names.copy, s.cfg.TargetLabel, err)
	}
	return fmt.Sprintf("deleted snapshot %s in %s", s.names.copy, s.cfg.TargetLabel), nil
}
