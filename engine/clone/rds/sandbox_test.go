package rds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// The sandbox's database security groups (sandbox/tools/sandboxd/seed_rds.go):
// the sandbox has no EC2, so the plan's mapping pairs them.
const (
	sandboxOldSG = "sg-0a1c0ffee0000d001"
	sandboxNewSG = "sg-0b2c0ffee0000e001"
)

// TestSandboxClone clones orders-db from the old sandbox account into the
// new one through a runner: plan, apply (with progress while the emulated
// AWS works), verify, an independent read with a client of its own, a
// second apply that writes nothing, legacy-reports refused for its
// AWS-managed key, and a rollback that leaves the new account as it was
// and the old one with only the snapshot the plan named.
func TestSandboxClone(t *testing.T) {
	c := newSandboxClone(t)
	cs, err := c.r.Plan(t.Context(), c.id)
	must(t, err)
	t.Logf("plan:\n%s\nnotes:\n%s", cs.Changes[len(cs.Changes)-1].After, strings.Join(cs.Notes, "\n"))
	if len(cs.Changes) != 4 || cs.Changes[0].Namespace != c.sb.Plan.Source.AWS.Account || cs.Changes[3].Op != runbook.OpCreate {
		t.Errorf("plan changes: %+v", cs.Changes)
	}
	must(t, c.r.Apply(t.Context(), c.id))
	progressSeen(t, c.journal, c.id)
	clonetest.Verified(t, c.r, c.id)
	independentRead(t, c.newReader, kms.NewFromConfig(c.sb.NewAccount), c.sb.Plan.Source.AWS.Account, c.sb.Plan.Target.AWS.Account)
	if cs := c.sb.Reapply(t, c.r, c.id); len(cs[0].Changes) != 1 {
		t.Errorf("plan after apply: %+v", cs[0].Changes)
	}

	_, err = c.r.Plan(t.Context(), c.legacy)
	if !errors.Is(err, ErrUnshareableKey) || !strings.Contains(err.Error(), "AWS-managed KMS key aws/rds") {
		t.Errorf("plan of legacy-reports: %v; want it refused for its aws/rds key", err)
	}
	c.rollBack(t)
}

// TestSandboxCloneUnderFaults clones orders-db while both accounts answer
// a share of requests with throttling and 5xx errors: the SDK's standard
// retryer (with room for more attempts) carries the clone through, it
// verifies, and its rollback still leaves the new account as it was.
func TestSandboxCloneUnderFaults(t *testing.T) {
	c := newSandboxClone(t)
	faults := c.sb.InjectFaults(t, false) // on until the test ends: the rollback runs under them too
	must(t, c.r.Apply(t.Context(), c.id))
	clonetest.Verified(t, c.r, c.id)
	faults.RequireEachFaulted()
	c.rollBack(t)
}

// sandboxClone is the orders-db and legacy-reports steps on a private
// sandbox, run by a runner with a journal, with every call the steps make
// logged, and clients of the test's own.
type sandboxClone struct {
	sb                   *clonetest.Sandbox
	oldReader, newReader *rds.Client
	oldBefore, newBefore string
	r                    *runbook.Runner
	journal, id, legacy  string
	snapshot             string // the step's snapshot in the old account
}

func newSandboxClone(t *testing.T) *sandboxClone {
	sb := clonetest.Isolated(t)
	p := sb.Plan
	c := &sandboxClone{sb: sb, oldReader: rds.NewFromConfig(sb.OldAccount), newReader: rds.NewFromConfig(sb.NewAccount)}
	// The standard retryer, with room for the fault test's errors.
	srcCfg, dstCfg := clonetest.Retrying(sb.Source()), clonetest.Retrying(sb.Target())
	base := InstanceConfig{
		Source: rds.NewFromConfig(srcCfg), Target: rds.NewFromConfig(dstCfg),
		SourceKMS: kms.NewFromConfig(srcCfg), TargetKMS: kms.NewFromConfig(dstCfg),
		Mapping: sandboxMapping(p.Mapping), TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account, TargetAccount: p.Target.AWS.Account,
		Region: p.Target.AWS.Region, Poll: 200 * time.Millisecond, MaxPoll: time.Second,
	}
	orders, legacy := base, base
	orders.Name, legacy.Name = "orders-db", "legacy-reports"
	steps := []runbook.Step{NewInstanceStep(orders), NewInstanceStep(legacy)}
	c.id, c.legacy, c.snapshot = steps[0].ID(), steps[1].ID(), steps[0].(*instanceStep).names.snapshot
	// Every progress report journaled, to see each phase's.
	c.r, c.journal = clonetest.Runner(t, runbook.Config{Steps: steps, ProgressEvery: time.Nanosecond})
	c.oldBefore, c.newBefore = accountState(t, c.oldReader), accountState(t, c.newReader)
	// What the migration's end would do by hand, so that the next test on
	// this private sandbox starts from the seed.
	t.Cleanup(func() {
		_, err := c.oldReader.DeleteDBSnapshot(context.Background(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(c.snapshot)})
		if err != nil {
			t.Errorf("remove the test's snapshot from the old account: %v", err)
		}
	})
	return c
}

// rollBack rolls the clone back: the new account is as before, the old
// one holds only the snapshot the plan named, and the steps wrote nothing
// else anywhere.
func (c *sandboxClone) rollBack(t *testing.T) {
	t.Helper()
	must(t, c.r.Rollback(t.Context(), c.id))
	if got := accountState(t, c.newReader); got != c.newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, c.newBefore)
	}
	want := c.oldBefore + fmt.Sprintf("snapshot %s available shared with [%s]\n", c.snapshot, c.sb.Plan.Target.AWS.Account)
	if got := accountState(t, c.oldReader); got != want {
		t.Errorf("old account after the clone and its rollback:\n%s\nwant (only the named snapshot added)\n%s", got, want)
	}
	if w := c.sb.SourceOps.Writes(0); !slices.Equal(w, []string{"CreateDBSnapshot", "ModifyDBSnapshotAttribute"}) {
		t.Errorf("writes to the old account: %q, want only the snapshot and its share", w)
	}
	wantNew := []string{"CopyDBSnapshot", "RestoreDBInstanceFromDBSnapshot", "DeleteDBInstance", "DeleteDBSnapshot"}
	if w := c.sb.TargetOps.Writes(0); !slices.Equal(w, wantNew) {
		t.Errorf("writes to the new account: %q, want %q", w, wantNew)
	}
}

// accountState is an account's DB instances and manual snapshots, read by
// a client of its own, sorted.
func accountState(t *testing.T, c *rds.Client) string {
	t.Helper()
	var lines []string
	insts, err := c.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{})
	must(t, err)
	for _, in := range insts.DBInstances {
		lines = append(lines, fmt.Sprintf("instance %s %s %s", aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.Engine), aws.ToString(in.KmsKeyId)))
	}
	snaps, err := c.DescribeDBSnapshots(t.Context(), &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("manual")})
	must(t, err)
	for _, sn := range snaps.DBSnapshots {
		attrs, err := c.DescribeDBSnapshotAttributes(t.Context(), &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: sn.DBSnapshotIdentifier})
		must(t, err)
		lines = append(lines, fmt.Sprintf("snapshot %s %s shared with %v", aws.ToString(sn.DBSnapshotIdentifier), aws.ToString(sn.Status),
			attrs.DBSnapshotAttributesResult.DBSnapshotAttributes[0].AttributeValues))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// progressSeen checks the journal holds each phase's progress while AWS
// worked: the restored instance creating before it was available.
func progressSeen(t *testing.T, journal, id string) {
	t.Helper()
	progressJournaled(t, journal, id, "0/4 snapshot ferry-orders-db-", "1/4 snapshot ferry-orders-db-", "shared with account 222222222222: shared",
		"2/4 copy ferry-orders-db-", "in account 222222222222: creating", "3/4 DB instance orders-db restored in account 222222222222: creating",
		"3/4 DB instance orders-db restored in account 222222222222: available")
}

// sandboxMapping is the sandbox plan's mapping with the database subnet
// group and security group pairs: the sandbox has no EC2 to map them by.
func sandboxMapping(m rewrite.Mapping) rewrite.Mapping {
	m.Names = append(slices.Clone(m.Names),
		rewrite.Rename{Kind: "db-subnet-group", From: "kops-private", To: "eks-private"},
		rewrite.Rename{Kind: "security-group", From: sandboxOldSG, To: sandboxNewSG})
	return m
}

// progressJournaled checks the journal holds progress of step id saying
// each of wants ("done/total message").
func progressJournaled(t *testing.T, journal, id string, wants ...string) {
	t.Helper()
	log, err := runbook.ReadJournal(journal)
	must(t, err)
	var msgs []string
	for _, rec := range log.Records {
		if rec.Step == id && rec.Outcome == runbook.OutcomeProgress {
			msgs = append(msgs, fmt.Sprintf("%d/%d %s", rec.Done, rec.Total, rec.Summary))
		}
	}
	all := strings.Join(msgs, "\n")
	for _, m := range wants {
		if !strings.Contains(all, m) {
			t.Errorf("journaled progress lacks %q:\n%s", m, all)
		}
	}
}

// independentRead checks the clone with clients the step never used.
func independentRead(t *testing.T, c *rds.Client, keys *kms.Client, oldAccount, newAccount string) {
	t.Helper()
	out, err := c.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("orders-db")})
	must(t, err)
	in := out.DBInstances[0]
	key, err := keys.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: aws.String("alias/orders-db")})
	must(t, err)
	tags := map[string]string{}
	for _, tg := range in.TagList {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	got := fmt.Sprintf("%s %s %s %s %d %v %s %s %s %s %v", aws.ToString(in.DBInstanceStatus), aws.ToString(in.Engine), aws.ToString(in.EngineVersion),
		aws.ToString(in.DBInstanceClass), aws.ToInt32(in.AllocatedStorage), aws.ToBool(in.StorageEncrypted), aws.ToString(in.KmsKeyId),
		aws.ToString(in.DBSubnetGroup.DBSubnetGroupName), aws.ToString(in.DBParameterGroups[0].DBParameterGroupName),
		aws.ToString(in.VpcSecurityGroups[0].VpcSecurityGroupId), tags)
	want := fmt.Sprintf("available postgres 15.7 db.t3.micro 20 true %s eks-private orders-pg15 %s %v", aws.ToString(key.KeyMetadata.Arn), sandboxNewSG,
		map[string]string{"team": "orders", "service": "orders-api", "backup-role": "arn:aws:iam::" + newAccount + ":role/rds-backup"})
	if got != want {
		t.Errorf("orders-db in the new account:\n%s\nwant\n%s", got, want)
	}
	if b, _ := json.Marshal(in); strings.Contains(string(b), oldAccount) {
		t.Errorf("orders-db in the new account names the old account: %s", b)
	}
}
