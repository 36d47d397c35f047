package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func (c *client) RestoreDBClusterFromSnapshot(_ context.Context, in *rds.RestoreDBClusterFromSnapshotInput, _ ...func(*rds.Options)) (*rds.RestoreDBClusterFromSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id, snap := aws.ToString(in.DBClusterIdentifier), aws.ToString(in.SnapshotIdentifier)
	if err := c.call("RestoreDBClusterFromSnapshot", id, "from", snap); err != nil {
		return nil, err
	}
	sn, ok := c.a.clusterSnaps[snap]
	params := aws.ToString(in.DBClusterParameterGroupName)
	switch {
	case !ok:
		return nil, fault("DBClusterSnapshotNotFoundFault", snap)
	case aws.ToString(in.Engine) != aws.ToString(sn.d.Engine):
		return nil, fault("InvalidParameterCombination", "engine "+aws.ToString(in.Engine)+" is not the snapshot's")
	case c.a.clusters[id] != nil:
		return nil, fault("DBClusterAlreadyExistsFault", id)
	case !slices.Contains(c.a.subnets, aws.ToString(in.DBSubnetGroupName)):
		return nil, fault("DBSubnetGroupNotFoundFault", aws.ToString(in.DBSubnetGroupName))
	case params != "" && !slices.Contains(c.a.clusterParams, params):
		return nil, fault("DBClusterParameterGroupNotFound", params)
	}
	d := types.DBCluster{DBClusterIdentifier: aws.String(id), DBClusterArn: aws.String("arn:aws:rds:us-east-1:" + c.a.id + ":cluster:" + id),
		Engine: in.Engine, EngineVersion: in.EngineVersion, EngineMode: aws.String("provisioned"), Port: in.Port, Status: aws.String("creating"),
		StorageEncrypted: sn.d.StorageEncrypted, KmsKeyId: sn.d.KmsKeyId, DBSubnetGroup: in.DBSubnetGroupName,
		DBClusterParameterGroup: in.DBClusterParameterGroupName, TagList: in.Tags, DeletionProtection: in.DeletionProtection,
		IAMDatabaseAuthenticationEnabled: in.EnableIAMDatabaseAuthentication}
	for _, sg := range in.VpcSecurityGroupIds {
		d.VpcSecurityGroups = append(d.VpcSecurityGroups, types.VpcSecurityGroupMembership{VpcSecurityGroupId: aws.String(sg)})
	}
	c.a.clusters[id] = &fakeCluster{d: d, pending: pending}
	return &rds.RestoreDBClusterFromSnapshotOutput{DBCluster: &d}, nil
}

// CreateDBInstance creates a member of one of the account's clusters: the
// only instances the cluster step creates.
func (c *client) CreateDBInstance(_ context.Context, in *rds.CreateDBInstanceInput, _ ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id, cluster, params := aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.DBClusterIdentifier), aws.ToString(in.DBParameterGroupName)
	if err := c.call("CreateDBInstance", id, "in", cluster); err != nil {
		return nil, err
	}
	cl, ok := c.a.clusters[cluster]
	switch {
	case !ok:
		return nil, fault("DBClusterNotFoundFault", cluster)
	case c.a.instances[id] != nil:
		return nil, fault("DBInstanceAlreadyExists", id)
	case aws.ToString(in.Engine) != aws.ToString(cl.d.Engine):
		return nil, fault("InvalidParameterCombination", "engine "+aws.ToString(in.Engine)+" is not the cluster's")
	case params != "" && !strings.HasPrefix(params, "default.") && !slices.Contains(c.a.params, params):
		return nil, fault("DBParameterGroupNotFound", params)
	}
	d := types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceArn: aws.String("arn:aws:rds:us-east-1:" + c.a.id + ":db:" + id),
		DBClusterIdentifier: aws.String(cluster), DBInstanceClass: in.DBInstanceClass, Engine: in.Engine, EngineVersion: cl.d.EngineVersion,
		DBInstanceStatus: aws.String("creating"), PromotionTier: in.PromotionTier, PubliclyAccessible: in.PubliclyAccessible,
		StorageEncrypted: cl.d.StorageEncrypted, KmsKeyId: cl.d.KmsKeyId, TagList: in.Tags,
		DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: in.DBParameterGroupName}}}
	c.a.instances[id] = &fakeInstance{d: d, pending: pending}
	cl.members = append(cl.members, id)
	return &rds.CreateDBInstanceOutput{DBInstance: &d}, nil
}

func (c *client) DeleteDBCluster(_ context.Context, in *rds.DeleteDBClusterInput, _ ...func(*rds.Options)) (*rds.DeleteDBClusterOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBClusterIdentifier)
	if err := c.call("DeleteDBCluster", id); err != nil {
		return nil, err
	}
	cl, ok := c.a.clusters[id]
	if !ok {
		return nil, fault("DBClusterNotFoundFault", id)
	}
	live := slices.ContainsFunc(cl.members, func(m string) bool {
		in := c.a.instances[m]
		return in != nil && aws.ToString(in.d.DBInstanceStatus) != "deleting"
	})
	switch {
	case !aws.ToBool(in.SkipFinalSnapshot):
		return nil, fault("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required")
	case aws.ToBool(cl.d.DeletionProtection):
		return nil, fault("InvalidParameterCombination", "Cannot delete protected Cluster")
	case live:
		return nil, fault("InvalidDBClusterStateFault", "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
	case aws.ToString(cl.d.Status) != "available":
		return nil, fault("InvalidDBClusterStateFault", id+" is "+aws.ToString(cl.d.Status))
	}
	cl.d.Status, cl.pending = aws.String("deleting"), pending
	return &rds.DeleteDBClusterOutput{DBCluster: &cl.d}, nil
}

func (c *client) DeleteDBClusterSnapshot(_ context.Context, in *rds.DeleteDBClusterSnapshotInput, _ ...func(*rds.Options)) (*rds.DeleteDBClusterSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBClusterSnapshotIdentifier)
	if err := c.call("DeleteDBClusterSnapshot", id); err != nil {
		return nil, err
	}
	if err := fakeDBClusterSnapshots.remove(c, id); err != nil {
		return nil, err
	}
	return &rds.DeleteDBClusterSnapshotOutput{}, nil
}
