package rds

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

func TestNames(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	a, b := w.step("orders-db"), w.step("orders-db")
	if a.names != b.names || !strings.HasPrefix(a.names.snapshot, "ferry-orders-db-") || a.names.copy != a.names.snapshot || a.names.share != "" {
		t.Errorf("names %+v / %+v: want the same, deterministic ferry-orders-db-<hash>", a.names, b.names)
	}
	renamed := w.step("orders-db", func(c *InstanceConfig) {
		c.Mapping.Names = append(c.Mapping.Names, rewrite.Rename{Kind: "db-instance", From: "orders-db", To: "orders"})
		c.ShareKey = "alias/share"
	})
	if n := renamed.names; n.instance != "orders" || !strings.HasPrefix(n.copy, "ferry-orders-") || n.share != n.snapshot+"-share" {
		t.Errorf("renamed names %+v", n)
	}
	if renamed.ID() != "aws/rds/orders-db" || renamed.Kind() != Kind || renamed.Title() != "Clone RDS instance orders-db as orders to EKS" {
		t.Errorf("ID %s kind %s title %q", renamed.ID(), renamed.Kind(), renamed.Title())
	}
}

// TestPlanCreate: the plan names the old account's snapshot and share as
// its only writes there, the copy under the new account's key, and the
// restored instance with every name mapped, and writes nothing.
func TestPlanCreate(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	cs, err := s.Plan(t.Context())
	must(t, err)
	var got []string
	for _, c := range cs.Changes {
		got = append(got, string(c.Op)+" "+c.Kind+" "+c.Namespace+"/"+c.Name)
	}
	want := []string{
		"create AWS::RDS::DBSnapshot 111111111111/" + s.names.snapshot,
		"update AWS::RDS::DBSnapshotAttribute 111111111111/" + s.names.snapshot + "/restore",
		"create AWS::RDS::DBSnapshot 222222222222/" + s.names.copy,
		"create AWS::RDS::DBInstance 222222222222/orders-db",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	after := cs.Changes[3].After
	for _, s := range []string{"subnet group: eks-private", "parameter group: orders-pg15", "security groups: [sg-new]",
		"KMS key orders-db (arn:aws:kms:us-east-1:222222222222:key/n1)", "backup-role: arn:aws:iam::222222222222:role/rds-backup", "engine: postgres 15.7"} {
		if !strings.Contains(after, s) {
			t.Errorf("the instance's change lacks %q:\n%s", s, after)
		}
	}
	notes := strings.Join(cs.Notes, "\n")
	for _, s := range []string{"writes to the old account 111111111111, the only writes it makes there: it creates snapshot " + s.names.snapshot,
		"minutes to hours", "must let account 222222222222 use it", "rollback deletes DB instance orders-db and snapshot " + s.names.copy,
		"the old account keeps snapshot " + s.names.snapshot} {
		if !strings.Contains(notes, s) {
			t.Errorf("notes lack %q:\n%s", s, notes)
		}
	}
	if w.writes(oldAcct) != nil || w.writes(newAcct) != nil {
		t.Errorf("plan wrote: %q %q", w.writes(oldAcct), w.writes(newAcct))
	}
}

// TestApplyTwice: apply clones in four phases with progress, verify
// passes, and a second apply (and plan) change nothing.
func TestApplyTwice(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	rec := &recorder{}
	must(t, s.Apply(t.Context(), rec))
	wantOld := []string{"CreateDBSnapshot " + s.names.snapshot, "ModifyDBSnapshotAttribute " + s.names.snapshot + " 222222222222"}
	wantNew := []string{"CopyDBSnapshot " + s.names.copy + " from arn:aws:rds:us-east-1:111111111111:snapshot:" + s.names.snapshot + " key arn:aws:kms:us-east-1:222222222222:key/n1",
		"RestoreDBInstanceFromDBSnapshot orders-db from " + s.names.copy}
	if !slices.Equal(w.writes(oldAcct), wantOld) || !slices.Equal(w.writes(newAcct), wantNew) {
		t.Errorf("writes:\nold %q\nnew %q\nwant\n%q\n%q", w.writes(oldAcct), w.writes(newAcct), wantOld, wantNew)
	}
	if len(rec.saved) != 4 {
		t.Errorf("saved %d undo records, want 4 (snapshot, share, copy, instance)", len(rec.saved))
	}
	msgs := strings.Join(rec.messages(), "\n")
	for _, m := range []string{"snapshot " + s.names.snapshot + " of orders-db in account 111111111111: creating, 0%",
		"copy " + s.names.copy + " in account 222222222222: creating", "DB instance orders-db restored in account 222222222222: creating",
		"DB instance orders-db restored in account 222222222222: available"} {
		if !strings.Contains(msgs, m) {
			t.Errorf("progress lacks %q:\n%s", m, msgs)
		}
	}
	if last := rec.progress[len(rec.progress)-1]; last.Done != 3 || last.Total != 4 {
		t.Errorf("last progress %+v, want phase 3 of 4", last)
	}
	verifyOK(t, s)

	nOld, nNew := len(w.writes(oldAcct)), len(w.writes(newAcct))
	must(t, s.Apply(t.Context(), &recorder{}))
	cs, err := s.Plan(t.Context())
	must(t, err)
	if len(w.writes(oldAcct)) != nOld || len(w.writes(newAcct)) != nNew {
		t.Errorf("the second apply wrote: %q %q", w.writes(oldAcct)[nOld:], w.writes(newAcct)[nNew:])
	}
	if len(cs.Changes) != 1 || cs.Changes[0].Op != runbook.OpNone {
		t.Errorf("plan after apply: %+v", cs.Changes)
	}
}

// TestResumeAfterCrash: an apply that dies while AWS copies (then while it
// restores) resumes where it stopped, never repeating a write.
func TestResumeAfterCrash(t *testing.T) {
	t.Parallel()
	for _, crashAt := range []string{"DescribeDBSnapshots ferry-orders-db", "DescribeDBInstances orders-db"} {
		t.Run(crashAt, func(t *testing.T) {
			t.Parallel()
			w := newFakeWorld()
			w.seed()
			s := w.step("orders-db")
			// The read before any write is the first such call in the new
			// account; the crash comes at the second, while waiting.
			w.failNth(newAcct, crashAt, 2, errCrash)
			rec := &recorder{}
			if err := s.Apply(t.Context(), rec); !errors.Is(err, errCrash) {
				t.Fatalf("first apply: %v, want the crash", err)
			}
			must(t, s.Apply(t.Context(), rec))
			if got := append(w.writes(oldAcct), w.writes(newAcct)...); len(got) != 4 {
				t.Errorf("writes over both applies: %q, want each of the 4 once", got)
			}
			verifyOK(t, s)
		})
	}
}

// TestUnshareable: an instance under the AWS-managed aws/rds key is refused
// by plan and apply with what to do, and nothing is written.
func TestUnshareable(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	unshareable(t, w, w.step("legacy"), "AWS-managed KMS key aws/rds (arn:aws:kms:us-east-1:111111111111:key/k2)", "cannot be shared",
		"create a customer-managed KMS key in account 111111111111", "share key")
}

// TestShareKey: with a share key, the snapshot is copied under it in the
// old account and the copy is shared; the plan says so.
func TestShareKey(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("legacy", func(c *InstanceConfig) { c.ShareKey = "alias/share" })
	sharesKey(t, w, s, s.names.snapNames, shareKeyCase{change: ChangeSnapshot, create: "CreateDBSnapshot", copy: "CopyDBSnapshot",
		modify: "ModifyDBSnapshotAttribute", arnType: "snapshot", newWrites: 2})
}

// TestRefusals: what the new account lacks, or a mapping that leaves an old
// name, stops plan and apply before any write, saying what to do.
func TestRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(w *fakeWorld, c *InstanceConfig)
		want  string
	}{
		{"no subnet group", func(w *fakeWorld, _ *InstanceConfig) { w.accounts[newAcct].subnets = nil },
			"DB subnet group eks-private does not exist in EKS (account 222222222222)"},
		{"no parameter group", func(w *fakeWorld, _ *InstanceConfig) { w.accounts[newAcct].params = nil },
			"DB parameter group orders-pg15 does not exist"},
		{"unmapped security group", func(_ *fakeWorld, c *InstanceConfig) { c.Mapping.Names = c.Mapping.Names[:1] },
			"security group sg-old belongs to the old account's VPC"},
		{"no target key", func(w *fakeWorld, _ *InstanceConfig) { w.accounts[newAcct].keys = map[string]fakeKey{} },
			"no KMS key alias/orders-db in account 222222222222"},
		{"missing instance", func(w *fakeWorld, _ *InstanceConfig) { delete(w.accounts[oldAcct].instances, "orders-db") },
			"no such DB instance in the old account 111111111111"},
		{"same accounts", func(_ *fakeWorld, c *InstanceConfig) { c.TargetAccount = oldAcct }, "is an old account"},
		{"existing different instance", func(w *fakeWorld, _ *InstanceConfig) {
			w.accounts[newAcct].instances["orders-db"] = &fakeInstance{d: instance(newAcct, "orders-db", "mysql", "", "x", nil)}
		}, "already exists in EKS (account 222222222222) and differs from the mapped source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newFakeWorld()
			w.seed()
			refused(t, w, w.step("orders-db", func(c *InstanceConfig) { tt.setup(w, c) }), tt.want)
		})
	}
}

// TestSaveFailsFirst: when the undo record cannot be saved, nothing is
// written.
func TestSaveFailsFirst(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	err := s.Apply(t.Context(), &recorder{failSave: errors.New("disk full")})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("apply: %v", err)
	}
	w.noWrites(t)
}

// TestWaitHonoursContext: a cancelled apply stops waiting and says how to
// resume.
func TestWaitHonoursContext(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db", func(c *InstanceConfig) { c.Poll, c.MaxPoll = 1<<40, 1<<40 })
	ctx, cancel := context.WithCancel(t.Context())
	rec := &recorder{}
	go func() {
		for len(rec.messages()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := s.Apply(ctx, rec)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "apply again to resume") {
		t.Errorf("apply: %v", err)
	}
}
