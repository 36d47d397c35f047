// Package rds holds the runbook steps that clone one RDS DB instance
// (NewInstanceStep), or one Aurora DB cluster with its member instances
// (NewClusterStep, cluster_step.go), from the old AWS account into the new
// one the way AWS moves a database between accounts: snapshot it in the old
// account, share the snapshot with the new account, copy it there under the
// new account's KMS key, and restore the copy into the new account's subnet
// group, parameter group and security groups, every name passed through
// the plan's mapping. AWS does the heavy lifting; the steps orchestrate,
// show progress while AWS works, and resume where they stopped.
//
// The old account is read, with two writes a step names in every plan:
// the snapshot it creates there and the share of that snapshot with the new
// account (and, when the instance's key is AWS-managed and the plan names a
// key to share with, a re-encrypted copy of the snapshot). Rollback never
// touches the old account.
package rds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of a DB instance clone.
const Kind = "clone-rds"

// The Kinds of a change set's Changes.
const (
	ChangeInstance = "AWS::RDS::DBInstance"
	ChangeSnapshot = "AWS::RDS::DBSnapshot"
	ChangeShare    = "AWS::RDS::DBSnapshotAttribute"
)

// Defaults of InstanceConfig's and ClusterConfig's zero values.
const (
	DefaultPoll    = 5 * time.Second
	DefaultMaxPoll = time.Minute
)

// SourceReader is what the step reads in the old account.
type SourceReader interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
	DescribeDBSnapshotAttributes(ctx context.Context, in *rds.DescribeDBSnapshotAttributesInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotAttributesOutput, error)
}

// SourceAPI is SourceReader and the only writes the step makes in the old
// account: CreateDBSnapshot (its snapshot of the instance),
// ModifyDBSnapshotAttribute (sharing that snapshot with the new account)
// and CopyDBSnapshot (only with InstanceConfig.ShareKey: re-encrypting the
// snapshot with a key the new account may use). The real *rds.Client
// satisfies it.
type SourceAPI interface {
	SourceReader
	CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, opts ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error)
	ModifyDBSnapshotAttribute(ctx context.Context, in *rds.ModifyDBSnapshotAttributeInput, opts ...func(*rds.Options)) (*rds.ModifyDBSnapshotAttributeOutput, error)
	CopyDBSnapshot(ctx context.Context, in *rds.CopyDBSnapshotInput, opts ...func(*rds.Options)) (*rds.CopyDBSnapshotOutput, error)
}

// TargetAPI is what the step reads and writes in the new account. The real
// *rds.Client satisfies it.
type TargetAPI interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
	DescribeDBSubnetGroups(ctx context.Context, in *rds.DescribeDBSubnetGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error)
	DescribeDBParameterGroups(ctx context.Context, in *rds.DescribeDBParameterGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error)
	CopyDBSnapshot(ctx context.Context, in *rds.CopyDBSnapshotInput, opts ...func(*rds.Options)) (*rds.CopyDBSnapshotOutput, error)
	RestoreDBInstanceFromDBSnapshot(ctx context.Context, in *rds.RestoreDBInstanceFromDBSnapshotInput, opts ...func(*rds.Options)) (*rds.RestoreDBInstanceFromDBSnapshotOutput, error)
	DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, opts ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error)
	DeleteDBSnapshot(ctx context.Context, in *rds.DeleteDBSnapshotInput, opts ...func(*rds.Options)) (*rds.DeleteDBSnapshotOutput, error)
}

// KMSAPI is what the step asks KMS about a key, on either side: its ARN,
// who manages it, its aliases. The real *kms.Client satisfies it.
type KMSAPI interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
}

// InstanceConfig is what a DB instance clone step needs.
type InstanceConfig struct {
	// Name is the DB instance identifier in the old account. Its identifier
	// in the new one is Name through the mapping.
	Name string
	// Source reaches RDS in the old account, Target in the new one;
	// SourceKMS and TargetKMS their KMS.
	Source               SourceAPI
	Target               TargetAPI
	SourceKMS, TargetKMS KMSAPI
	// Mapping is the plan's mapping table. It maps the subnet group,
	// parameter group, security group ids and the KMS key's alias.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids; Region is
	// where both instances live.
	SourceAccount, TargetAccount, Region string
	// TargetKey, when set, is the new account's KMS key (alias or ARN) the
	// copy is encrypted with, instead of the source key's alias mapped.
	TargetKey string
	// KMSKeys is the plan's table from the old account's KMS keys (key id,
	// key ARN, alias name alias/x, or alias ARN) to the new account's (alias
	// or ARN). Without a TargetKey, the copy is encrypted with the entry of
	// the source key (by ARN, key id, or any of its aliases) before the
	// source key's alias mapped.
	KMSKeys map[string]string
	// ShareKey is a customer-managed KMS key in the old account (alias or
	// ARN) that the new account may use. It is needed only for an instance
	// encrypted with the AWS-managed aws/rds key, whose snapshots AWS does
	// not let anyone share: the step then copies its snapshot in the old
	// account under ShareKey and shares that copy.
	ShareKey string
	// Poll is the first wait between status reads while AWS works, doubling
	// up to MaxPoll (DefaultPoll and DefaultMaxPoll when 0).
	Poll, MaxPoll time.Duration
	// Deps are steps to run first, e.g. preflight.
	Deps []string
	// Namespace and Service scope the step to the service that uses the
	// database, for runbook filters; empty means runbook-wide.
	Namespace, Service string
}

// instanceStep clones one DB instance. It keeps no state between calls:
// every method reads both accounts again.
type instanceStep struct {
	common
	cfg   InstanceConfig
	names names
}

// NewInstanceStep returns the runbook step that clones one DB instance. It
// also implements RollbackPlanner.
func NewInstanceStep(cfg InstanceConfig) runbook.Step {
	c := common{id: StepID(cfg.Name), noun: "RDS instance", short: "instance", name: cfg.Name,
		sourceKMS: cfg.SourceKMS, targetKMS: cfg.TargetKMS, mapping: cfg.Mapping, label: cfg.TargetLabel,
		sourceAccount: cfg.SourceAccount, targetAccount: cfg.TargetAccount, targetKey: cfg.TargetKey, shareKey: cfg.ShareKey,
		kmsKeys: cfg.KMSKeys, poll: cfg.Poll, maxPoll: cfg.MaxPoll}
	c.defaults()
	cfg.TargetLabel = c.label
	return &instanceStep{common: c, cfg: cfg, names: names{instance: c.mapName(cfg.Name), snapNames: c.snapNames(200)}}
}

// StepID is the ID of the step that clones the source instance name:
// "aws/rds/<name>".
func StepID(name string) string { return "aws/rds/" + name }

// ID is StepID of the source instance.
func (s *instanceStep) ID() string { return StepID(s.cfg.Name) }

// Kind is "clone-rds".
func (s *instanceStep) Kind() string { return Kind }

// Title names the instance (and its new name, when the mapping renames it)
// and the target.
func (s *instanceStep) Title() string {
	if s.names.instance != s.cfg.Name {
		return fmt.Sprintf("Clone RDS instance %s as %s to %s", s.cfg.Name, s.names.instance, s.cfg.TargetLabel)
	}
	return fmt.Sprintf("Clone RDS instance %s to %s", s.cfg.Name, s.cfg.TargetLabel)
}

// Deps are the configured steps.
func (s *instanceStep) Deps() []string { return append([]string(nil), s.cfg.Deps...) }

// Scope is the configured namespace and service.
func (s *instanceStep) Scope() (namespace, service string) { return s.cfg.Namespace, s.cfg.Service }

// checkConfig refuses a configuration that could write to the wrong
// account or compare against nothing.
func (s *instanceStep) checkConfig() error {
	if s.cfg.Source == nil || s.cfg.Target == nil || s.cfg.SourceKMS == nil || s.cfg.TargetKMS == nil {
		return s.fail("the step needs RDS and KMS clients for both the source and the target; build it with all four")
	}
	return s.checkAccounts()
}

// names are the identifiers the step uses.
type names struct {
	instance string // the instance in the new account
	snapNames
}

// snapshotID is "ferry-<instance or cluster>-<hash>", lower case as RDS
// stores it, its base cut to limit characters so that with a "-share"
// suffix it stays within RDS's limit (255 characters for a DB snapshot, 63
// for a cluster snapshot).
func snapshotID(base, suffix string, limit int) string {
	base = strings.ToLower(base)
	if len(base) > limit {
		base = strings.TrimRight(base[:limit], "-")
	}
	return "ferry-" + base + "-" + suffix
}
