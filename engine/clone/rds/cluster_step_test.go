package rds

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// The real client is what the cluster step is built with.
var (
	_ ClusterSourceAPI = (*rds.Client)(nil)
	_ ClusterTargetAPI = (*rds.Client)(nil)
	_ KMSAPI           = (*kms.Client)(nil)
)

func clusterWorld() *fakeWorld {
	w := newFakeWorld()
	w.seed()
	w.seedClusters()
	return w
}

func TestClusterNames(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	a, b := w.clusterStep("events-aurora"), w.clusterStep("events-aurora")
	if a.names != b.names || !strings.HasPrefix(a.names.snapshot, "ferry-events-aurora-") || a.names.copy != a.names.snapshot || a.names.share != "" {
		t.Errorf("names %+v / %+v: want the same, deterministic ferry-events-aurora-<hash>", a.names, b.names)
	}
	if a.names.snapshot == w.step("events-aurora").names.snapshot {
		t.Errorf("the cluster step's snapshot %s is named as an instance step's would be", a.names.snapshot)
	}
	long := w.clusterStep(strings.Repeat("a", 63), func(c *ClusterConfig) { c.ShareKey = "alias/share" })
	if n := long.names; len(n.share) > 63 || len(n.copy) > 63 || strings.Contains(n.share, "--") {
		t.Errorf("names of a cluster with a 63-character name: %+v; cluster snapshot identifiers are at most 63 characters", n)
	}
	renamed := w.clusterStep("events-aurora", func(c *ClusterConfig) {
		c.Mapping.Names = append(c.Mapping.Names, rewrite.Rename{Kind: "db-cluster", From: "events-aurora*", To: "events*"})
	})
	if n := renamed.names; n.cluster != "events" || !strings.HasPrefix(n.copy, "ferry-events-") {
		t.Errorf("renamed names %+v", n)
	}
	if renamed.ID() != "aws/rds-cluster/events-aurora" || renamed.Kind() != ClusterKind || renamed.Title() != "Clone DB cluster events-aurora as events to EKS" {
		t.Errorf("ID %s kind %s title %q", renamed.ID(), renamed.Kind(), renamed.Title())
	}
	cs, err := renamed.Plan(t.Context())
	must(t, err)
	if got := changeLines(cs)[4:]; !slices.Equal(got, []string{"create AWS::RDS::DBInstance 222222222222/events-1", "create AWS::RDS::DBInstance 222222222222/events-2"}) {
		t.Errorf("renamed members %q", got)
	}
}

// TestClusterPlanCreate: the plan names the old account's cluster snapshot
// and share as its only writes there, the copy under the new account's
// key, the restored cluster with every name mapped and each member, the
// writer first, and writes nothing.
func TestClusterPlanCreate(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	cs, err := s.Plan(t.Context())
	must(t, err)
	want := []string{
		"create AWS::RDS::DBClusterSnapshot 111111111111/" + s.names.snapshot,
		"update AWS::RDS::DBClusterSnapshotAttribute 111111111111/" + s.names.snapshot + "/restore",
		"create AWS::RDS::DBClusterSnapshot 222222222222/" + s.names.copy,
		"create AWS::RDS::DBCluster 222222222222/events-aurora",
		"create AWS::RDS::DBInstance 222222222222/events-aurora-1",
		"create AWS::RDS::DBInstance 222222222222/events-aurora-2",
	}
	if got := changeLines(cs); !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, wants := range map[int][]string{
		3: {"engine: aurora-postgresql 15.4", "port: 5432", "subnet group: eks-private", "cluster parameter group: events-apg15", "security groups: [sg-new]",
			"KMS key events-db (arn:aws:kms:us-east-1:222222222222:key/n4)", "backup-role: arn:aws:iam::222222222222:role/rds-backup", "  - events-aurora-2"},
		4: {"cluster: events-aurora", "class: db.r6g.large", "parameter group: events-apg15-db", "promotion tier: 0", "role: writer"},
		5: {"promotion tier: 1", "role: member"},
	} {
		for _, m := range wants {
			if !strings.Contains(cs.Changes[i].After, m) {
				t.Errorf("change %d lacks %q:\n%s", i, m, cs.Changes[i].After)
			}
		}
	}
	if strings.Contains(cs.Changes[5].After, "writer") {
		t.Errorf("the reader is rendered as the writer:\n%s", cs.Changes[5].After)
	}
	notes := strings.Join(cs.Notes, "\n")
	for _, m := range []string{"writes to the old account 111111111111, the only writes it makes there: it creates cluster snapshot " + s.names.snapshot,
		"each of the 2 member instances", "must let account 222222222222 use it",
		"rollback deletes the member instances events-aurora-1, events-aurora-2, DB cluster events-aurora and cluster snapshot " + s.names.copy,
		"the old account keeps cluster snapshot " + s.names.snapshot} {
		if !strings.Contains(notes, m) {
			t.Errorf("notes lack %q:\n%s", m, notes)
		}
	}
	if w.writes(oldAcct) != nil || w.writes(newAcct) != nil {
		t.Errorf("plan wrote: %q %q", w.writes(oldAcct), w.writes(newAcct))
	}
}

// TestClusterApplyTwice: apply clones in five phases with progress, the
// source's writer becomes the clone's, verify passes, and a second apply
// (and plan) change nothing.
func TestClusterApplyTwice(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	rec := &recorder{}
	must(t, s.Apply(t.Context(), rec))
	wantOld := []string{"CreateDBClusterSnapshot " + s.names.snapshot, "ModifyDBClusterSnapshotAttribute " + s.names.snapshot + " 222222222222"}
	wantNew := []string{"CopyDBClusterSnapshot " + s.names.copy + " from arn:aws:rds:us-east-1:111111111111:cluster-snapshot:" + s.names.snapshot + " key arn:aws:kms:us-east-1:222222222222:key/n4",
		"RestoreDBClusterFromSnapshot events-aurora from " + s.names.copy, "CreateDBInstance events-aurora-1 in events-aurora", "CreateDBInstance events-aurora-2 in events-aurora"}
	if !slices.Equal(w.writes(oldAcct), wantOld) || !slices.Equal(w.writes(newAcct), wantNew) {
		t.Errorf("writes:\nold %q\nnew %q\nwant\n%q\n%q", w.writes(oldAcct), w.writes(newAcct), wantOld, wantNew)
	}
	if len(rec.saved) != 6 {
		t.Errorf("saved %d undo records, want 6 (snapshot, share, copy, cluster, two members)", len(rec.saved))
	}
	msgs := strings.Join(rec.messages(), "\n")
	for _, m := range []string{"cluster snapshot " + s.names.snapshot + " of events-aurora in account 111111111111: creating, 0%",
		"cluster snapshot " + s.names.snapshot + " shared with account 222222222222: shared",
		"copy " + s.names.copy + " in account 222222222222: creating", "DB cluster events-aurora restored in account 222222222222: creating",
		"member events-aurora-1 of DB cluster events-aurora in account 222222222222: creating",
		"member events-aurora-2 of DB cluster events-aurora in account 222222222222: available"} {
		if !strings.Contains(msgs, m) {
			t.Errorf("progress lacks %q:\n%s", m, msgs)
		}
	}
	if last := rec.progress[len(rec.progress)-1]; last.Done != 4 || last.Total != 5 {
		t.Errorf("last progress %+v, want phase 4 of 5", last)
	}
	w.mu.Lock()
	writer := w.accounts[newAcct].clusters["events-aurora"].members[0]
	w.mu.Unlock()
	if writer != "events-aurora-1" {
		t.Errorf("the clone's writer is %s, want events-aurora-1 (the source's)", writer)
	}
	verifyOK(t, s)

	nOld, nNew := len(w.writes(oldAcct)), len(w.writes(newAcct))
	must(t, s.Apply(t.Context(), &recorder{}))
	cs, err := s.Plan(t.Context())
	must(t, err)
	if len(w.writes(oldAcct)) != nOld || len(w.writes(newAcct)) != nNew {
		t.Errorf("the second apply wrote: %q %q", w.writes(oldAcct)[nOld:], w.writes(newAcct)[nNew:])
	}
	if len(cs.Changes) != 3 {
		t.Errorf("plan after apply: %+v, want the cluster and its two members", cs.Changes)
	}
	for _, c := range cs.Changes {
		if c.Op != runbook.OpNone {
			t.Errorf("plan after apply: %+v", c)
		}
	}
}

// TestClusterResumeAfterCrash: an apply that dies while AWS copies,
// restores or creates members (or whose member create fails) resumes where
// it stopped, never repeating a write that succeeded.
func TestClusterResumeAfterCrash(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		crashAt string
		n       int // the nth such call of the new account fails
		writes  int // calls that write, the failed one included
	}{
		// The read before any write is the first such call; the crash
		// comes at the second, while waiting.
		{"DescribeDBClusterSnapshots ferry-events-aurora", 2, 6},
		{"DescribeDBClusters events-aurora", 2, 6},
		{"DescribeDBInstances events-aurora-2", 2, 6},
		{"CreateDBInstance events-aurora-2", 1, 7},
	} {
		t.Run(tt.crashAt, func(t *testing.T) {
			t.Parallel()
			w := clusterWorld()
			s := w.clusterStep("events-aurora")
			w.failNth(newAcct, tt.crashAt, tt.n, errCrash)
			rec := &recorder{}
			if err := s.Apply(t.Context(), rec); !errors.Is(err, errCrash) {
				t.Fatalf("first apply: %v, want the crash", err)
			}
			must(t, s.Apply(t.Context(), rec))
			got := append(w.writes(oldAcct), w.writes(newAcct)...)
			if len(got) != tt.writes || len(slices.Compact(slices.Sorted(slices.Values(got)))) != 6 {
				t.Errorf("writes over both applies: %q, want each of the 6 once (and the failed one)", got)
			}
			verifyOK(t, s)
		})
	}
}

// TestClusterUnshareable: a cluster under the AWS-managed aws/rds key is
// refused by plan and apply with what to do, and nothing is written.
func TestClusterUnshareable(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	unshareable(t, w, w.clusterStep("legacy-aurora"), "clone DB cluster legacy-aurora", "AWS-managed KMS key aws/rds (arn:aws:kms:us-east-1:111111111111:key/k2)",
		"create a customer-managed KMS key in account 111111111111", "this cluster's share key")
}

// TestClusterShareKey: with a share key, the cluster snapshot is copied
// under it in the old account and the copy is shared; the plan says so.
func TestClusterShareKey(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("legacy-aurora", func(c *ClusterConfig) { c.ShareKey = "alias/share" })
	sharesKey(t, w, s, s.names.snapNames, shareKeyCase{change: ChangeClusterSnapshot, create: "CreateDBClusterSnapshot", copy: "CopyDBClusterSnapshot",
		modify: "ModifyDBClusterSnapshotAttribute", arnType: "cluster-snapshot", newWrites: 3})
}

// TestClusterKMSKeyTable: the cluster's copy is made under the key the
// plan's KMS key table names for the source key.
func TestClusterKMSKeyTable(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	w.accounts[newAcct].addKey("n5", "alias/events-new", false)
	s := w.clusterStep("events-aurora", func(c *ClusterConfig) { c.KMSKeys = map[string]string{"alias/events-db": "alias/events-new"} })
	must(t, s.Apply(t.Context(), &recorder{}))
	if got := w.writes(newAcct); !strings.HasSuffix(got[0], "key "+w.accounts[newAcct].keyARN("n5")) {
		t.Errorf("new account writes %q: want the copy under key n5", got)
	}
	verifyOK(t, s)
}

// TestClusterVerifyFindsDifferences: a member changed after the apply, one
// removed, one added and an old account id in a tag each fail verify with
// evidence.
func TestClusterVerifyFindsDifferences(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	must(t, s.Apply(t.Context(), &recorder{}))
	nu := w.accounts[newAcct]
	nu.instances["events-aurora-1"].d.DBInstanceClass = aws.String("db.t4g.medium")
	delete(nu.instances, "events-aurora-2")
	nu.addMember("events-aurora", "intruder", 3)
	nu.clusters["events-aurora"].d.TagList = tagList(map[string]string{"team": "events", "backup-role": "arn:aws:iam::" + oldAcct + ":role/rds-backup"})
	checks, err := s.Verify(t.Context())
	must(t, err)
	byName := map[string]runbook.Check{}
	for _, c := range checks {
		byName[c.Name] = c
	}
	for name, wants := range map[string][]string{
		CheckClusterAvailable: {"member events-aurora-2 is absent"},
		CheckConfig: {"member events-aurora-1 class: want db.r6g.large, have db.t4g.medium", "member events-aurora-2: want it in the cluster, have none",
			"member intruder: want none", "tag backup-role: want arn:aws:iam::222222222222:role/rds-backup, have arn:aws:iam::111111111111:role/rds-backup"},
		CheckAccounts: {"cluster.TagList[0].Value: arn:aws:iam::111111111111:role/rds-backup"},
	} {
		c := byName[name]
		if c.OK {
			t.Errorf("check %q passed: %s", name, c.Evidence)
		}
		for _, m := range wants {
			if !strings.Contains(c.Evidence, m) {
				t.Errorf("check %q lacks %q:\n%s", name, m, c.Evidence)
			}
		}
	}
}
