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

// pending is how many reads a resource takes to get where it is going.
const pending = 2

func (c *client) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBInstanceIdentifier)
	if err := c.call("DescribeDBInstances", id); err != nil {
		return nil, err
	}
	inst, ok := c.a.instances[id]
	if ok && inst.pending > 0 {
		if inst.pending--; inst.pending == 0 {
			if aws.ToString(inst.d.DBInstanceStatus) == "deleting" {
				delete(c.a.instances, id)
				ok = false
			} else {
				inst.d.DBInstanceStatus = aws.String("available")
			}
		}
	}
	if !ok {
		return nil, fault("DBInstanceNotFound", "DBInstance "+id+" not found.")
	}
	return &rds.DescribeDBInstancesOutput{DBInstances: []types.DBInstance{inst.d}}, nil
}

func (c *client) DescribeDBSnapshots(_ context.Context, in *rds.DescribeDBSnapshotsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBSnapshotIdentifier)
	if err := c.call("DescribeDBSnapshots", id, aws.ToString(in.SnapshotType)); err != nil {
		return nil, err
	}
	out, err := fakeDBSnapshots.describe(c, id, aws.ToString(in.SnapshotType))
	if err != nil {
		return nil, err
	}
	return &rds.DescribeDBSnapshotsOutput{DBSnapshots: out}, nil
}

func (c *client) DescribeDBSnapshotAttributes(_ context.Context, in *rds.DescribeDBSnapshotAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeDBSnapshotAttributesOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBSnapshotIdentifier)
	if err := c.call("DescribeDBSnapshotAttributes", id); err != nil {
		return nil, err
	}
	shared, err := fakeDBSnapshots.restore(c, id)
	if err != nil {
		return nil, err
	}
	return &rds.DescribeDBSnapshotAttributesOutput{DBSnapshotAttributesResult: &types.DBSnapshotAttributesResult{
		DBSnapshotIdentifier: aws.String(id),
		DBSnapshotAttributes: []types.DBSnapshotAttribute{{AttributeName: aws.String("restore"), AttributeValues: shared}}}}, nil
}

func (c *client) CreateDBSnapshot(_ context.Context, in *rds.CreateDBSnapshotInput, _ ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id, inst := aws.ToString(in.DBSnapshotIdentifier), aws.ToString(in.DBInstanceIdentifier)
	if err := c.call("CreateDBSnapshot", id); err != nil {
		return nil, err
	}
	src, ok := c.a.instances[inst]
	switch {
	case !ok:
		return nil, fault("DBInstanceNotFound", inst)
	case aws.ToString(src.d.DBInstanceStatus) != "available":
		return nil, fault("InvalidDBInstanceState", inst+" is not available")
	case c.a.snapshots[id] != nil:
		return nil, fault("DBSnapshotAlreadyExists", id)
	}
	d := types.DBSnapshot{DBSnapshotIdentifier: aws.String(id), DBSnapshotArn: aws.String("arn:aws:rds:us-east-1:" + c.a.id + ":snapshot:" + id),
		DBInstanceIdentifier: aws.String(inst), Engine: src.d.Engine, EngineVersion: src.d.EngineVersion, AllocatedStorage: src.d.AllocatedStorage,
		StorageType: src.d.StorageType, Encrypted: src.d.StorageEncrypted, KmsKeyId: src.d.KmsKeyId, Status: aws.String("creating"),
		PercentProgress: aws.Int32(0), SnapshotCreateTime: aws.Time(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)), TagList: in.Tags}
	c.a.snapshots[id] = &fakeSnapshot{d: d, pending: pending}
	return &rds.CreateDBSnapshotOutput{DBSnapshot: &d}, nil
}

func (c *client) ModifyDBSnapshotAttribute(_ context.Context, in *rds.ModifyDBSnapshotAttributeInput, _ ...func(*rds.Options)) (*rds.ModifyDBSnapshotAttributeOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBSnapshotIdentifier)
	if err := c.call("ModifyDBSnapshotAttribute", id, strings.Join(in.ValuesToAdd, ",")); err != nil {
		return nil, err
	}
	if err := fakeDBSnapshots.share(c, id, in.ValuesToAdd); err != nil {
		return nil, err
	}
	return &rds.ModifyDBSnapshotAttributeOutput{}, nil
}

// CopyDBSnapshot copies one of the account's snapshots, or by ARN one
// another account shares with it (which needs a KmsKeyId when encrypted).
func (c *client) CopyDBSnapshot(_ context.Context, in *rds.CopyDBSnapshotInput, _ ...func(*rds.Options)) (*rds.CopyDBSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	src, dst := aws.ToString(in.SourceDBSnapshotIdentifier), aws.ToString(in.TargetDBSnapshotIdentifier)
	if err := c.call("CopyDBSnapshot", dst, "from", src, "key", aws.ToString(in.KmsKeyId)); err != nil {
		return nil, err
	}
	d, err := fakeDBSnapshots.copy(c, src, dst, aws.ToString(in.KmsKeyId), in.Tags)
	if err != nil {
		return nil, err
	}
	return &rds.CopyDBSnapshotOutput{DBSnapshot: d}, nil
}

func (c *client) DescribeDBSubnetGroups(_ context.Context, in *rds.DescribeDBSubnetGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	name := aws.ToString(in.DBSubnetGroupName)
	if err := c.call("DescribeDBSubnetGroups", name); err != nil {
		return nil, err
	}
	if !slices.Contains(c.a.subnets, name) {
		return nil, fault("DBSubnetGroupNotFoundFault", name)
	}
	return &rds.DescribeDBSubnetGroupsOutput{DBSubnetGroups: []types.DBSubnetGroup{{DBSubnetGroupName: aws.String(name),
		DBSubnetGroupArn: aws.String("arn:aws:rds:us-east-1:" + c.a.id + ":subgrp:" + name)}}}, nil
}

func (c *client) DescribeDBParameterGroups(_ context.Context, in *rds.DescribeDBParameterGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	name := aws.ToString(in.DBParameterGroupName)
	if err := c.call("DescribeDBParameterGroups", name); err != nil {
		return nil, err
	}
	if !slices.Contains(c.a.params, name) {
		return nil, fault("DBParameterGroupNotFound", name)
	}
	return &rds.DescribeDBParameterGroupsOutput{DBParameterGroups: []types.DBParameterGroup{{DBParameterGroupName: aws.String(name)}}}, nil
}

func (c *client) RestoreDBInstanceFromDBSnapshot(_ context.Context, in *rds.RestoreDBInstanceFromDBSnapshotInput, _ ...func(*rds.Options)) (*rds.RestoreDBInstanceFromDBSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id, snap := aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.DBSnapshotIdentifier)
	if err := c.call("RestoreDBInstanceFromDBSnapshot", id, "from", snap); err != nil {
		return nil, err
	}
	sn, ok := c.a.snapshots[snap]
	switch {
	case !ok:
		return nil, fault("DBSnapshotNotFound", snap)
	case c.a.instances[id] != nil:
		return nil, fault("DBInstanceAlreadyExists", id)
	case !slices.Contains(c.a.subnets, aws.ToString(in.DBSubnetGroupName)):
		return nil, fault("DBSubnetGroupNotFoundFault", aws.ToString(in.DBSubnetGroupName))
	}
	d := types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceArn: aws.String("arn:aws:rds:us-east-1:" + c.a.id + ":db:" + id),
		DBInstanceClass: in.DBInstanceClass, Engine: sn.d.Engine, EngineVersion: sn.d.EngineVersion, DBInstanceStatus: aws.String("creating"),
		AllocatedStorage: sn.d.AllocatedStorage, StorageType: in.StorageType, StorageEncrypted: sn.d.Encrypted, KmsKeyId: sn.d.KmsKeyId,
		MultiAZ: in.MultiAZ, PubliclyAccessible: in.PubliclyAccessible, TagList: in.Tags,
		DBSubnetGroup:     &types.DBSubnetGroup{DBSubnetGroupName: in.DBSubnetGroupName},
		DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: in.DBParameterGroupName}}}
	for _, sg := range in.VpcSecurityGroupIds {
		d.VpcSecurityGroups = append(d.VpcSecurityGroups, types.VpcSecurityGroupMembership{VpcSecurityGroupId: aws.String(sg)})
	}
	c.a.instances[id] = &fakeInstance{d: d, pending: pending}
	return &rds.RestoreDBInstanceFromDBSnapshotOutput{DBInstance: &d}, nil
}

func (c *client) DeleteDBInstance(_ context.Context, in *rds.DeleteDBInstanceInput, _ ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBInstanceIdentifier)
	if err := c.call("DeleteDBInstance", id); err != nil {
		return nil, err
	}
	inst, ok := c.a.instances[id]
	switch {
	case !ok:
		return nil, fault("DBInstanceNotFound", id)
	case !aws.ToBool(in.SkipFinalSnapshot):
		return nil, fault("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required")
	case aws.ToString(inst.d.DBInstanceStatus) != "available":
		return nil, fault("InvalidDBInstanceState", id+" is "+aws.ToString(inst.d.DBInstanceStatus))
	}
	inst.d.DBInstanceStatus, inst.pending = aws.String("deleting"), pending
	return &rds.DeleteDBInstanceOutput{DBInstance: &inst.d}, nil
}

func (c *client) DeleteDBSnapshot(_ context.Context, in *rds.DeleteDBSnapshotInput, _ ...func(*rds.Options)) (*rds.DeleteDBSnapshotOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	id := aws.ToString(in.DBSnapshotIdentifier)
	if err := c.call("DeleteDBSnapshot", id); err != nil {
		return nil, err
	}
	if err := fakeDBSnapshots.remove(c, id); err != nil {
		return nil, err
	}
	return &rds.DeleteDBSnapshotOutput{}, nil
}
