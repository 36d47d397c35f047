package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestRDSFrontClusterShareCopyRestore walks the clone of an encrypted
// Aurora cluster from one account to another through two fronts, as
// ferry's cluster step does, checking each answer and fault as the SDK
// decodes it.
func TestRDSFrontClusterShareCopyRestore(t *testing.T) {
	t.Parallel()
	old, nu, clock, dir := startRDSPair(t)
	ctx := t.Context()

	s := &seeder{account: "111111111111"}
	must(t, "old groups", ensureDBGroups(ctx, old.rds, "kops-private", "kops", []string{"subnet-1"}))
	must(t, "events-aurora", s.seedOldCluster(ctx, old.rds, old.key))
	checkSeededCluster(t, old, clock)
	snapARN := clusterSnapshotAndShare(t, old, clock)

	must(t, "new key", s.ensureKey(ctx, nu.key, "alias/events-db", "events"))
	must(t, "new groups", ensureDBGroups(ctx, nu.rds, "eks-private", "eks", []string{"subnet-2"}))
	clusterCopyAndRestore(t, nu, clock, snapARN)

	again := newRDSService("222222222222", "us-east-1", nil, dir, testDelays)
	if again.loadErr != nil || again.data.Clusters["events-aurora"] == nil || again.data.ClusterSnapshots["ferry-copy"] == nil ||
		again.data.Instances["events-aurora-2"].ClusterID != "events-aurora" {
		t.Errorf("state after a restart: %v, %+v", again.loadErr, again.data)
	}
	deleteCluster(t, nu, clock)
}

// checkSeededCluster checks events-aurora as seeded: creating, then
// available with its writer first; its members are the cluster's, and
// neither can be snapshotted as an instance.
func checkSeededCluster(t *testing.T, old *rdsAccount, clock *testClock) {
	t.Helper()
	ctx := t.Context()
	cl := describeCluster(t, old.rds, "events-aurora")
	if aws.ToString(cl.Status) != "creating" || cl.Endpoint != nil {
		t.Errorf("new cluster: status %s, endpoint %v; want creating without endpoint", aws.ToString(cl.Status), cl.Endpoint)
	}
	_, err := old.rds.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("events-aurora"), DBClusterSnapshotIdentifier: aws.String("x")})
	wantFault[*rdstypes.InvalidDBClusterStateFault](t, "snapshot of a creating cluster", err)
	clock.Add(testDelays.create)
	cl = describeCluster(t, old.rds, "events-aurora")
	key := old.kms.keys["key-1"]
	var members []string
	for _, m := range cl.DBClusterMembers {
		members = append(members, aws.ToString(m.DBInstanceIdentifier)+map[bool]string{true: " writer", false: " reader"}[aws.ToBool(m.IsClusterWriter)])
	}
	if aws.ToString(cl.Status) != "available" || aws.ToString(cl.KmsKeyId) != key || aws.ToString(cl.DBSubnetGroup) != "kops-private" ||
		aws.ToString(cl.DBClusterParameterGroup) != "events-apg15" || aws.ToString(cl.VpcSecurityGroups[0].VpcSecurityGroupId) != oldDBSecurityGroup ||
		aws.ToString(cl.Engine) != "aurora-postgresql" || aws.ToString(cl.EngineVersion) != "15.4" || aws.ToInt32(cl.Port) != 5432 ||
		!strings.HasPrefix(aws.ToString(cl.Endpoint), "events-aurora.cluster-") || len(cl.TagList) != 2 ||
		!slices.Equal(members, []string{"events-aurora-1 writer", "events-aurora-2 reader"}) {
		t.Errorf("events-aurora once available (members %q): %s", members, jsonOf(cl))
	}
	in := describeOne(t, old.rds, "events-aurora-2")
	if aws.ToString(in.DBClusterIdentifier) != "events-aurora" || aws.ToString(in.KmsKeyId) != key || aws.ToInt32(in.PromotionTier) != 1 ||
		aws.ToString(in.DBSubnetGroup.DBSubnetGroupName) != "kops-private" || aws.ToString(in.DBInstanceStatus) != "available" {
		t.Errorf("events-aurora-2: %s", jsonOf(in))
	}
	_, err = old.rds.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("events-aurora-1"), DBSnapshotIdentifier: aws.String("x")})
	wantCode(t, "instance snapshot of a cluster member", err, "InvalidParameterValue")
}

// clusterSnapshotAndShare snapshots events-aurora and a cluster under the
// AWS-managed key, and shares them with the new account: the latter is
// refused.
func clusterSnapshotAndShare(t *testing.T, old *rdsAccount, clock *testClock) string {
	t.Helper()
	ctx := t.Context()
	_, err := old.rds.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("legacy-aurora"),
		Engine: aws.String("aurora-mysql"), StorageEncrypted: aws.Bool(true)})
	must(t, "create legacy-aurora", err)
	clock.Add(testDelays.create)
	for _, cl := range []string{"events-aurora", "legacy-aurora"} {
		out, err := old.rds.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String(cl), DBClusterSnapshotIdentifier: aws.String("ferry-" + cl)})
		must(t, "create cluster snapshot", err)
		if aws.ToString(out.DBClusterSnapshot.Status) != "creating" || !aws.ToBool(out.DBClusterSnapshot.StorageEncrypted) {
			t.Errorf("new cluster snapshot %s", jsonOf(out.DBClusterSnapshot))
		}
	}
	_, err = old.rds.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("events-aurora"), DBClusterSnapshotIdentifier: aws.String("ferry-events-aurora")})
	wantFault[*rdstypes.DBClusterSnapshotAlreadyExistsFault](t, "cluster snapshot made twice", err)
	share := func(id string) error {
		_, err := old.rds.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{DBClusterSnapshotIdentifier: aws.String(id),
			AttributeName: aws.String("restore"), ValuesToAdd: []string{"222222222222"}})
		return err
	}
	wantFault[*rdstypes.InvalidDBClusterSnapshotStateFault](t, "share while creating", share("ferry-events-aurora"))
	clock.Add(testDelays.snapshot)
	must(t, "share events-aurora", share("ferry-events-aurora"))
	if err := share("ferry-legacy-aurora"); err == nil || !strings.Contains(err.Error(), "cannot be shared") {
		t.Errorf("sharing a cluster snapshot under aws/rds: %v, want it refused", err)
	}
	wantCode(t, "share publicly", func() error {
		_, err := old.rds.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{DBClusterSnapshotIdentifier: aws.String("ferry-events-aurora"),
			AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"}})
		return err
	}(), "InvalidParameterValue")
	attrs, err := old.rds.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: aws.String("ferry-events-aurora")})
	must(t, "describe attributes", err)
	if a := attrs.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes; len(a) != 1 || aws.ToString(a[0].AttributeName) != "restore" ||
		!slices.Equal(a[0].AttributeValues, []string{"222222222222"}) {
		t.Errorf("restore attribute: %s", jsonOf(a))
	}
	return "arn:aws:rds:us-east-1:111111111111:cluster-snapshot:ferry-events-aurora"
}

func describeCluster(t *testing.T, c *rds.Client, id string) rdstypes.DBCluster {
	t.Helper()
	out, err := c.DescribeDBClusters(t.Context(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	must(t, "describe cluster "+id, err)
	if len(out.DBClusters) != 1 {
		t.Fatalf("describe cluster %s: %d clusters", id, len(out.DBClusters))
	}
	return out.DBClusters[0]
}
