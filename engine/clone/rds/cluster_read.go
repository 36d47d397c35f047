package rds

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

type clusterDescriber interface {
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, opts ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
}

type clusterSnapshotDescriber interface {
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
}

type clusterParameterGroupDescriber interface {
	DescribeDBClusterParameterGroups(ctx context.Context, in *rds.DescribeDBClusterParameterGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterParameterGroupsOutput, error)
}

// describeCluster reads one DB cluster; nil when it does not exist.
func describeCluster(ctx context.Context, api clusterDescriber, id string) (*types.DBCluster, error) {
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil {
		return absent[types.DBCluster](err, "DBClusterNotFoundFault", "DB cluster "+id)
	}
	return byID(out.DBClusters, id, func(cl *types.DBCluster) *string { return cl.DBClusterIdentifier }), nil
}

// describeClusterSnapshot reads one of an account's manual cluster
// snapshots; nil when it does not exist.
func describeClusterSnapshot(ctx context.Context, api clusterSnapshotDescriber, id string) (*types.DBClusterSnapshot, error) {
	out, err := api.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String(id)})
	if err != nil {
		return absent[types.DBClusterSnapshot](err, "DBClusterSnapshotNotFoundFault", "DB cluster snapshot "+id)
	}
	return byID(out.DBClusterSnapshots, id, func(sn *types.DBClusterSnapshot) *string { return sn.DBClusterSnapshotIdentifier }), nil
}

// clusterSharedWith reports whether another account's cluster snapshot arn
// is visible in api's account as shared with it.
func clusterSharedWith(ctx context.Context, api clusterSnapshotDescriber, arn string) (bool, error) {
	out, err := api.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{SnapshotType: aws.String("shared"), IncludeShared: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("describe the cluster snapshots shared with it: %w", err)
	}
	return slices.ContainsFunc(out.DBClusterSnapshots, func(sn types.DBClusterSnapshot) bool {
		return aws.ToString(sn.DBClusterSnapshotArn) == arn || aws.ToString(sn.DBClusterSnapshotIdentifier) == arn
	}), nil
}

// clusterRestoreAccounts is the restore attribute of one of the old
// account's cluster snapshots: the accounts it is shared with.
func clusterRestoreAccounts(ctx context.Context, api ClusterSourceReader, id string) ([]string, error) {
	out, err := api.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("describe the attributes of cluster snapshot %s: %w", id, err)
	}
	if out.DBClusterSnapshotAttributesResult == nil {
		return nil, nil
	}
	for _, a := range out.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes {
		if aws.ToString(a.AttributeName) == "restore" {
			return a.AttributeValues, nil
		}
	}
	return nil, nil
}

// mapClusterParameterGroup maps the DB cluster parameter group from and
// checks the new account has it (default.* groups exist everywhere).
func (c *common) mapClusterParameterGroup(ctx context.Context, api clusterParameterGroupDescriber, from string) (string, error) {
	to := c.mapName(from)
	if strings.HasPrefix(to, "default.") {
		return to, nil
	}
	_, err := api.DescribeDBClusterParameterGroups(ctx, &rds.DescribeDBClusterParameterGroupsInput{DBClusterParameterGroupName: aws.String(to)})
	if isCode(err, "DBParameterGroupNotFound", "DBClusterParameterGroupNotFound") {
		return to, c.fail("DB cluster parameter group %s does not exist in %s; create it with the settings of %s in the old account, or map %s to one that exists in the plan's mapping.names",
			to, c.onTarget(), from, from)
	}
	if err != nil {
		return to, c.fail("%s: describe DB cluster parameter group %s: %w", c.onTarget(), to, err)
	}
	return to, nil
}
