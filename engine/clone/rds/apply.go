package rds

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kinds of undo record.
const (
	recordOld      = "old"      // a write in the old account: never undone, named by rollback
	recordCopy     = "copy"     // the snapshot copy in the new account
	recordInstance = "instance" // the restored instance in the new account
)

// undoRecord is what Apply saves before a write, and all Rollback needs.
type undoRecord struct {
	Kind    string `json:"kind"`
	Account string `json:"account"`
	// Name is the snapshot or instance the write makes; What, for old
	// account writes, says what the write was.
	Name string `json:"name"`
	What string `json:"what,omitempty"`
}

// Apply clones the instance phase by phase — snapshot in the old account,
// (re-encrypted copy,) share, copy into the new account, restore — each
// phase first looking whether an earlier apply already did it, and waiting
// with progress while AWS works. An apply after a complete one writes
// nothing. Before each write an undo record is saved.
func (s *instanceStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	sd, err := s.read(ctx)
	if err != nil {
		return err
	}
	total := 4
	if sd.reencrypt() {
		total++
	}
	if sd.dst != nil {
		if d := differences(sd.want, have(sd.dst)); len(d) > 0 {
			return s.differErr(d)
		}
		return s.wait(ctx, rec, phase{total - 1, total}, s.restoreWhat(), s.instanceReady(s.cfg.Target, s.cfg.TargetAccount, s.names.instance))
	}
	if sd.copy == nil {
		if err := s.applySource(ctx, rec, &sd, total); err != nil {
			return err
		}
		if err := s.copyToTarget(ctx, rec, sd, phase{total - 2, total}); err != nil {
			return err
		}
	} else if err := s.wait(ctx, rec, phase{total - 2, total}, s.copyWhat(), s.snapshotReady(s.cfg.Target, s.cfg.TargetAccount, s.names.copy)); err != nil {
		return err
	}
	return s.restore(ctx, rec, sd, phase{total - 1, total})
}

// applySource does the old account's part: snapshot, re-encrypted copy
// when needed, share.
func (s *instanceStep) applySource(ctx context.Context, rec runbook.Recorder, sd *sides, total int) error {
	if err := s.snapshot(ctx, rec, *sd, phase{0, total}); err != nil {
		return err
	}
	next := 1
	if sd.reencrypt() {
		if err := s.reencrypt(ctx, rec, *sd, phase{1, total}); err != nil {
			return err
		}
		next++
	}
	return s.share(ctx, rec, *sd, phase{next, total})
}

// snapshot creates the old account's snapshot of the instance, once it is
// available, and waits for it.
func (s *instanceStep) snapshot(ctx context.Context, rec runbook.Recorder, sd sides, ph phase) error {
	what := fmt.Sprintf("snapshot %s of %s in account %s", s.names.snapshot, s.cfg.Name, s.cfg.SourceAccount)
	if sd.snap == nil {
		if err := s.wait(ctx, rec, ph, fmt.Sprintf("%s in account %s, to be snapshotted", s.cfg.Name, s.cfg.SourceAccount),
			s.instanceReady(s.cfg.Source, s.cfg.SourceAccount, s.cfg.Name)); err != nil {
			return err
		}
		if err := s.save(rec, undoRecord{Kind: recordOld, Account: s.cfg.SourceAccount, Name: s.names.snapshot, What: "snapshot of " + s.cfg.Name}); err != nil {
			return err
		}
		_, err := s.cfg.Source.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(s.cfg.Name),
			DBSnapshotIdentifier: aws.String(s.names.snapshot), Tags: s.tags()})
		if err != nil && !isCode(err, "DBSnapshotAlreadyExists") {
			return s.fail("create %s: %w; fix what RDS says and apply again", what, err)
		}
	}
	return s.wait(ctx, rec, ph, what, s.snapshotReady(s.cfg.Source, s.cfg.SourceAccount, s.names.snapshot))
}

// reencrypt copies the snapshot in the old account under the share key.
func (s *instanceStep) reencrypt(ctx context.Context, rec runbook.Recorder, sd sides, ph phase) error {
	what := fmt.Sprintf("copy %s of %s under key %s in account %s", s.names.share, s.names.snapshot, sd.shareKey.describeName(), s.cfg.SourceAccount)
	if sd.share == nil {
		if err := s.save(rec, undoRecord{Kind: recordOld, Account: s.cfg.SourceAccount, Name: s.names.share, What: "copy of " + s.names.snapshot + " under the share key"}); err != nil {
			return err
		}
		_, err := s.cfg.Source.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(s.names.snapshot),
			TargetDBSnapshotIdentifier: aws.String(s.names.share), KmsKeyId: aws.String(sd.shareKey.arn), Tags: s.tags()})
		if err != nil && !isCode(err, "DBSnapshotAlreadyExists") {
			return s.fail("%s: %w; fix what RDS says and apply again", what, err)
		}
	}
	return s.wait(ctx, rec, ph, what, s.snapshotReady(s.cfg.Source, s.cfg.SourceAccount, s.names.share))
}

// share adds the new account to the snapshot's restore attribute and waits
// until the new account sees it.
func (s *instanceStep) share(ctx context.Context, rec runbook.Recorder, sd sides, ph phase) error {
	id := sd.sharedID()
	if !sd.shared {
		if err := s.save(rec, undoRecord{Kind: recordOld, Account: s.cfg.SourceAccount, Name: id, What: "shared with account " + s.cfg.TargetAccount}); err != nil {
			return err
		}
		_, err := s.cfg.Source.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String(id),
			AttributeName: aws.String("restore"), ValuesToAdd: []string{s.cfg.TargetAccount}})
		if err != nil {
			return s.fail("share snapshot %s with account %s: %w; fix what RDS says and apply again", id, s.cfg.TargetAccount, err)
		}
	}
	return s.wait(ctx, rec, ph, fmt.Sprintf("snapshot %s shared with account %s", id, s.cfg.TargetAccount), s.visible(s.sharedARN(sd)))
}

// copyToTarget copies the shared snapshot into the new account under the
// target key and waits for the copy.
func (s *instanceStep) copyToTarget(ctx context.Context, rec runbook.Recorder, sd sides, ph phase) error {
	if err := s.save(rec, undoRecord{Kind: recordCopy, Account: s.cfg.TargetAccount, Name: s.names.copy}); err != nil {
		return err
	}
	in := &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(s.sharedARN(sd)),
		TargetDBSnapshotIdentifier: aws.String(s.names.copy), Tags: s.tags()}
	if sd.want.encrypted {
		in.KmsKeyId = aws.String(sd.want.key)
	}
	if _, err := s.cfg.Target.CopyDBSnapshot(ctx, in); err != nil && !isCode(err, "DBSnapshotAlreadyExists") {
		return s.fail("%s: %w; fix what RDS says and apply again", s.copyWhat(), err)
	}
	return s.wait(ctx, rec, ph, s.copyWhat(), s.snapshotReady(s.cfg.Target, s.cfg.TargetAccount, s.names.copy))
}

// restore restores the copy as the target instance and waits for it.
func (s *instanceStep) restore(ctx context.Context, rec runbook.Recorder, sd sides, ph phase) error {
	if err := s.save(rec, undoRecord{Kind: recordInstance, Account: s.cfg.TargetAccount, Name: s.names.instance}); err != nil {
		return err
	}
	w := sd.want
	in := &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String(s.names.instance),
		DBSnapshotIdentifier: aws.String(s.names.copy), DBInstanceClass: aws.String(w.class),
		VpcSecurityGroupIds: w.securityGroups, Tags: tagList(w.tags), MultiAZ: aws.Bool(w.multiAZ),
		PubliclyAccessible: aws.Bool(w.public), DeletionProtection: aws.Bool(false)}
	if w.storageType != "" {
		in.StorageType = aws.String(w.storageType)
	}
	if w.subnetGroup != "" {
		in.DBSubnetGroupName = aws.String(w.subnetGroup)
	}
	if w.parameterGroup != "" {
		in.DBParameterGroupName = aws.String(w.parameterGroup)
	}
	if _, err := s.cfg.Target.RestoreDBInstanceFromDBSnapshot(ctx, in); err != nil && !isCode(err, "DBInstanceAlreadyExists") {
		return s.fail("%s: %w; fix what RDS says and apply again", s.restoreWhat(), err)
	}
	return s.wait(ctx, rec, ph, s.restoreWhat(), s.instanceReady(s.cfg.Target, s.cfg.TargetAccount, s.names.instance))
}

func (s *instanceStep) copyWhat() string {
	return fmt.Sprintf("copy %s in account %s", s.names.copy, s.cfg.TargetAccount)
}

func (s *instanceStep) restoreWhat() string {
	return fmt.Sprintf("DB instance %s restored in account %s", s.names.instance, s.cfg.TargetAccount)
}
