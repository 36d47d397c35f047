package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The fake world's DB clusters answer as AWS does where the cluster step
// can tell: clusters and their snapshots take a few reads to become
// available (or gone), a cluster's members are the instances created in
// it (the first one its writer), a cluster with members cannot be deleted,
// a cluster snapshot under an AWS-managed key cannot be shared.

type fakeCluster struct {
	d       types.DBCluster // DBClusterMembers is derived on each read
	members []string        // in creation order
	pending int
}

// seedClusters gives the old account events-aurora (customer key
// alias/events-db, two members) and legacy-aurora (aws/rds), and the new
// account what a restore of events-aurora needs.
func (w *fakeWorld) seedClusters() {
	old, nu := w.accounts[oldAcct], w.accounts[newAcct]
	old.addKey("k4", "alias/events-db", false)
	nu.addKey("n4", "alias/events-db", false)
	old.clusterParams, nu.clusterParams = []string{"events-apg15"}, []string{"events-apg15"}
	old.params, nu.params = append(old.params, "events-apg15-db"), append(nu.params, "events-apg15-db")
	old.addCluster("events-aurora", old.keyARN("k4"), map[string]string{"team": "events", "backup-role": "arn:aws:iam::" + oldAcct + ":role/rds-backup"})
	old.addMember("events-aurora", "events-aurora-1", 0)
	old.addMember("events-aurora", "events-aurora-2", 1)
	old.addCluster("legacy-aurora", old.keyARN("k2"), nil)
	old.addMember("legacy-aurora", "legacy-aurora-1", 0)
}

func (a *fakeAccount) addCluster(id, key string, tags map[string]string) {
	d := types.DBCluster{DBClusterIdentifier: aws.String(id), DBClusterArn: aws.String("arn:aws:rds:us-east-1:" + a.id + ":cluster:" + id),
		Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"), EngineMode: aws.String("provisioned"), Port: aws.Int32(5432),
		Status: aws.String("available"), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(key),
		DBSubnetGroup: aws.String("kops-private"), DBClusterParameterGroup: aws.String("events-apg15"), TagList: tagList(tags),
		VpcSecurityGroups: []types.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String("sg-old")}}}
	a.clusters[id] = &fakeCluster{d: d}
}

func (a *fakeAccount) addMember(cluster, id string, tier int32) {
	cl := a.clusters[cluster]
	a.instances[id] = &fakeInstance{d: types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceArn: aws.String("arn:aws:rds:us-east-1:" + a.id + ":db:" + id),
		DBClusterIdentifier: aws.String(cluster), DBInstanceClass: aws.String("db.r6g.large"), Engine: cl.d.Engine, EngineVersion: cl.d.EngineVersion,
		DBInstanceStatus: aws.String("available"), PromotionTier: aws.Int32(tier), PubliclyAccessible: aws.Bool(false),
		StorageEncrypted: cl.d.StorageEncrypted, KmsKeyId: cl.d.KmsKeyId,
		DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String("events-apg15-db")}},
		TagList:           []types.Tag{{Key: aws.String("role"), Value: aws.String("member")}}}}
	cl.members = append(cl.members, id)
}

// clusterStep is a cluster step on w's accounts, polling fast.
func (w *fakeWorld) clusterStep(name string, edit ...func(*ClusterConfig)) *clusterStep {
	old, nu := w.client(oldAcct), w.client(newAcct)
	cfg := ClusterConfig{Name: name, Source: old, Target: nu, SourceKMS: old, TargetKMS: nu,
		Mapping: fakeMapping(), TargetLabel: "EKS", SourceAccount: oldAcct, TargetAccount: newAcct, Region: "us-east-1",
		Poll: time.Millisecond, MaxPoll: 2 * time.Millisecond}
	for _, e := range edit {
		e(&cfg)
	}
	return NewClusterStep(cfg).(*clusterStep)
}

// read advances a cluster's creation or deletion; gone reports a deleted
// cluster. Its members are the instances of members that still exist.
func (c *client) readCluster(id string) (d types.DBCluster, gone bool) {
	cl := c.a.clusters[id]
	if cl.pending > 0 {
		if cl.pending--; cl.pending == 0 {
			if aws.ToString(cl.d.Status) == "deleting" {
				delete(c.a.clusters, id)
				return d, true
			}
			cl.d.Status = aws.String("available")
		}
	}
	cl.members = slices.DeleteFunc(cl.members, func(m string) bool { return c.a.instances[m] == nil })
	d = cl.d
	for i, m := range cl.members {
		d.DBClusterMembers = append(d.DBClusterMembers, types.DBClusterMember{DBInstanceIdentifier: aws.String(m),
			IsClusterWriter: aws.Bool(i == 0), PromotionTier: c.a.instances[m].d.PromotionTier})
	}
	return d, false
}

func (c *client) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBClusterIdentifier)
	if err := c.call("DescribeDBClusters", id); err != nil {
		return nil, err
	}
	if _, ok := c.a.clusters[id]; !ok {
		return nil, fault("DBClusterNotFoundFault", "DBCluster "+id+" not found.")
	}
	d, gone := c.readCluster(id)
	if gone {
		return nil, fault("DBClusterNotFoundFault", "DBCluster "+id+" not found.")
	}
	return &rds.DescribeDBClustersOutput{DBClusters: []types.DBCluster{d}}, nil
}

func (c *client) DescribeDBClusterSnapshots(_ context.Context, in *rds.DescribeDBClusterSnapshotsInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBClusterSnapshotIdentifier)
	if err := c.call("DescribeDBClusterSnapshots", id, aws.ToString(in.SnapshotType)); err != nil {
		return nil, err
	}
	out, err := fakeDBClusterSnapshots.describe(c, id, aws.ToString(in.SnapshotType))
	if err != nil {
		return nil, err
	}
	return &rds.DescribeDBClusterSnapshotsOutput{DBClusterSnapshots: out}, nil
}

func (c *client) DescribeDBClusterSnapshotAttributes(_ context.Context, in *rds.DescribeDBClusterSnapshotAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotAttributesOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBClusterSnapshotIdentifier)
	if err := c.call("DescribeDBClusterSnapshotAttributes", id); err != nil {
		return nil, err
	}
	shared, err := fakeDBClusterSnapshots.restore(c, id)
	if err != nil {
		return nil, err
	}
	return &rds.DescribeDBClusterSnapshotAttributesOutput{DBClusterSnapshotAttributesResult: &types.DBClusterSnapshotAttributesResult{
		DBClusterSnapshotIdentifier: aws.String(id),
		DBClusterSnapshotAttributes: []types.DBClusterSnapshotAttribute{{AttributeName: aws.String("restore"), AttributeValues: shared}}}}, nil
}

func (c *client) CreateDBClusterSnapshot(_ context.Context, in *rds.CreateDBClusterSnapshotInput, _ ...func(*rds.Options)) (*rds.CreateDBClusterSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id, cluster := aws.ToString(in.DBClusterSnapshotIdentifier), aws.ToString(in.DBClusterIdentifier)
	if err := c.call("CreateDBClusterSnapshot", id); err != nil {
		return nil, err
	}
	src, ok := c.a.clusters[cluster]
	switch {
	case !ok:
		return nil, fault("DBClusterNotFoundFault", cluster)
	case aws.ToString(src.d.Status) != "available":
		return nil, fault("InvalidDBClusterStateFault", cluster+" is not available")
	case c.a.clusterSnaps[id] != nil:
		return nil, fault("DBClusterSnapshotAlreadyExistsFault", id)
	}
	d := types.DBClusterSnapshot{DBClusterSnapshotIdentifier: aws.String(id), DBClusterSnapshotArn: aws.String("arn:aws:rds:us-east-1:" + c.a.id + ":cluster-snapshot:" + id),
		DBClusterIdentifier: aws.String(cluster), Engine: src.d.Engine, EngineVersion: src.d.EngineVersion, Port: src.d.Port,
		StorageEncrypted: src.d.StorageEncrypted, KmsKeyId: src.d.KmsKeyId, Status: aws.String("creating"), PercentProgress: aws.Int32(0),
		SnapshotCreateTime: aws.Time(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)), TagList: in.Tags}
	c.a.clusterSnaps[id] = &fakeClusterSnapshot{d: d, pending: pending}
	return &rds.CreateDBClusterSnapshotOutput{DBClusterSnapshot: &d}, nil
}

func (c *client) ModifyDBClusterSnapshotAttribute(_ context.Context, in *rds.ModifyDBClusterSnapshotAttributeInput, _ ...func(*rds.Options)) (*rds.ModifyDBClusterSnapshotAttributeOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBClusterSnapshotIdentifier)
	if err := c.call("ModifyDBClusterSnapshotAttribute", id, strings.Join(in.ValuesToAdd, ",")); err != nil {
		return nil, err
	}
	if err := fakeDBClusterSnapshots.share(c, id, in.ValuesToAdd); err != nil {
		return nil, err
	}
	return &rds.ModifyDBClusterSnapshotAttributeOutput{}, nil
}

// CopyDBClusterSnapshot copies one of the account's cluster snapshots, or
// by ARN one another account shares with it.
func (c *client) CopyDBClusterSnapshot(_ context.Context, in *rds.CopyDBClusterSnapshotInput, _ ...func(*rds.Options)) (*rds.CopyDBClusterSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	src, dst := aws.ToString(in.SourceDBClusterSnapshotIdentifier), aws.ToString(in.TargetDBClusterSnapshotIdentifier)
	if err := c.call("CopyDBClusterSnapshot", dst, "from", src, "key", aws.ToString(in.KmsKeyId)); err != nil {
		return nil, err
	}
	d, err := fakeDBClusterSnapshots.copy(c, src, dst, aws.ToString(in.KmsKeyId), in.Tags)
	if err != nil {
		return nil, err
	}
	return &rds.CopyDBClusterSnapshotOutput{DBClusterSnapshot: d}, nil
}

func (c *client) DescribeDBClusterParameterGroups(_ context.Context, in *rds.DescribeDBClusterParameterGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterParameterGroupsOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	name := aws.ToString(in.DBClusterParameterGroupName)
	if err := c.call("DescribeDBClusterParameterGroups", name); err != nil {
		return nil, err
	}
	if !slices.Contains(c.a.clusterParams, name) {
		return nil, fault("DBParameterGroupNotFound", name)
	}
	return &rds.DescribeDBClusterParameterGroupsOutput{DBClusterParameterGroups: []types.DBClusterParameterGroup{{DBClusterParameterGroupName: aws.String(name)}}}, nil
}
