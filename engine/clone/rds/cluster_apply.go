package rds

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kinds of the cluster step's own undo records; it also writes recordOld
// and recordCopy ones.
const (
	recordCluster = "cluster" // the restored cluster in the new account
	recordMember  = "member"  // one member instance created in it
)

// Apply clones the cluster phase by phase — cluster snapshot in the old
// account, (re-encrypted copy,) share, copy into the new account, restore,
// members — each phase first looking whether an earlier apply already did
// it, and waiting with progress while AWS works. An apply after a complete
// one writes nothing. Before each write an undo record is saved.
func (s *clusterStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	sd, err := s.read(ctx)
	if err != nil {
		return err
	}
	total := 5
	if sd.reencrypt() {
		total++
	}
	restore, members := phase{total - 2, total}, phase{total - 1, total}
	if sd.dst != nil {
		if d := s.differences(sd); len(d) > 0 {
			return s.differErr(d)
		}
		if err := s.wait(ctx, rec, restore, s.restoreWhat(), s.clusterReady(s.cfg.Target, s.cfg.TargetAccount, s.names.cluster)); err != nil {
			return err
		}
		return s.createMembers(ctx, rec, sd, members)
	}
	if sd.copy == nil {
		if err := s.applySource(ctx, rec, sd, total); err != nil {
			return err
		}
		if err := s.copyToTarget(ctx, rec, sd, phase{total - 3, total}); err != nil {
			return err
		}
	} else if err := s.wait(ctx, rec, phase{total - 3, total}, s.copyWhat(), s.clusterSnapshotReady(s.cfg.Target, s.cfg.TargetAccount, s.names.copy)); err != nil {
		return err
	}
	if err := s.restore(ctx, rec, sd, restore); err != nil {
		return err
	}
	return s.createMembers(ctx, rec, sd, members)
}

// applySource does the old account's part: cluster snapshot, re-encrypted
// copy when needed, share.
func (s *clusterStep) applySource(ctx context.Context, rec runbook.Recorder, sd clusterSides, total int) error {
	if err := s.snapshot(ctx, rec, sd, phase{0, total}); err != nil {
		return err
	}
	next := 1
	if sd.reencrypt() {
		if err := s.reencrypt(ctx, rec, sd, phase{1, total}); err != nil {
			return err
		}
		next++
	}
	return s.share(ctx, rec, sd, phase{next, total})
}

// snapshot creates the old account's snapshot of the cluster, once it is
// available, and waits for it.
func (s *clusterStep) snapshot(ctx context.Context, rec runbook.Recorder, sd clusterSides, ph phase) error {
	what := fmt.Sprintf("cluster snapshot %s of %s in account %s", s.names.snapshot, s.cfg.Name, s.cfg.SourceAccount)
	if sd.snap == nil {
		if err := s.wait(ctx, rec, ph, fmt.Sprintf("DB cluster %s in account %s, to be snapshotted", s.cfg.Name, s.cfg.SourceAccount),
			s.clusterReady(s.cfg.Source, s.cfg.SourceAccount, s.cfg.Name)); err != nil {
			return err
		}
		if err := s.save(rec, undoRecord{Kind: recordOld, Account: s.cfg.SourceAccount, Name: s.names.snapshot, What: "cluster snapshot of " + s.cfg.Name}); err != nil {
			return err
		}
		_, err := s.cfg.Source.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String(s.cfg.Name),
			DBClusterSnapshotIdentifier: aws.String(s.names.snapshot), Tags: s.tags()})
		if err != nil && !isCode(err, "DBClusterSnapshotAlreadyExistsFault") {
			return s.fail("create %s: %w; fix what RDS says and apply again", what, err)
		}
	}
	return s.wait(ctx, rec, ph, what, s.clusterSnapshotReady(s.cfg.Source, s.cfg.SourceAccount, s.names.snapshot))
}

// reencrypt copies the cluster snapshot in the old account under the
// share key.
func (s *clusterStep) reencrypt(ctx context.Context, rec runbook.Recorder, sd clusterSides, ph phase) error {
	what := fmt.Sprintf("copy %s of %s under key %s in account %s", s.names.share, s.names.snapshot, sd.shareKey.describeName(), s.cfg.SourceAccount)
	if sd.share == nil {
		if err := s.save(rec, undoRecord{Kind: recordOld, Account: s.cfg.SourceAccount, Name: s.names.share, What: "copy of " + s.names.snapshot + " under the share key"}); err != nil {
			return err
		}
		_, err := s.cfg.Source.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{SourceDBClusterSnapshotIdentifier: aws.String(s.names.snapshot),
			TargetDBClusterSnapshotIdentifier: aws.String(s.names.share), KmsKeyId: aws.String(sd.shareKey.arn), Tags: s.tags()})
		if err != nil && !isCode(err, "DBClusterSnapshotAlreadyExistsFault") {
			return s.fail("%s: %w; fix what RDS says and apply again", what, err)
		}
	}
	return s.wait(ctx, rec, ph, what, s.clusterSnapshotReady(s.cfg.Source, s.cfg.SourceAccount, s.names.share))
}

// share adds the new account to the cluster snapshot's restore attribute
// and waits until the new account sees it.
func (s *clusterStep) share(ctx context.Context, rec runbook.Recorder, sd clusterSides, ph phase) error {
	id := sd.sharedID()
	if !sd.shared {
		if err := s.save(rec, undoRecord{Kind: recordOld, Account: s.cfg.SourceAccount, Name: id, What: "shared with account " + s.cfg.TargetAccount}); err != nil {
			return err
		}
		_, err := s.cfg.Source.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{DBClusterSnapshotIdentifier: aws.String(id),
			AttributeName: aws.String("restore"), ValuesToAdd: []string{s.cfg.TargetAccount}})
		if err != nil {
			return s.fail("share cluster snapshot %s with account %s: %w; fix what RDS says and apply again", id, s.cfg.TargetAccount, err)
		}
	}
	return s.wait(ctx, rec, ph, fmt.Sprintf("cluster snapshot %s shared with account %s", id, s.cfg.TargetAccount), s.clusterVisible(s.sharedARN(sd)))
}

// copyToTarget copies the shared cluster snapshot into the new account
// under the target key and waits for the copy.
func (s *clusterStep) copyToTarget(ctx context.Context, rec runbook.Recorder, sd clusterSides, ph phase) error {
	if err := s.save(rec, undoRecord{Kind: recordCopy, Account: s.cfg.TargetAccount, Name: s.names.copy}); err != nil {
		return err
	}
	in := &rds.CopyDBClusterSnapshotInput{SourceDBClusterSnapshotIdentifier: aws.String(s.sharedARN(sd)),
		TargetDBClusterSnapshotIdentifier: aws.String(s.names.copy), Tags: s.tags()}
	if sd.want.encrypted {
		in.KmsKeyId = aws.String(sd.want.key)
	}
	if _, err := s.cfg.Target.CopyDBClusterSnapshot(ctx, in); err != nil && !isCode(err, "DBClusterSnapshotAlreadyExistsFault") {
		return s.fail("%s: %w; fix what RDS says and apply again", s.copyWhat(), err)
	}
	return s.wait(ctx, rec, ph, s.copyWhat(), s.clusterSnapshotReady(s.cfg.Target, s.cfg.TargetAccount, s.names.copy))
}

// restore restores the copy as the target cluster and waits for it.
func (s *clusterStep) restore(ctx context.Context, rec runbook.Recorder, sd clusterSides, ph phase) error {
	if err := s.save(rec, undoRecord{Kind: recordCluster, Account: s.cfg.TargetAccount, Name: s.names.cluster}); err != nil {
		return err
	}
	w := sd.want
	in := &rds.RestoreDBClusterFromSnapshotInput{DBClusterIdentifier: aws.String(s.names.cluster),
		SnapshotIdentifier: aws.String(s.names.copy), Engine: aws.String(w.engine), EngineVersion: aws.String(w.version),
		Port: aws.Int32(w.port), VpcSecurityGroupIds: w.securityGroups, Tags: tagList(w.tags),
		EnableIAMDatabaseAuthentication: aws.Bool(w.iamAuth), DeletionProtection: aws.Bool(false)}
	if w.subnetGroup != "" {
		in.DBSubnetGroupName = aws.String(w.subnetGroup)
	}
	if w.parameterGroup != "" {
		in.DBClusterParameterGroupName = aws.String(w.parameterGroup)
	}
	if w.maxACU > 0 {
		in.ServerlessV2ScalingConfiguration = &types.ServerlessV2ScalingConfiguration{MinCapacity: aws.Float64(w.minACU), MaxCapacity: aws.Float64(w.maxACU)}
	}
	if _, err := s.cfg.Target.RestoreDBClusterFromSnapshot(ctx, in); err != nil && !isCode(err, "DBClusterAlreadyExistsFault") {
		return s.fail("%s: %w; fix what RDS says and apply again", s.restoreWhat(), err)
	}
	return s.wait(ctx, rec, ph, s.restoreWhat(), s.clusterReady(s.cfg.Target, s.cfg.TargetAccount, s.names.cluster))
}

// createMembers creates each member the target cluster lacks, the writer
// first (AWS makes the first instance of a cluster its writer), all before
// waiting, so that AWS creates them side by side; then waits for each.
func (s *clusterStep) createMembers(ctx context.Context, rec runbook.Recorder, sd clusterSides, ph phase) error {
	for _, m := range sd.want.members {
		if sd.dstMembers[m.id] != nil {
			continue
		}
		if err := s.save(rec, undoRecord{Kind: recordMember, Account: s.cfg.TargetAccount, Name: m.id}); err != nil {
			return err
		}
		in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(m.id), DBClusterIdentifier: aws.String(s.names.cluster),
			DBInstanceClass: aws.String(m.class), Engine: aws.String(m.engine), PromotionTier: aws.Int32(m.tier),
			PubliclyAccessible: aws.Bool(m.public), Tags: tagList(m.tags)}
		if m.parameterGroup != "" {
			in.DBParameterGroupName = aws.String(m.parameterGroup)
		}
		if _, err := s.cfg.Target.CreateDBInstance(ctx, in); err != nil && !isCode(err, "DBInstanceAlreadyExists") {
			return s.fail("create member %s of DB cluster %s in %s: %w; fix what RDS says and apply again", m.id, s.names.cluster, s.onTarget(), err)
		}
	}
	for _, m := range sd.want.members {
		what := fmt.Sprintf("member %s of DB cluster %s in account %s", m.id, s.names.cluster, s.cfg.TargetAccount)
		if err := s.wait(ctx, rec, ph, what, s.instanceReady(s.cfg.Target, s.cfg.TargetAccount, m.id)); err != nil {
			return err
		}
	}
	return nil
}

func (s *clusterStep) copyWhat() string {
	return fmt.Sprintf("copy %s in account %s", s.names.copy, s.cfg.TargetAccount)
}

func (s *clusterStep) restoreWhat() string {
	return fmt.Sprintf("DB cluster %s restored in account %s", s.names.cluster, s.cfg.TargetAccount)
}
