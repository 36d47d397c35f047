package main

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestRDSSeedEventsAurora seeds both accounts' databases twice through the
// front: the old account holds events-aurora under alias/events-db with
// its two members, once; the new account the key alias and the cluster
// parameter group a restore needs, and no cluster.
func TestRDSSeedEventsAurora(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	old := startRDSAccount(t, "111111111111", "", clock, nil)
	nu := startRDSAccount(t, "222222222222", "", clock, nil)
	ctx := t.Context()
	for range 2 {
		must(t, "seed old", newSeeder(sdkConfig(old.url, "us-east-1"), "111111111111").seedOldDatabases(ctx))
		must(t, "seed new", newSeeder(sdkConfig(nu.url, "us-east-1"), "222222222222").seedNewDatabases(ctx))
	}
	clock.Add(testDelays.create)

	key, err := old.key.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(eventsKeyAlias)})
	must(t, "old events key", err)
	out, err := old.rds.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	must(t, "old clusters", err)
	if len(out.DBClusters) != 1 {
		t.Fatalf("old account clusters: %s", jsonOf(out.DBClusters))
	}
	cl := out.DBClusters[0]
	var members []string
	for _, m := range cl.DBClusterMembers {
		members = append(members, aws.ToString(m.DBInstanceIdentifier))
	}
	if aws.ToString(cl.DBClusterIdentifier) != "events-aurora" || aws.ToString(cl.KmsKeyId) != aws.ToString(key.KeyMetadata.Arn) ||
		aws.ToString(cl.DBClusterParameterGroup) != eventsClusterParams || aws.ToString(cl.DBSubnetGroup) != "kops-private" ||
		!slices.Equal(members, []string{"events-aurora-1", "events-aurora-2"}) || !aws.ToBool(cl.DBClusterMembers[0].IsClusterWriter) {
		t.Errorf("events-aurora as seeded: %s", jsonOf(cl))
	}
	insts, err := old.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	must(t, "old instances", err)
	if len(insts.DBInstances) != 4 {
		t.Errorf("old account has %d instances, want orders-db, legacy-reports and the two members", len(insts.DBInstances))
	}
	members = nil
	byCluster, err := old.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"events-aurora"}}}})
	must(t, "members by cluster", err)
	for _, in := range byCluster.DBInstances {
		members = append(members, aws.ToString(in.DBInstanceIdentifier)+" in "+aws.ToString(in.DBClusterIdentifier))
	}
	if !slices.Equal(members, []string{"events-aurora-1 in events-aurora", "events-aurora-2 in events-aurora"}) {
		t.Errorf("instances filtered by db-cluster-id: %q", members)
	}

	_, err = nu.key.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(eventsKeyAlias)})
	must(t, "new events key", err)
	groups, err := nu.rds.DescribeDBClusterParameterGroups(ctx, &rds.DescribeDBClusterParameterGroupsInput{DBClusterParameterGroupName: aws.String(eventsClusterParams)})
	if must(t, "new cluster parameter group", err); len(groups.DBClusterParameterGroups) != 1 ||
		aws.ToString(groups.DBClusterParameterGroups[0].DBParameterGroupFamily) != "aurora-postgresql15" {
		t.Errorf("new account's cluster parameter groups: %s", jsonOf(groups.DBClusterParameterGroups))
	}
	if none, err := nu.rds.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{}); err != nil || len(none.DBClusters) != 0 {
		t.Errorf("new account clusters: %v %s", err, jsonOf(none))
	}
	_, err = nu.rds.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("events-aurora")})
	wantFault[*rdstypes.DBClusterNotFoundFault](t, "describe a cluster the new account lacks", err)
}
