package rds

import (
	"errors"
	"strings"
	"testing"
)

// TestRollback: the rollback plan names the instance and the copy it
// deletes in the new account; rollback deletes them and nothing else, and
// the old account keeps its snapshot; a second rollback finds them gone.
func TestRollback(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	rollsBack(t, w, s, rollbackCase{
		plan: []string{"delete AWS::RDS::DBInstance 222222222222/orders-db", "delete AWS::RDS::DBSnapshot 222222222222/" + s.names.copy},
		notes: []string{"destroys its data", "nothing in the old account 111111111111 is touched: it keeps " + s.names.snapshot + " (snapshot of orders-db), " +
			s.names.snapshot + " (shared with account 222222222222)"},
		writes:   []string{"DeleteDBInstance orders-db", "DeleteDBSnapshot " + s.names.copy},
		progress: []string{"DB instance orders-db deleted in account 222222222222: deleting", "deleted snapshot " + s.names.copy},
	})
}

// TestRollbackMidRestore: an apply that died while AWS restored leaves an
// instance still creating; rollback waits until AWS lets it be deleted.
func TestRollbackMidRestore(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	rollsBackAfterCrash(t, w, w.step("orders-db"), "DescribeDBInstances orders-db", 2)
}

// TestRollbackOldWritesOnly: after an apply that only got as far as the
// old account, rollback deletes nothing and names what stays there.
func TestRollbackOldWritesOnly(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	w.failNth(oldAcct, "DescribeDBSnapshots ferry-orders-db", 2, errCrash)
	rec := &recorder{}
	if err := s.Apply(t.Context(), rec); !errors.Is(err, errCrash) {
		t.Fatalf("apply: %v, want the crash", err)
	}
	rb := &recorder{}
	must(t, s.Rollback(t.Context(), rec.saved, rb))
	if got := w.writes(newAcct); got != nil {
		t.Errorf("new account writes %q", got)
	}
	if m := strings.Join(rb.messages(), "\n"); !strings.Contains(m, "nothing to delete in account 222222222222") ||
		!strings.Contains(m, "it keeps "+s.names.snapshot+" (snapshot of orders-db)") {
		t.Errorf("rollback said %q", m)
	}
}

// TestRollbackRefusesForeignRecords: undo records this step did not write
// (another instance, the old account) are refused before anything is
// deleted.
func TestRollbackRefusesForeignRecords(t *testing.T) {
	t.Parallel()
	for _, r := range []undoRecord{
		{Kind: recordInstance, Account: newAcct, Name: "payments-db"},
		{Kind: recordInstance, Account: oldAcct, Name: "orders-db"},
		{Kind: recordCopy, Account: newAcct, Name: "someone-elses-snapshot"},
		{Kind: "bucket", Account: newAcct, Name: "orders-db"},
	} {
		w := newFakeWorld()
		w.seed()
		refusesRecord(t, w, w.step("orders-db"), r)
	}
}
