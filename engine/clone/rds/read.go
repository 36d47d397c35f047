package rds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

type instanceDescriber interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
}

type snapshotDescriber interface {
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
}

// describeInstance reads one instance; nil when it does not exist.
func describeInstance(ctx context.Context, api instanceDescriber, id string) (*types.DBInstance, error) {
	out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		return absent[types.DBInstance](err, "DBInstanceNotFound", "DB instance "+id)
	}
	return byID(out.DBInstances, id, func(in *types.DBInstance) *string { return in.DBInstanceIdentifier }), nil
}

// describeSnapshot reads one of an account's manual snapshots; nil when it
// does not exist.
func describeSnapshot(ctx context.Context, api snapshotDescriber, id string) (*types.DBSnapshot, error) {
	out, err := api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)})
	if err != nil {
		return absent[types.DBSnapshot](err, "DBSnapshotNotFound", "DB snapshot "+id)
	}
	return byID(out.DBSnapshots, id, func(sn *types.DBSnapshot) *string { return sn.DBSnapshotIdentifier }), nil
}

// absent is what a describe call that failed with err answers: nothing
// when err is code (RDS's way of saying there is no such thing), else an
// error naming what was described.
func absent[T any](err error, code, what string) (*T, error) {
	if isCode(err, code) {
		return nil, nil
	}
	return nil, fmt.Errorf("describe %s: %w", what, err)
}

// byID is the item of a describe call's answer whose identifier is id;
// nil when there is none.
func byID[T any](items []T, id string, idOf func(*T) *string) *T {
	for i := range items {
		if aws.ToString(idOf(&items[i])) == id {
			return &items[i]
		}
	}
	return nil
}

// sharedWith reports whether another account's snapshot arn is visible in
// api's account as shared with it.
func sharedWith(ctx context.Context, api snapshotDescriber, arn string) (bool, error) {
	out, err := api.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("shared"), IncludeShared: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("describe the snapshots shared with it: %w", err)
	}
	return slices.ContainsFunc(out.DBSnapshots, func(sn types.DBSnapshot) bool {
		return aws.ToString(sn.DBSnapshotArn) == arn || aws.ToString(sn.DBSnapshotIdentifier) == arn
	}), nil
}

// restoreAccounts is the restore attribute of one of the old account's
// snapshots: the accounts it is shared with.
func restoreAccounts(ctx context.Context, api SourceReader, id string) ([]string, error) {
	out, err := api.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("describe the attributes of snapshot %s: %w", id, err)
	}
	if out.DBSnapshotAttributesResult == nil {
		return nil, nil
	}
	for _, a := range out.DBSnapshotAttributesResult.DBSnapshotAttributes {
		if aws.ToString(a.AttributeName) == "restore" {
			return a.AttributeValues, nil
		}
	}
	return nil, nil
}

// isCode reports whether err is an AWS API error with one of codes.
func isCode(err error, codes ...string) bool {
	var api smithy.APIError
	return err != nil && errors.As(err, &api) && slices.Contains(codes, api.ErrorCode())
}

// arnAccount is the account field of an ARN, "" when s is not one.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// failedStatus reports whether an instance or snapshot status is one AWS
// does not come back from by itself.
func failedStatus(status string) bool {
	switch status {
	case "failed", "error", "storage-full", "restore-error", "inaccessible-encryption-credentials":
		return true
	}
	return strings.HasPrefix(status, "incompatible")
}
