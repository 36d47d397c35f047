package rds

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestClusterRollback: the rollback plan names the members, the cluster
// and the copy it deletes in the new account; rollback deletes them in
// that order and nothing else, and the old account keeps its snapshot; a
// second rollback finds them gone.
func TestClusterRollback(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	newBefore := w.state(newAcct)
	rec := &recorder{}
	must(t, s.Apply(t.Context(), rec))
	oldAfter, nNew := w.state(oldAcct), len(w.writes(newAcct))

	var planner runbook.RollbackPlanner = s
	cs, err := planner.PlanRollback(t.Context(), rec.saved)
	must(t, err)
	want := []string{"delete AWS::RDS::DBInstance 222222222222/events-aurora-1", "delete AWS::RDS::DBInstance 222222222222/events-aurora-2",
		"delete AWS::RDS::DBCluster 222222222222/events-aurora", "delete AWS::RDS::DBClusterSnapshot 222222222222/" + s.names.copy}
	if got := changeLines(cs); !slices.Equal(got, want) {
		t.Errorf("rollback plan %q, want %q", got, want)
	}
	notes := strings.Join(cs.Notes, "\n")
	for _, m := range []string{"deleting DB cluster events-aurora destroys its data", "nothing in the old account 111111111111 is touched: it keeps " +
		s.names.snapshot + " (cluster snapshot of events-aurora), " + s.names.snapshot + " (shared with account 222222222222)"} {
		if !strings.Contains(notes, m) {
			t.Errorf("rollback notes lack %q:\n%s", m, notes)
		}
	}
	if len(w.writes(newAcct)) != nNew {
		t.Errorf("planning the rollback wrote %q", w.writes(newAcct)[nNew:])
	}

	rb := &recorder{}
	must(t, s.Rollback(t.Context(), rec.saved, rb))
	if got := w.state(newAcct); got != newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, newBefore)
	}
	if got := w.state(oldAcct); got != oldAfter {
		t.Errorf("rollback changed the old account:\n%s\nwas\n%s", got, oldAfter)
	}
	wantWrites := []string{"DeleteDBInstance events-aurora-1", "DeleteDBInstance events-aurora-2", "DeleteDBCluster events-aurora", "DeleteDBClusterSnapshot " + s.names.copy}
	if got := w.writes(newAcct)[nNew:]; !slices.Equal(got, wantWrites) {
		t.Errorf("rollback writes %q, want %q", got, wantWrites)
	}
	if got := w.writes(oldAcct); len(got) != 2 {
		t.Errorf("old account writes %q: rollback must add none", got)
	}
	msgs := strings.Join(rb.messages(), "\n")
	for _, m := range []string{"member events-aurora-2 deleted in account 222222222222: deleting", "DB cluster events-aurora deleted in account 222222222222: deleting",
		"deleted member instances events-aurora-1, events-aurora-2 in EKS", "deleted cluster snapshot " + s.names.copy} {
		if !strings.Contains(msgs, m) {
			t.Errorf("rollback progress lacks %q:\n%s", m, msgs)
		}
	}

	again := &recorder{}
	must(t, s.Rollback(t.Context(), rec.saved, again))
	if m := strings.Join(again.messages(), "\n"); !strings.Contains(m, "already gone") {
		t.Errorf("second rollback: %s", m)
	}
	cs, err = planner.PlanRollback(t.Context(), rec.saved)
	must(t, err)
	for _, c := range cs.Changes {
		if c.Op != runbook.OpNone {
			t.Errorf("rollback plan after rollback: %+v", c)
		}
	}
}

// TestClusterRollbackMidMembers: an apply that died while AWS created the
// members leaves them creating; rollback waits until AWS lets them be
// deleted and leaves the new account as it was.
func TestClusterRollbackMidMembers(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	newBefore := w.state(newAcct)
	w.failNth(newAcct, "DescribeDBInstances events-aurora-1", 2, errCrash)
	rec := &recorder{}
	if err := s.Apply(t.Context(), rec); !errors.Is(err, errCrash) {
		t.Fatalf("apply: %v, want the crash", err)
	}
	must(t, s.Rollback(t.Context(), rec.saved, &recorder{}))
	if got := w.state(newAcct); got != newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, newBefore)
	}
}

// TestClusterRollbackRefusesChangesSince: a member added to the cluster
// since the apply, deletion protection turned on, or a member moved out of
// the cluster stop the rollback plan and the rollback before anything is
// deleted.
func TestClusterRollbackRefusesChangesSince(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		change func(a *fakeAccount)
		want   string
	}{
		{"member added", func(a *fakeAccount) { a.addMember("events-aurora", "intruder", 2) },
			"has member instances ferry did not create (added since the apply): intruder"},
		{"deletion protection", func(a *fakeAccount) { a.clusters["events-aurora"].d.DeletionProtection = aws.Bool(true) },
			"has deletion protection, turned on since ferry restored it without"},
		{"member moved", func(a *fakeAccount) { a.instances["events-aurora-2"].d.DBClusterIdentifier = aws.String("other") },
			"DB instance events-aurora-2 (arn:aws:rds:us-east-1:222222222222:db:events-aurora-2) is no longer a member of DB cluster events-aurora"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := clusterWorld()
			s := w.clusterStep("events-aurora")
			rec := &recorder{}
			must(t, s.Apply(t.Context(), rec))
			tt.change(w.accounts[newAcct])
			n := len(w.writes(newAcct))
			if _, err := s.PlanRollback(t.Context(), rec.saved); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("rollback plan: %v, want %q", err, tt.want)
			}
			if err := s.Rollback(t.Context(), rec.saved, &recorder{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("rollback: %v, want %q", err, tt.want)
			}
			if got := w.writes(newAcct)[n:]; len(got) != 0 {
				t.Errorf("rollback wrote %q", got)
			}
		})
	}
}

// TestClusterRollbackRefusesForeignRecords: undo records this step did not
// write are refused before anything is deleted.
func TestClusterRollbackRefusesForeignRecords(t *testing.T) {
	t.Parallel()
	for _, r := range []undoRecord{
		{Kind: recordCluster, Account: newAcct, Name: "other-cluster"},
		{Kind: recordMember, Account: oldAcct, Name: "events-aurora-1"},
		{Kind: recordCopy, Account: newAcct, Name: "someone-elses-snapshot"},
		{Kind: recordInstance, Account: newAcct, Name: "events-aurora"},
	} {
		w := clusterWorld()
		s := w.clusterStep("events-aurora")
		must(t, s.Apply(t.Context(), &recorder{}))
		n := len(w.writes(newAcct))
		raw, _ := json.Marshal(r)
		err := s.Rollback(t.Context(), []json.RawMessage{raw}, &recorder{})
		if err == nil || !strings.Contains(err.Error(), "was not written by this step") {
			t.Errorf("rollback of %+v: %v", r, err)
		}
		if got := w.writes(newAcct)[n:]; len(got) != 0 {
			t.Errorf("rollback of %+v wrote %q", r, got)
		}
	}
}
