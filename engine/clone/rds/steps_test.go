package rds

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// What the instance and cluster steps' tests check alike, each test
// naming the step and what its messages say.

// rdsStep is either step.
type rdsStep interface {
	runbook.Step
	runbook.RollbackPlanner
}

// verifyOK fails t unless all four of s's checks pass.
func verifyOK(t *testing.T, s runbook.Step) []runbook.Check {
	t.Helper()
	checks, err := s.Verify(t.Context())
	must(t, err)
	for _, c := range checks {
		if !c.OK {
			t.Errorf("check %q failed: %s", c.Name, c.Evidence)
		}
	}
	if len(checks) != 4 {
		t.Errorf("%d checks, want 4", len(checks))
	}
	return checks
}

// noWrites fails t when anything was written in either account.
func (w *fakeWorld) noWrites(t *testing.T) {
	t.Helper()
	if w.writes(oldAcct) != nil || w.writes(newAcct) != nil {
		t.Errorf("wrote: %q %q", w.writes(oldAcct), w.writes(newAcct))
	}
}

// refused checks that plan and apply of s fail saying want, and that
// nothing was written.
func refused(t *testing.T, w *fakeWorld, s runbook.Step, want string) {
	t.Helper()
	_, err := s.Plan(t.Context())
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("plan: %v, want %q", err, want)
	}
	if err := s.Apply(t.Context(), &recorder{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("apply: %v, want %q", err, want)
	}
	w.noWrites(t)
}

// unshareable checks that plan and apply of s, whose source is under the
// AWS-managed key, fail with ErrUnshareableKey saying each of msgs, and
// that nothing was written.
func unshareable(t *testing.T, w *fakeWorld, s runbook.Step, msgs ...string) {
	t.Helper()
	_, err := s.Plan(t.Context())
	if !errors.Is(err, ErrUnshareableKey) {
		t.Fatalf("plan: %v, want ErrUnshareableKey", err)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error lacks %q: %v", m, err)
		}
	}
	if err := s.Apply(t.Context(), &recorder{}); !errors.Is(err, ErrUnshareableKey) {
		t.Errorf("apply: %v, want ErrUnshareableKey", err)
	}
	w.noWrites(t)
}

// shareKeyCase is what a step with a share key writes: the snapshot calls
// of its kind (Create..., Copy..., Modify...Attribute), the ARN type of
// the shared copy, and how many writes the new account sees.
type shareKeyCase struct {
	change, create, copy, modify, arnType string
	newWrites                             int
}

// sharesKey checks s, whose source is under the AWS-managed key and which
// has a share key: its plan names the re-encrypted copy, and its apply
// copies the snapshot under the share key in the old account and shares
// the copy, which the new account copies under its own aws/rds.
func sharesKey(t *testing.T, w *fakeWorld, s runbook.Step, n snapNames, c shareKeyCase) {
	t.Helper()
	cs, err := s.Plan(t.Context())
	must(t, err)
	if ch := cs.Changes[1]; ch.Op != runbook.OpCreate || ch.Name != n.share || ch.Namespace != oldAcct || ch.Kind != c.change {
		t.Errorf("second change %+v, want the re-encrypted copy in the old account", ch)
	}
	if notes := strings.Join(cs.Notes, "\n"); !strings.Contains(notes, "copies it as "+n.share+" under the share key share") {
		t.Errorf("notes do not name the re-encrypted copy:\n%s", notes)
	}
	must(t, s.Apply(t.Context(), &recorder{}))
	want := []string{c.create + " " + n.snapshot,
		c.copy + " " + n.share + " from " + n.snapshot + " key arn:aws:kms:us-east-1:111111111111:key/k3",
		c.modify + " " + n.share + " 222222222222"}
	if got := w.writes(oldAcct); !slices.Equal(got, want) {
		t.Errorf("old account writes %q, want %q", got, want)
	}
	from := "from arn:aws:rds:us-east-1:111111111111:" + c.arnType + ":" + n.share + " key alias/aws/rds"
	if got := w.writes(newAcct); len(got) != c.newWrites || !strings.Contains(got[0], from) {
		t.Errorf("new account writes %q: want the copy of the shared copy under the new account's aws/rds", got)
	}
	verifyOK(t, s)
}

// changeLines are a change set's changes as "op kind namespace/name".
func changeLines(cs runbook.ChangeSet) []string {
	var out []string
	for _, c := range cs.Changes {
		out = append(out, string(c.Op)+" "+c.Kind+" "+c.Namespace+"/"+c.Name)
	}
	return out
}

// rollbackCase is what a rollback after a complete apply plans (changes,
// and lines among its notes), writes in the new account, and says as
// progress.
type rollbackCase struct {
	plan, notes, writes, progress []string
}

// rollsBack applies s, then checks its rollback plan, that the rollback
// leaves the new account as before the apply and the old one as after it,
// writing only c.writes, and that a second rollback finds all gone.
func rollsBack(t *testing.T, w *fakeWorld, s rdsStep, c rollbackCase) {
	t.Helper()
	newBefore := w.state(newAcct)
	rec := &recorder{}
	must(t, s.Apply(t.Context(), rec))
	oldAfter, nNew := w.state(oldAcct), len(w.writes(newAcct))

	cs, err := s.PlanRollback(t.Context(), rec.saved)
	must(t, err)
	if got := changeLines(cs); !slices.Equal(got, c.plan) {
		t.Errorf("rollback plan %q, want %q", got, c.plan)
	}
	notes := strings.Join(cs.Notes, "\n")
	for _, m := range c.notes {
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
	if got := w.writes(newAcct)[nNew:]; !slices.Equal(got, c.writes) {
		t.Errorf("rollback writes %q, want %q", got, c.writes)
	}
	if got := w.writes(oldAcct); len(got) != 2 {
		t.Errorf("old account writes %q: rollback must add none", got)
	}
	msgs := strings.Join(rb.messages(), "\n")
	for _, m := range c.progress {
		if !strings.Contains(msgs, m) {
			t.Errorf("rollback progress lacks %q:\n%s", m, msgs)
		}
	}

	again := &recorder{}
	must(t, s.Rollback(t.Context(), rec.saved, again))
	if m := strings.Join(again.messages(), "\n"); !strings.Contains(m, "already gone") {
		t.Errorf("second rollback: %s", m)
	}
	cs, err = s.PlanRollback(t.Context(), rec.saved)
	must(t, err)
	for _, c := range cs.Changes {
		if c.Op != runbook.OpNone {
			t.Errorf("rollback plan after rollback: %+v", c)
		}
	}
}

// rollsBackAfterCrash makes s's apply die at the nth call of the new
// account starting with crashAt, while AWS still works, and checks that
// the rollback waits until AWS lets it delete and leaves the new account
// as it was.
func rollsBackAfterCrash(t *testing.T, w *fakeWorld, s rdsStep, crashAt string, n int) {
	t.Helper()
	newBefore := w.state(newAcct)
	w.failNth(newAcct, crashAt, n, errCrash)
	rec := &recorder{}
	if err := s.Apply(t.Context(), rec); !errors.Is(err, errCrash) {
		t.Fatalf("apply: %v, want the crash", err)
	}
	must(t, s.Rollback(t.Context(), rec.saved, &recorder{}))
	if got := w.state(newAcct); got != newBefore {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", got, newBefore)
	}
}

// refusesRecord applies s, then checks that a rollback from the undo
// record r, which s did not write, is refused before anything is deleted.
func refusesRecord(t *testing.T, w *fakeWorld, s rdsStep, r undoRecord) {
	t.Helper()
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
