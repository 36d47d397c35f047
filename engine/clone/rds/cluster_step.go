package rds

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// An Aurora DB cluster keeps its data in the cluster's shared storage, not
// in its DB instances: the cluster step moves the cluster as AWS does
// between accounts (a cluster snapshot in the old account, shared, copied
// in the new account under its KMS key, restored as a cluster) and then
// creates each member instance of the source cluster in the restored one.
// Its old-account writes and its rollback are the instance step's: the
// snapshot and its share stay in the old account, and rollback deletes
// only what the step made in the new one.

// ClusterKind is the runbook step kind of a DB cluster clone.
const ClusterKind = "clone-rds-cluster"

// The Kinds of a cluster step's change set's Changes, with ChangeInstance
// for its members.
const (
	ChangeCluster         = "AWS::RDS::DBCluster"
	ChangeClusterSnapshot = "AWS::RDS::DBClusterSnapshot"
	ChangeClusterShare    = "AWS::RDS::DBClusterSnapshotAttribute"
)

// ClusterSourceReader is what the cluster step reads in the old account.
type ClusterSourceReader interface {
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, opts ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
	DescribeDBClusterSnapshotAttributes(ctx context.Context, in *rds.DescribeDBClusterSnapshotAttributesInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotAttributesOutput, error)
}

// ClusterSourceAPI is ClusterSourceReader and the only writes the cluster
// step makes in the old account: CreateDBClusterSnapshot (its snapshot of
// the cluster), ModifyDBClusterSnapshotAttribute (sharing that snapshot
// with the new account) and CopyDBClusterSnapshot (only with
// ClusterConfig.ShareKey: re-encrypting the snapshot with a key the new
// account may use). The real *rds.Client satisfies it.
type ClusterSourceAPI interface {
	ClusterSourceReader
	CreateDBClusterSnapshot(ctx context.Context, in *rds.CreateDBClusterSnapshotInput, opts ...func(*rds.Options)) (*rds.CreateDBClusterSnapshotOutput, error)
	ModifyDBClusterSnapshotAttribute(ctx context.Context, in *rds.ModifyDBClusterSnapshotAttributeInput, opts ...func(*rds.Options)) (*rds.ModifyDBClusterSnapshotAttributeOutput, error)
	CopyDBClusterSnapshot(ctx context.Context, in *rds.CopyDBClusterSnapshotInput, opts ...func(*rds.Options)) (*rds.CopyDBClusterSnapshotOutput, error)
}

// ClusterTargetAPI is what the cluster step reads and writes in the new
// account. The real *rds.Client satisfies it.
type ClusterTargetAPI interface {
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, opts ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
	DescribeDBSubnetGroups(ctx context.Context, in *rds.DescribeDBSubnetGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error)
	DescribeDBClusterParameterGroups(ctx context.Context, in *rds.DescribeDBClusterParameterGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterParameterGroupsOutput, error)
	DescribeDBParameterGroups(ctx context.Context, in *rds.DescribeDBParameterGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error)
	CopyDBClusterSnapshot(ctx context.Context, in *rds.CopyDBClusterSnapshotInput, opts ...func(*rds.Options)) (*rds.CopyDBClusterSnapshotOutput, error)
	RestoreDBClusterFromSnapshot(ctx context.Context, in *rds.RestoreDBClusterFromSnapshotInput, opts ...func(*rds.Options)) (*rds.RestoreDBClusterFromSnapshotOutput, error)
	CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, opts ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
	DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, opts ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error)
	DeleteDBCluster(ctx context.Context, in *rds.DeleteDBClusterInput, opts ...func(*rds.Options)) (*rds.DeleteDBClusterOutput, error)
	DeleteDBClusterSnapshot(ctx context.Context, in *rds.DeleteDBClusterSnapshotInput, opts ...func(*rds.Options)) (*rds.DeleteDBClusterSnapshotOutput, error)
}

// ClusterConfig is what a DB cluster clone step needs. It mirrors
// InstanceConfig.
type ClusterConfig struct {
	// Name is the DB cluster identifier in the old account. Its identifier
	// in the new one is Name through the mapping, as are its members'.
	Name string
	// Source reaches RDS in the old account, Target in the new one;
	// SourceKMS and TargetKMS their KMS.
	Source               ClusterSourceAPI
	Target               ClusterTargetAPI
	SourceKMS, TargetKMS KMSAPI
	// Mapping is the plan's mapping table. It maps the cluster and member
	// identifiers, the subnet group, the cluster's and the members'
	// parameter groups, the security group ids and the KMS key's alias.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids; Region is
	// where both clusters live.
	SourceAccount, TargetAccount, Region string
	// TargetKey, when set, is the new account's KMS key (alias or ARN) the
	// copy is encrypted with, before KMSKeys and the mapped alias.
	TargetKey string
	// ShareKey is a customer-managed KMS key in the old account (alias or
	// ARN) that the new account may use, needed only for a cluster
	// encrypted with the AWS-managed aws/rds key (see InstanceConfig).
	ShareKey string
	// KMSKeys is the plan's table from the old account's KMS keys to the
	// new account's (see InstanceConfig).
	KMSKeys map[string]string
	// Poll is the first wait between status reads while AWS works, doubling
	// up to MaxPoll (DefaultPoll and DefaultMaxPoll when 0).
	Poll, MaxPoll time.Duration
	// Deps are steps to run first, e.g. preflight.
	Deps []string
	// Namespace and Service scope the step to the service that uses the
	// database, for runbook filters; empty means runbook-wide.
	Namespace, Service string
}

// clusterStep clones one DB cluster and its members. It keeps no state
// between calls: every method reads both accounts again.
type clusterStep struct {
	common
	cfg   ClusterConfig
	names clusterNames
}

// NewClusterStep returns the runbook step that clones one Aurora DB
// cluster with its member instances. It also implements RollbackPlanner.
func NewClusterStep(cfg ClusterConfig) runbook.Step {
	c := common{id: ClusterStepID(cfg.Name), noun: "DB cluster", short: "cluster", name: cfg.Name,
		sourceKMS: cfg.SourceKMS, targetKMS: cfg.TargetKMS, mapping: cfg.Mapping, label: cfg.TargetLabel,
		sourceAccount: cfg.SourceAccount, targetAccount: cfg.TargetAccount, targetKey: cfg.TargetKey, shareKey: cfg.ShareKey,
		kmsKeys: cfg.KMSKeys, poll: cfg.Poll, maxPoll: cfg.MaxPoll}
	c.defaults()
	cfg.TargetLabel = c.label
	return &clusterStep{common: c, cfg: cfg, names: clusterNames{cluster: c.mapName(cfg.Name), snapNames: c.snapNames(44)}}
}

// ClusterStepID is the ID of the step that clones the source cluster name:
// "aws/rds-cluster/<name>".
func ClusterStepID(name string) string { return "aws/rds-cluster/" + name }

// ID is ClusterStepID of the source cluster.
func (s *clusterStep) ID() string { return ClusterStepID(s.cfg.Name) }

// Kind is "clone-rds-cluster".
func (s *clusterStep) Kind() string { return ClusterKind }

// Title names the cluster (and its new name, when the mapping renames it)
// and the target.
func (s *clusterStep) Title() string {
	if s.names.cluster != s.cfg.Name {
		return fmt.Sprintf("Clone DB cluster %s as %s to %s", s.cfg.Name, s.names.cluster, s.cfg.TargetLabel)
	}
	return fmt.Sprintf("Clone DB cluster %s to %s", s.cfg.Name, s.cfg.TargetLabel)
}

// Deps are the configured steps.
func (s *clusterStep) Deps() []string { return append([]string(nil), s.cfg.Deps...) }

// Scope is the configured namespace and service.
func (s *clusterStep) Scope() (namespace, service string) { return s.cfg.Namespace, s.cfg.Service }

// checkConfig refuses a configuration that could write to the wrong
// account or compare against nothing.
func (s *clusterStep) checkConfig() error {
	if s.cfg.Source == nil || s.cfg.Target == nil || s.cfg.SourceKMS == nil || s.cfg.TargetKMS == nil {
		return s.fail("the step needs RDS and KMS clients for both the source and the target; build it with all four")
	}
	return s.checkAccounts()
}

// clusterNames are the identifiers the step uses; snapshot identifiers are
// derived as the instance step's are. Member identifiers come from the
// source cluster, read live, each through the mapping.
type clusterNames struct {
	cluster string // the cluster in the new account
	snapNames
}
