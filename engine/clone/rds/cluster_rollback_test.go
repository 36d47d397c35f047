package rds

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestClusterRollback: the rollback plan names the members, the cluster
// and the copy it deletes in the new account; rollback deletes them in
// that order and nothing else, and the old account keeps its snapshot; a
// second rollback finds them gone.
func TestClusterRollback(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	rollsBack(t, w, s, rollbackCase{
		plan: []string{"delete AWS::RDS::DBInstance 222222222222/events-aurora-1", "delete AWS::RDS::DBInstance 222222222222/events-aurora-2",
			"delete AWS::RDS::DBCluster 222222222222/events-aurora", "delete AWS::RDS::DBClusterSnapshot 222222222222/" + s.names.copy},
		notes: []string{"deleting DB cluster events-aurora destroys its data", "nothing in the old account 111111111111 is touched: it keeps " +
			s.names.snapshot + " (cluster snapshot of events-aurora), " + s.names.snapshot + " (shared with account 222222222222)"},
		writes: []string{"DeleteDBInstance events-aurora-1", "DeleteDBInstance events-aurora-2", "DeleteDBCluster events-aurora", "DeleteDBClusterSnapshot " + s.names.copy},
		progress: []string{"member events-aurora-2 deleted in account 222222222222: deleting", "DB cluster events-aurora deleted in account 222222222222: deleting",
			"deleted member instances events-aurora-1, events-aurora-2 in EKS", "deleted cluster snapshot " + s.names.copy},
	})
}

// TestClusterRollbackMidMembers: an apply that died while AWS created the
// members leaves them creating; rollback waits until AWS lets them be
// deleted and leaves the new account as it was.
func TestClusterRollbackMidMembers(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	rollsBackAfterCrash(t, w, w.clusterStep("events-aurora"), "DescribeDBInstances events-aurora-1", 2)
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
		refusesRecord(t, w, w.clusterStep("events-aurora"), r)
	}
}
