package rds

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestRollback: the rollback plan names the instance and the copy it
// deletes in the new account; rollback deletes them and nothing else, and
// the old account keeps its snapshot; a second rollback finds them gone.
func TestRollback(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	newBefore := w.state(newAcct)
	rec := &recorder{}
	must(t, s.Apply(t.Context(), rec))
	oldAfter, nNew := w.state(oldAcct), len(w.writes(newAcct))

	var planner runbook.RollbackPlanner = s
	cs, err := planner.PlanRollback(t.Context(), rec.saved)
	must(t, err)
	var got []string
	for _, c := range cs.Changes {
		got = append(got, string(c.Op)+" "+c.Kind+" "+c.Namespace+"/"+c.Name)
	}
	want := []string{"delete AWS::RDS::DBInstance 222222222222/orders-db", "delete AWS::RDS::DBSnapshot 222222222222/" + s.names.copy}
	if !slices.Equal(got, want) {
		t.Errorf("rollback plan %q, want %q", got, want)
	}
	notes := strings.Join(cs.Notes, "\n")
	for _, m := range []string{"destroys its data", "nothing in the old account 111111111111 is touched: it keeps " + s.names.snapshot + " (snapshot of orders-db), " +
		s.names.snapshot + " (shared with account 222222222222)"} {
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
	if got := w.writes(newAcct)[nNew:]; !slices.Equal(got, []string{"DeleteDBInstance orders-db", "DeleteDBSnapshot " + s.names.copy}) {
		t.Errorf("rollback writes %q", got)
	}
	if got := w.writes(oldAcct); len(got) != 2 {
		t.Errorf("old account writes %q: rollback must add none", got)
	}
	msgs := strings.Join(rb.messages(), "\n")
	if !strings.Contains(msgs, "DB instance orders-db deleted in account 222222222222: deleting") || !strings.Contains(msgs, "deleted snapshot "+s.names.copy) {
		t.Errorf("rollback progress:\n%s", msgs)
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

// TestRollbackMidRestore: an apply that died while AWS restored leaves an
// instance still creating; rollback waits until AWS lets it be deleted.
func TestRollbackMidRestore(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.seed()
	s := w.step("orders-db")
	newBefore := w.state(newAcct)
	w.failNth(newAcct, "DescribeDBInstances orders-db", 2, errCrash)
	rec := &recorder{}
	if err := s.Apply(t.Context(), rec); !errors.Is(err, errCrash) {
		t.Fatalf("apply: %v, want the crash", err)
	}
	must(t, s.Rollback(t.Context(), rec.saved, &recorder{}))
	if got := w.state(newAcct); got != newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, newBefore)
	}
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
		s := w.step("orders-db")
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
