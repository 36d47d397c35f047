package rds

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestSandboxCloneShareKey clones legacy-reports, encrypted with the old
// account's AWS-managed aws/rds key, through a share key the test makes
// there: the snapshot is re-encrypted under it in the old account, that
// copy is shared, copied and restored in the new account, and verified;
// the rollback leaves the new account as it was.
func TestSandboxCloneShareKey(t *testing.T) {
	sb := clonetest.Isolated(t)
	p := sb.Plan
	ctx := t.Context()
	keys := kms.NewFromConfig(sb.OldAccount)
	k, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("re-encrypts RDS snapshots for the new account")})
	must(t, err)
	_, err = keys.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/ferry-rds-share"), TargetKeyId: k.KeyMetadata.KeyId})
	must(t, err)

	srcCfg, dstCfg := sb.Source(), sb.Target()
	step := NewInstanceStep(InstanceConfig{Name: "legacy-reports", ShareKey: "alias/ferry-rds-share",
		Source: rds.NewFromConfig(srcCfg), Target: rds.NewFromConfig(dstCfg),
		SourceKMS: kms.NewFromConfig(srcCfg), TargetKMS: kms.NewFromConfig(dstCfg),
		Mapping: sandboxMapping(p.Mapping), TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account, TargetAccount: p.Target.AWS.Account,
		Region: p.Target.AWS.Region, Poll: 200 * time.Millisecond, MaxPoll: time.Second})
	names := step.(*instanceStep).names
	oldReader, newReader := rds.NewFromConfig(sb.OldAccount), rds.NewFromConfig(sb.NewAccount)
	t.Cleanup(func() {
		for _, id := range []string{names.snapshot, names.share} {
			if _, err := oldReader.DeleteDBSnapshot(context.Background(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(id)}); err != nil {
				t.Errorf("remove the test's snapshot %s from the old account: %v", id, err)
			}
		}
	})
	r, _ := clonetest.Runner(t, runbook.Config{Steps: []runbook.Step{step}})
	newBefore := accountState(t, newReader)

	must(t, r.Apply(ctx, step.ID()))
	clonetest.Verified(t, r, step.ID())
	out, err := newReader.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("legacy-reports")})
	must(t, err)
	if in := out.DBInstances[0]; !aws.ToBool(in.StorageEncrypted) || arnAccount(aws.ToString(in.KmsKeyId)) != p.Target.AWS.Account {
		t.Errorf("restored legacy-reports: encrypted %v with %s; want a key of the new account", aws.ToBool(in.StorageEncrypted), aws.ToString(in.KmsKeyId))
	}
	shared, err := oldReader.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(names.share)})
	must(t, err)
	if key := aws.ToString(shared.DBSnapshots[0].KmsKeyId); key != aws.ToString(k.KeyMetadata.Arn) {
		t.Errorf("the shared copy is encrypted with %s, want the share key %s", key, aws.ToString(k.KeyMetadata.Arn))
	}
	if w := sb.SourceOps.Writes(0); !slices.Equal(w, []string{"CreateDBSnapshot", "CopyDBSnapshot", "ModifyDBSnapshotAttribute"}) {
		t.Errorf("writes to the old account: %q; want the snapshot, its re-encrypted copy and the share", w)
	}

	must(t, r.Rollback(ctx, step.ID()))
	if got := accountState(t, newReader); got != newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, newBefore)
	}
}
