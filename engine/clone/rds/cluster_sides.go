package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// clusterSides is the clone as read live: the source cluster, its members
// and its key, what the target should be, and how far an earlier apply got.
type clusterSides struct {
	src        *types.DBCluster
	members    []types.DBInstance // the source's members, the writer first
	want       clusterWant
	dst        *types.DBCluster             // nil: not restored yet
	dstMembers map[string]*types.DBInstance // by identifier in the new account; absent: not created yet
	snapshots[types.DBClusterSnapshot]
}

// writer reports whether the source member id is the source's writer.
func (sd clusterSides) writer(id string) bool {
	return slices.ContainsFunc(sd.src.DBClusterMembers, func(m types.DBClusterMember) bool {
		return aws.ToString(m.DBInstanceIdentifier) == id && aws.ToBool(m.IsClusterWriter)
	})
}

// read reads both accounts. It refuses, before anything is written, a
// cluster that cannot be cloned: missing, not Aurora, encrypted with an
// unshareable key, whose mapped groups and key the new account lacks, or
// whose members' names are taken there.
func (s *clusterStep) read(ctx context.Context) (clusterSides, error) {
	if err := s.checkConfig(); err != nil {
		return clusterSides{}, err
	}
	src, err := describeCluster(ctx, s.cfg.Source, s.cfg.Name)
	if err != nil {
		return clusterSides{}, s.fail("old account %s: %w; check that the source profile can read RDS there", s.cfg.SourceAccount, err)
	}
	if err := s.checkSource(src); err != nil {
		return clusterSides{}, err
	}
	sd := clusterSides{src: src}
	if sd.members, err = s.readMembers(ctx, src); err != nil {
		return sd, err
	}
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

// checkSource refuses a source cluster the step cannot clone.
func (s *clusterStep) checkSource(src *types.DBCluster) error {
	if src == nil {
		return s.fail("no such DB cluster in the old account %s; check the source profile and region, or drop it from the plan's resources.rdsClusters", s.cfg.SourceAccount)
	}
	engine, mode := aws.ToString(src.Engine), aws.ToString(src.EngineMode)
	switch {
	case arnAccount(aws.ToString(src.DBClusterArn)) != s.cfg.SourceAccount:
		return s.fail("the source profile reaches account %s, not the plan's source account %s; check the source profile",
			arnAccount(aws.ToString(src.DBClusterArn)), s.cfg.SourceAccount)
	case !strings.HasPrefix(engine, "aurora"):
		return s.fail("it is a Multi-AZ DB cluster (engine %s), not an Aurora cluster: ferry clones Aurora clusters only; move it by cluster snapshot by hand and drop it from the plan's resources.rdsClusters", engine)
	case mode != "" && mode != "provisioned":
		return s.fail("its engine mode is %s: ferry clones provisioned Aurora clusters (Serverless v2 included); upgrade it to a provisioned cluster first, or move it by hand", mode)
	}
	return nil
}

// readMembers reads the source cluster's member instances, the writer
// first and the readers by identifier, in the order the clone creates them.
func (s *clusterStep) readMembers(ctx context.Context, src *types.DBCluster) ([]types.DBInstance, error) {
	ms := slices.Clone(src.DBClusterMembers)
	slices.SortFunc(ms, func(a, b types.DBClusterMember) int {
		return cmpBool(!aws.ToBool(a.IsClusterWriter), !aws.ToBool(b.IsClusterWriter), aws.ToString(a.DBInstanceIdentifier), aws.ToString(b.DBInstanceIdentifier))
	})
	var out []types.DBInstance
	seen := map[string]string{}
	for _, m := range ms {
		id := aws.ToString(m.DBInstanceIdentifier)
		in, err := describeInstance(ctx, s.cfg.Source, id)
		switch {
		case err != nil:
			return nil, s.fail("old account %s: %w; check that the source profile can read RDS there", s.cfg.SourceAccount, err)
		case in == nil:
			return nil, s.fail("its member %s is not in the old account %s (deleted while ferry read the cluster?); plan again", id, s.cfg.SourceAccount)
		}
		to := s.mapName(id)
		if other, ok := seen[to]; ok {
			return nil, s.fail("the mapping gives members %s and %s the same identifier %s in the new account; map each member to an identifier of its own in mapping.names", other, id, to)
		}
		seen[to] = id
		out = append(out, *in)
	}
	return out, nil
}

// readTarget reads the target cluster and the members' instances, checking
// they are in the target account and that no member's identifier is taken
// by an instance outside the cluster.
func (s *clusterStep) readTarget(ctx context.Context, sd *clusterSides) error {
	dst, err := describeCluster(ctx, s.cfg.Target, s.names.cluster)
	if err != nil {
		return s.fail("%s: %w; check that the target profile can read RDS there", s.onTarget(), err)
	}
	if dst != nil && arnAccount(aws.ToString(dst.DBClusterArn)) != s.cfg.TargetAccount {
		return s.fail("DB cluster %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			s.names.cluster, arnAccount(aws.ToString(dst.DBClusterArn)), s.cfg.TargetAccount)
	}
	sd.dst, sd.dstMembers = dst, map[string]*types.DBInstance{}
	for _, m := range sd.want.members {
		in, err := s.targetMember(ctx, m.id)
		if err != nil {
			return err
		}
		if in != nil {
			sd.dstMembers[m.id] = in
		}
	}
	return nil
}

// targetMember reads an instance in the new account that must be a member
// of the target cluster: nil when absent, an error when it is someone
// else's.
func (s *clusterStep) targetMember(ctx context.Context, id string) (*types.DBInstance, error) {
	in, err := describeInstance(ctx, s.cfg.Target, id)
	switch {
	case err != nil:
		return nil, s.fail("%s: %w", s.onTarget(), err)
	case in == nil:
		return nil, nil
	case arnAccount(aws.ToString(in.DBInstanceArn)) != s.cfg.TargetAccount:
		return nil, s.fail("DB instance %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			id, arnAccount(aws.ToString(in.DBInstanceArn)), s.cfg.TargetAccount)
	case aws.ToString(in.DBClusterIdentifier) != s.names.cluster:
		return nil, s.fail("DB instance %s already exists in %s and is not a member of cluster %s (its cluster: %s); ferry creates the members itself: delete or rename that instance, or map the member to another identifier in the plan's mapping.names",
			id, s.onTarget(), s.names.cluster, shown(aws.ToString(in.DBClusterIdentifier)))
	}
	return in, nil
}

// readSnapshots finds the cluster snapshots an earlier apply made, and
// whether the one to share is shared with the target account.
func (s *clusterStep) readSnapshots(ctx context.Context, sd *clusterSides) error {
	return s.snaps().read(ctx, &s.common, &sd.snapshots)
}

// snaps reaches the step's DB cluster snapshots in both accounts.
func (s *clusterStep) snaps() snapAPI[types.DBClusterSnapshot] {
	return snapAPI[types.DBClusterSnapshot]{kind: dbClusterSnapshots, ids: s.names.snapNames,
		source: func(ctx context.Context, id string) (*types.DBClusterSnapshot, error) {
			return describeClusterSnapshot(ctx, s.cfg.Source, id)
		},
		target: func(ctx context.Context, id string) (*types.DBClusterSnapshot, error) {
			return describeClusterSnapshot(ctx, s.cfg.Target, id)
		},
		restore: func(ctx context.Context, id string) ([]string, error) {
			return clusterRestoreAccounts(ctx, s.cfg.Source, id)
		},
		delete: func(ctx context.Context, id string) error {
			_, err := s.cfg.Target.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String(id)})
			return err
		},
	}
}

// sharedARN is the ARN the new account copies from.
func (s *clusterStep) sharedARN(sd clusterSides) string {
	return sd.snapshots.sharedARN(aws.ToString(sd.src.DBClusterArn), s.cfg.Region, s.cfg.SourceAccount)
}
