package rds

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

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
	var err error
	u.old, err = s.mergeRecords(records, func(r undoRecord) bool {
		switch r.Kind {
		case recordInstance:
			u.instance = true
			return r.Account == s.cfg.TargetAccount && r.Name == s.names.instance
		case recordCopy:
			u.copy = true
			return r.Account == s.cfg.TargetAccount && r.Name == s.names.copy
		}
		return false
	})
	return u, err
}

// mergeRecords decodes the undo records in order, gathering the old
// account's writes into old and handing each other record to take, which
// says whether this step wrote it. It refuses a record it cannot read or
// this step did not write.
func (c *common) mergeRecords(records []json.RawMessage, take func(undoRecord) bool) (old []string, err error) {
	for i, raw := range records {
		var r undoRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return old, c.fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		var ok bool
		if r.Kind == recordOld {
			ok = r.Account == c.sourceAccount
			if left := r.Name + " (" + r.What + ")"; ok && !slices.Contains(old, left) {
				old = append(old, left)
			}
		} else {
			ok = take(r)
		}
		if !ok {
			return old, c.fail("undo record %d (%s %s in account %s) was not written by this step; the journal does not belong to this plan", i+1, r.Kind, r.Name, r.Account)
		}
	}
	return old, nil
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
		ch, err := s.snaps().rollbackChange(ctx, &s.common)
		if err != nil {
			return cs, err
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
	return s.snaps().finishRollback(ctx, &s.common, rec, done, u.copy, u.old)
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
