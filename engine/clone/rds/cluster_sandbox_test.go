package rds

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestSandboxCloneCluster clones the Aurora cluster events-aurora with its
// two members from the old sandbox account into the new one through a
// runner: plan, apply (with progress while the emulated AWS works),
// verify, an independent read with clients of its own that finds no old
// account id in the restored cluster or its members, a second apply that
// writes nothing, and a rollback that leaves the new account as it was and
// the old one with only the cluster snapshot the plan named.
func TestSandboxCloneCluster(t *testing.T) {
	sb := clonetest.Isolated(t)
	p := sb.Plan
	oldReader, newReader := rds.NewFromConfig(sb.OldAccount), rds.NewFromConfig(sb.NewAccount)
	src, dst := sb.Source(), sb.Target()
	st := NewClusterStep(ClusterConfig{Name: "events-aurora",
		Source: rds.NewFromConfig(src), Target: rds.NewFromConfig(dst), SourceKMS: kms.NewFromConfig(src), TargetKMS: kms.NewFromConfig(dst),
		Mapping: sandboxMapping(p.Mapping), TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account, TargetAccount: p.Target.AWS.Account,
		Region: p.Target.AWS.Region, Poll: 200 * time.Millisecond, MaxPoll: time.Second})
	snapshot := st.(*clusterStep).names.snapshot
	r, journal := clonetest.Runner(t, runbook.Config{Steps: []runbook.Step{st}, ProgressEvery: time.Nanosecond})
	oldBefore, newBefore := clusterAccountState(t, oldReader), clusterAccountState(t, newReader)
	t.Cleanup(func() {
		_, err := oldReader.DeleteDBClusterSnapshot(context.Background(), &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String(snapshot)})
		if err != nil {
			t.Errorf("remove the test's cluster snapshot from the old account: %v", err)
		}
	})

	cs, err := r.Plan(t.Context(), st.ID())
	must(t, err)
	t.Logf("plan:\n%s\nnotes:\n%s", cs.Changes[3].After, strings.Join(cs.Notes, "\n"))
	if len(cs.Changes) != 6 || cs.Changes[0].Namespace != p.Source.AWS.Account || cs.Changes[3].Kind != ChangeCluster || cs.Changes[5].Op != runbook.OpCreate {
		t.Errorf("plan changes: %+v", cs.Changes)
	}
	must(t, r.Apply(t.Context(), st.ID()))
	clusterProgressSeen(t, journal, st.ID())
	clonetest.Verified(t, r, st.ID())
	independentClusterRead(t, newReader, kms.NewFromConfig(sb.NewAccount), p.Source.AWS.Account, p.Target.AWS.Account)
	if cs := sb.Reapply(t, r, st.ID()); len(cs[0].Changes) != 3 {
		t.Errorf("plan after apply: %+v", cs[0].Changes)
	}

	must(t, r.Rollback(t.Context(), st.ID()))
	if got := clusterAccountState(t, newReader); got != newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, newBefore)
	}
	wantOld := strings.Split(oldBefore+fmt.Sprintf("cluster snapshot %s available shared with [%s]", snapshot, p.Target.AWS.Account), "\n")
	slices.Sort(wantOld)
	if got, want := clusterAccountState(t, oldReader), strings.Join(wantOld, "\n")+"\n"; got != want {
		t.Errorf("old account after the clone and its rollback:\n%s\nwant (only the named cluster snapshot added)\n%s", got, want)
	}
	if w := sb.SourceOps.Writes(0); !slices.Equal(w, []string{"CreateDBClusterSnapshot", "ModifyDBClusterSnapshotAttribute"}) {
		t.Errorf("writes to the old account: %q, want only the cluster snapshot and its share", w)
	}
	wantNew := []string{"CopyDBClusterSnapshot", "RestoreDBClusterFromSnapshot", "CreateDBInstance", "CreateDBInstance",
		"DeleteDBInstance", "DeleteDBInstance", "DeleteDBCluster", "DeleteDBClusterSnapshot"}
	if w := sb.TargetOps.Writes(0); !slices.Equal(w, wantNew) {
		t.Errorf("writes to the new account: %q, want %q", w, wantNew)
	}
}

// clusterAccountState is an account's DB clusters with their members, DB
// instances and manual cluster snapshots, read by a client of its own.
func clusterAccountState(t *testing.T, c *rds.Client) string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(accountState(t, c), "\n"), "\n")
	clusters, err := c.DescribeDBClusters(t.Context(), &rds.DescribeDBClustersInput{})
	must(t, err)
	for _, cl := range clusters.DBClusters {
		var members []string
		for _, m := range cl.DBClusterMembers {
			members = append(members, aws.ToString(m.DBInstanceIdentifier))
		}
		lines = append(lines, fmt.Sprintf("cluster %s %s %s %v", aws.ToString(cl.DBClusterIdentifier), aws.ToString(cl.Engine), aws.ToString(cl.KmsKeyId), members))
	}
	snaps, err := c.DescribeDBClusterSnapshots(t.Context(), &rds.DescribeDBClusterSnapshotsInput{SnapshotType: aws.String("manual")})
	must(t, err)
	for _, sn := range snaps.DBClusterSnapshots {
		attrs, err := c.DescribeDBClusterSnapshotAttributes(t.Context(), &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: sn.DBClusterSnapshotIdentifier})
		must(t, err)
		lines = append(lines, fmt.Sprintf("cluster snapshot %s %s shared with %v", aws.ToString(sn.DBClusterSnapshotIdentifier), aws.ToString(sn.Status),
			attrs.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes[0].AttributeValues))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// clusterProgressSeen checks the journal holds each phase's progress while
// AWS worked: the restored cluster and its members creating before they
// were available.
func clusterProgressSeen(t *testing.T, journal, id string) {
	t.Helper()
	progressJournaled(t, journal, id, "0/5 cluster snapshot ferry-events-aurora-", "shared with account 222222222222: shared", "2/5 copy ferry-events-aurora-",
		"3/5 DB cluster events-aurora restored in account 222222222222: creating", "3/5 DB cluster events-aurora restored in account 222222222222: available",
		"4/5 member events-aurora-1 of DB cluster events-aurora in account 222222222222: creating",
		"4/5 member events-aurora-2 of DB cluster events-aurora in account 222222222222: available")
}

// independentClusterRead checks the clone with clients the step never
// used, and scans the restored cluster's and members' descriptions for the
// old account's id.
func independentClusterRead(t *testing.T, c *rds.Client, keys *kms.Client, oldAccount, newAccount string) {
	t.Helper()
	out, err := c.DescribeDBClusters(t.Context(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("events-aurora")})
	must(t, err)
	cl := out.DBClusters[0]
	key, err := keys.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: aws.String("alias/events-db")})
	must(t, err)
	var members []string
	for _, m := range cl.DBClusterMembers {
		members = append(members, fmt.Sprintf("%s writer=%v tier=%d", aws.ToString(m.DBInstanceIdentifier), aws.ToBool(m.IsClusterWriter), aws.ToInt32(m.PromotionTier)))
	}
	got := fmt.Sprintf("%s %s %s %d %s %s %s %s %v %q", aws.ToString(cl.Status), aws.ToString(cl.Engine), aws.ToString(cl.EngineVersion), aws.ToInt32(cl.Port),
		aws.ToString(cl.KmsKeyId), aws.ToString(cl.DBSubnetGroup), aws.ToString(cl.DBClusterParameterGroup),
		aws.ToString(cl.VpcSecurityGroups[0].VpcSecurityGroupId), tagMap(cl.TagList), members)
	want := fmt.Sprintf("available aurora-postgresql 15.4 5432 %s eks-private events-apg15 %s %v %q", aws.ToString(key.KeyMetadata.Arn), sandboxNewSG,
		map[string]string{"team": "events", "backup-role": "arn:aws:iam::" + newAccount + ":role/rds-backup"},
		[]string{"events-aurora-1 writer=true tier=0", "events-aurora-2 writer=false tier=1"})
	if got != want {
		t.Errorf("events-aurora in the new account:\n%s\nwant\n%s", got, want)
	}
	docs := []any{cl}
	for _, id := range []string{"events-aurora-1", "events-aurora-2"} {
		in, err := c.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		must(t, err)
		m := in.DBInstances[0]
		if aws.ToString(m.DBInstanceStatus) != "available" || aws.ToString(m.DBClusterIdentifier) != "events-aurora" || aws.ToString(m.DBInstanceClass) != "db.r6g.large" {
			t.Errorf("member %s: %s %s %s", id, aws.ToString(m.DBInstanceStatus), aws.ToString(m.DBClusterIdentifier), aws.ToString(m.DBInstanceClass))
		}
		docs = append(docs, m)
	}
	if b, _ := json.Marshal(docs); strings.Contains(string(b), oldAccount) || !strings.Contains(string(b), newAccount) {
		t.Errorf("the restored cluster's config names the old account %s (or not the new one): %s", oldAccount, b)
	}
}
