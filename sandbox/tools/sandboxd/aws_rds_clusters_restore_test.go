package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// clusterCopyAndRestore copies the shared cluster snapshot into the new
// account with its own key, restores it into its own groups and creates
// its members, the writer first.
func clusterCopyAndRestore(t *testing.T, nu *rdsAccount, clock *testClock, snapARN string) {
	t.Helper()
	ctx := t.Context()
	shared, err := nu.rds.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{SnapshotType: aws.String("shared"), IncludeShared: aws.Bool(true)})
	must(t, "describe shared", err)
	if len(shared.DBClusterSnapshots) != 1 || aws.ToString(shared.DBClusterSnapshots[0].DBClusterSnapshotArn) != snapARN ||
		aws.ToString(shared.DBClusterSnapshots[0].DBClusterSnapshotIdentifier) != snapARN {
		t.Fatalf("shared cluster snapshots seen by the new account: %s", jsonOf(shared.DBClusterSnapshots))
	}
	own, err := nu.rds.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{})
	if must(t, "describe own", err); len(own.DBClusterSnapshots) != 0 {
		t.Errorf("without IncludeShared the new account sees %s", jsonOf(own.DBClusterSnapshots))
	}
	cp := func(key string) (*rds.CopyDBClusterSnapshotOutput, error) {
		in := &rds.CopyDBClusterSnapshotInput{SourceDBClusterSnapshotIdentifier: aws.String(snapARN), TargetDBClusterSnapshotIdentifier: aws.String("ferry-copy")}
		if key != "" {
			in.KmsKeyId = aws.String(key)
		}
		return nu.rds.CopyDBClusterSnapshot(ctx, in)
	}
	_, err = cp("")
	wantCode(t, "copy an encrypted shared cluster snapshot without a key", err, "InvalidParameterValue")
	_, err = cp("alias/missing")
	wantFault[*rdstypes.KMSKeyNotAccessibleFault](t, "copy with a missing key", err)
	out, err := cp("alias/events-db")
	must(t, "copy", err)
	newKey := nu.kms.keys["key-1"]
	if aws.ToString(out.DBClusterSnapshot.KmsKeyId) != newKey || aws.ToString(out.DBClusterSnapshot.SourceDBClusterSnapshotArn) != snapARN ||
		aws.ToString(out.DBClusterSnapshot.Status) != "creating" {
		t.Errorf("copy: %s", jsonOf(out.DBClusterSnapshot))
	}
	restore := func(engine string) error {
		_, err := nu.rds.RestoreDBClusterFromSnapshot(ctx, &rds.RestoreDBClusterFromSnapshotInput{
			DBClusterIdentifier: aws.String("events-aurora"), SnapshotIdentifier: aws.String("ferry-copy"), Engine: aws.String(engine),
			DBSubnetGroupName: aws.String("eks-private"), DBClusterParameterGroupName: aws.String("events-apg15"),
			VpcSecurityGroupIds: []string{"sg-new"}, Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("events")}}})
		return err
	}
	wantFault[*rdstypes.InvalidDBClusterSnapshotStateFault](t, "restore from a copy in progress", restore("aurora-postgresql"))
	clock.Add(testDelays.copy)
	wantFault[*rdstypes.DBClusterParameterGroupNotFoundFault](t, "restore with a missing cluster parameter group", restore("aurora-postgresql"))
	must(t, "cluster parameter group", ensureClusterParams(ctx, nu.rds))
	wantCode(t, "restore as another engine", restore("aurora-mysql"), "InvalidParameterCombination")
	must(t, "restore", restore("aurora-postgresql"))
	wantFault[*rdstypes.DBClusterAlreadyExistsFault](t, "restore twice", restore("aurora-postgresql"))
	member := func(id, cluster string, tier int32) error {
		_, err := nu.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBClusterIdentifier: aws.String(cluster),
			Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large"), PromotionTier: aws.Int32(tier)})
		return err
	}
	wantFault[*rdstypes.DBClusterNotFoundFault](t, "member of a missing cluster", member("events-aurora-1", "nope", 0))
	must(t, "writer", member("events-aurora-1", "events-aurora", 0))
	clock.Add(testDelays.create / 2) // the reader comes later, as ferry creates them in turn
	must(t, "reader", member("events-aurora-2", "events-aurora", 1))
	clock.Add(testDelays.create)
	cl := describeCluster(t, nu.rds, "events-aurora")
	if aws.ToString(cl.Status) != "available" || aws.ToString(cl.KmsKeyId) != newKey || aws.ToString(cl.DBSubnetGroup) != "eks-private" ||
		aws.ToString(cl.DBClusterParameterGroup) != "events-apg15" || aws.ToString(cl.VpcSecurityGroups[0].VpcSecurityGroupId) != "sg-new" ||
		aws.ToString(cl.EngineVersion) != "15.4" || aws.ToString(cl.DBClusterArn) != "arn:aws:rds:us-east-1:222222222222:cluster:events-aurora" ||
		len(cl.DBClusterMembers) != 2 || aws.ToString(cl.DBClusterMembers[0].DBInstanceIdentifier) != "events-aurora-1" ||
		!aws.ToBool(cl.DBClusterMembers[0].IsClusterWriter) || aws.ToBool(cl.DBClusterMembers[1].IsClusterWriter) {
		t.Errorf("restored events-aurora: %s", jsonOf(cl))
	}
	in := describeOne(t, nu.rds, "events-aurora-2")
	if aws.ToString(in.DBInstanceStatus) != "available" || aws.ToString(in.KmsKeyId) != newKey || aws.ToString(in.DBClusterIdentifier) != "events-aurora" {
		t.Errorf("restored member: %s", jsonOf(in))
	}
	if b := jsonOf(cl) + jsonOf(in); strings.Contains(b, "111111111111") {
		t.Errorf("the restored cluster names the old account: %s", b)
	}
	groups, err := nu.rds.DescribeDBClusterParameterGroups(ctx, &rds.DescribeDBClusterParameterGroupsInput{DBClusterParameterGroupName: aws.String("default.aurora-postgresql15")})
	if must(t, "describe the default cluster parameter group", err); len(groups.DBClusterParameterGroups) != 1 {
		t.Errorf("default cluster parameter group: %s", jsonOf(groups))
	}
	_, err = nu.rds.DescribeDBClusterParameterGroups(ctx, &rds.DescribeDBClusterParameterGroupsInput{DBClusterParameterGroupName: aws.String("nope")})
	wantFault[*rdstypes.DBParameterGroupNotFoundFault](t, "describe a missing cluster parameter group", err)
}

// deleteCluster deletes the restored cluster as ferry's rollback does:
// members first (no final snapshot for them), then the cluster, then the
// copy.
func deleteCluster(t *testing.T, nu *rdsAccount, clock *testClock) {
	t.Helper()
	ctx := t.Context()
	del := func() error {
		_, err := nu.rds.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("events-aurora"), SkipFinalSnapshot: aws.Bool(true)})
		return err
	}
	wantFault[*rdstypes.InvalidDBClusterStateFault](t, "delete a cluster with members", del())
	_, err := nu.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("events-aurora-1"), FinalDBSnapshotIdentifier: aws.String("final")})
	wantCode(t, "final snapshot of a member", err, "InvalidParameterCombination")
	_, err = nu.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("events-aurora-1")})
	must(t, "delete the writer", err)
	_, err = nu.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("events-aurora-2"), SkipFinalSnapshot: aws.Bool(true)})
	must(t, "delete the reader", err)
	must(t, "delete the cluster", del())
	if cl := describeCluster(t, nu.rds, "events-aurora"); aws.ToString(cl.Status) != "deleting" {
		t.Errorf("deleted cluster: %s, want deleting", aws.ToString(cl.Status))
	}
	clock.Add(testDelays.delete)
	_, err = nu.rds.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("events-aurora")})
	wantFault[*rdstypes.DBClusterNotFoundFault](t, "describe a deleted cluster", err)
	_, err = nu.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("events-aurora-2")})
	wantFault[*rdstypes.DBInstanceNotFoundFault](t, "describe a deleted member", err)
	_, err = nu.rds.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("ferry-copy")})
	must(t, "delete cluster snapshot", err)
	_, err = nu.rds.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("ferry-copy")})
	wantFault[*rdstypes.DBClusterSnapshotNotFoundFault](t, "describe a deleted cluster snapshot", err)
}
