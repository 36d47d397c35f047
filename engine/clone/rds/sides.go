package rds

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// ErrUnshareableKey is wrapped by the error of a step whose instance (or
// cluster) is encrypted with an AWS-managed key and whose plan names no
// ShareKey: AWS refuses to share its snapshots.
var ErrUnshareableKey = errors.New("its snapshots cannot be shared")

// sides is the clone as read live: the source instance and its key, what
// the target instance should be, and how far an earlier apply got.
type sides struct {
	src  *types.DBInstance
	want want
	dst  *types.DBInstance // nil: not restored yet
	snapshots[types.DBSnapshot]
}

// read reads both accounts. It refuses, before anything is written, an
// instance that cannot be cloned: missing, an Aurora member, encrypted with
// an unshareable key, or whose mapped groups and key the new account lacks.
func (s *instanceStep) read(ctx context.Context) (sides, error) {
	if err := s.checkConfig(); err != nil {
		return sides{}, err
	}
	src, err := describeInstance(ctx, s.cfg.Source, s.cfg.Name)
	if err != nil {
		return sides{}, s.fail("old account %s: %w; check that the source profile can read RDS there", s.cfg.SourceAccount, err)
	}
	switch {
	case src == nil:
		return sides{}, s.fail("no such DB instance in the old account %s; check the source profile and region, or drop it from the plan's resources.rds", s.cfg.SourceAccount)
	case arnAccount(aws.ToString(src.DBInstanceArn)) != s.cfg.SourceAccount:
		return sides{}, s.fail("the source profile reaches account %s, not the plan's source account %s; check the source profile",
			arnAccount(aws.ToString(src.DBInstanceArn)), s.cfg.SourceAccount)
	case aws.ToString(src.DBClusterIdentifier) != "":
		return sides{}, s.fail("it is a member of DB cluster %s, whose data lives in the cluster, not in the instance: "+
			"drop %s from the plan's resources.rds and list the cluster under resources.rdsClusters instead (ferry clones the cluster with all its members)",
			aws.ToString(src.DBClusterIdentifier), s.cfg.Name)
	}
	sd := sides{src: src}
	if sd.srcKey, sd.shareKey, err = s.sourceKeys(ctx, aws.ToBool(src.StorageEncrypted), aws.ToString(src.KmsKeyId)); err != nil {
		return sd, err
	}
	if sd.want, err = s.wanted(ctx, sd); err != nil {
		return sd, err
	}
	if err := s.readTarget(ctx, &sd); err != nil {
		return sd, err
	}
	return sd, s.readSnapshots(ctx, &sd)
}

// readTarget reads the target instance and checks it is in the target
// account: a client pointed at the wrong account must never be written
// through.
func (s *instanceStep) readTarget(ctx context.Context, sd *sides) error {
	dst, err := describeInstance(ctx, s.cfg.Target, s.names.instance)
	if err != nil {
		return s.fail("%s (account %s): %w; check that the target profile can read RDS there", s.cfg.TargetLabel, s.cfg.TargetAccount, err)
	}
	if dst != nil && arnAccount(aws.ToString(dst.DBInstanceArn)) != s.cfg.TargetAccount {
		return s.fail("DB instance %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			s.names.instance, arnAccount(aws.ToString(dst.DBInstanceArn)), s.cfg.TargetAccount)
	}
	sd.dst = dst
	return nil
}

// readSnapshots finds the snapshots an earlier apply made, and whether the
// one to share is shared with the target account.
func (s *instanceStep) readSnapshots(ctx context.Context, sd *sides) error {
	return s.snaps().read(ctx, &s.common, &sd.snapshots)
}

// snaps reaches the step's DB snapshots in both accounts.
func (s *instanceStep) snaps() snapAPI[types.DBSnapshot] {
	return snapAPI[types.DBSnapshot]{kind: dbSnapshots, ids: s.names.snapNames,
		source: func(ctx context.Context, id string) (*types.DBSnapshot, error) {
			return describeSnapshot(ctx, s.cfg.Source, id)
		},
		target: func(ctx context.Context, id string) (*types.DBSnapshot, error) {
			return describeSnapshot(ctx, s.cfg.Target, id)
		},
		restore: func(ctx context.Context, id string) ([]string, error) { return restoreAccounts(ctx, s.cfg.Source, id) },
		delete: func(ctx context.Context, id string) error {
			_, err := s.cfg.Target.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(id)})
			return err
		},
	}
}

// sharedARN is the ARN the new account copies from.
func (s *instanceStep) sharedARN(sd sides) string {
	return sd.snapshots.sharedARN(aws.ToString(sd.src.DBInstanceArn), s.cfg.Region, s.cfg.SourceAccount)
}
