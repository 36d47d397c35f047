package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/runbook"
)

const ordersAPIStep = "clone/orders/orders-api"

func TestRunbookOpens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		msgs    []tea.Msg
		wantID  string // the step under the cursor
		wantErr string
	}{
		{name: "r", msgs: keys("r"), wantID: "preflight"},
		{name: ":rb", msgs: cmdLine("rb"), wantID: "preflight"},
		{name: ":runbook", msgs: cmdLine("runbook"), wantID: "preflight"},
		{name: ":rb ledger", msgs: cmdLine("rb ledger"), wantID: "clone/payments/ledger"},
		{name: ":rb exact", msgs: cmdLine("rb " + ordersAPIStep), wantID: ordersAPIStep},
		{name: ":rb ambiguous", msgs: cmdLine("rb orders"), wantID: "preflight", wantErr: "matches 3 steps"},
		{name: ":rb unknown", msgs: cmdLine("rb nope"), wantID: "preflight", wantErr: `no step "nope"`},
		{name: "again from help", msgs: append(keys("r", "j", "?"), cmdLine("rb")...), wantID: "clone/orders/fulfillment-worker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, _ := newTestModel(t, 80, 24, withRunbook(newFakeRunbook()))
			m = step(t, m, tt.msgs...)
			r, ok := m.top().(*runbookScreen)
			if !ok || len(m.stack) != 2 {
				t.Fatalf("top %T of %d screens, want the runbook over the services", m.top(), len(m.stack))
			}
			if r.cursorID != tt.wantID {
				t.Errorf("cursor on %q, want %q", r.cursorID, tt.wantID)
			}
			if tt.wantErr != "" && (!m.status.err || !strings.Contains(m.status.text, tt.wantErr)) {
				t.Errorf("status %+v, want an error with %q", m.status, tt.wantErr)
			}
			m = step(t, m, keys("esc")...)
			if len(m.stack) != 1 {
				t.Errorf("esc left %d screens", len(m.stack))
			}
		})
	}
}

func cmdLine(line string) []tea.Msg {
	return append(keys(":"), append(typed(line), keys("enter")...)...)
}

// TestRunbookActionsNeedTheWord: plan and verify go at once; apply, undo
// and skip only after the confirmation word, and on the selected step.
func TestRunbookActionsNeedTheWord(t *testing.T) {
	t.Parallel()
	enter := func(s string) []tea.Msg { return append(typed(s), keys("enter")...) }
	then := func(msgs ...[]tea.Msg) []tea.Msg { return slices.Concat(msgs...) }
	tests := []struct {
		name      string
		protected bool
		msgs      []tea.Msg
		want      []string
	}{
		{"plan", false, keys("p"), []string{"plan " + ordersAPIStep}},
		{"verify", false, keys("v"), []string{"verify " + ordersAPIStep}},
		{"plan the next", false, keys("j", "p"), []string{"plan clone/payments/checkout-api"}},
		{"apply y", false, then(keys("a"), enter("y")), []string{"apply " + ordersAPIStep}},
		{"undo y", false, then(keys("u"), enter("y")), []string{"undo " + ordersAPIStep}},
		{"skip", false, then(keys("x"), enter("moves in Q3"), enter("y")), []string{"skip " + ordersAPIStep + ": moves in Q3"}},
		{"apply n", false, then(keys("a"), enter("n")), nil},
		{"apply empty", false, then(keys("a"), keys("enter")), nil},
		{"apply yes", false, then(keys("a"), enter("yes")), nil},
		{"apply esc", false, then(keys("a"), typed("y"), keys("esc")), nil},
		{"skip without reason", false, keys("x", "enter"), nil},
		{"skip wrong word", false, then(keys("x"), enter("later"), enter("n")), nil},
		{"protected y", true, then(keys("a"), enter("y")), nil},
		{"protected sandbox", true, then(keys("u"), enter("sandbox")), nil},
		{"protected production", true, then(keys("a"), enter("production")), []string{"apply " + ordersAPIStep}},
		{"protected undo", true, then(keys("u"), enter("production")), []string{"undo " + ordersAPIStep}},
		{"protected skip", true, then(keys("x"), enter("dup"), enter("production")), []string{"skip " + ordersAPIStep + ": dup"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var edits []func(*Config)
			if tt.protected {
				edits = append(edits, protectedProduction)
			}
			m, fb := newRunbookModel(t, 80, 24, ordersAPIStep, edits...)
			m = step(t, m, tt.msgs...)
			if got := fb.Calls(); !slices.Equal(got, tt.want) {
				t.Errorf("calls %q, want %q", got, tt.want)
			}
			if rbScreen(m).Capturing() {
				t.Error("the prompt is still open")
			}
			if tt.want == nil && m.status.text == "" {
				t.Error("nothing said why nothing happened")
			}
		})
	}
}

// TestRunbookConfirmationSaysTheWord: the prompt names the word to type.
func TestRunbookConfirmationSaysTheWord(t *testing.T) {
	t.Parallel()
	m, _ := newRunbookModel(t, 80, 24, ordersAPIStep, protectedProduction)
	m = step(t, m, keys("a")...)
	if out := screenText(m); !strings.Contains(out, `Type "production" to apply it`) {
		t.Errorf("the prompt does not ask for the environment's name:\n%s", out)
	}
	// q and ? are text in the prompt, not quit and help.
	m = step(t, m, keys("q", "?")...)
	if r := rbScreen(m); len(m.stack) != 2 || r.in.Value() != "q?" {
		t.Errorf("q and ? were not typed: %q, %d screens", r.in.Value(), len(m.stack))
	}
	m = step(t, m, keys("esc")...)
	if m.status.text != notConfirmed || len(m.stack) != 2 {
		t.Errorf("esc: status %q, %d screens", m.status.text, len(m.stack))
	}
}

func TestRunbookReadOnly(t *testing.T) {
	t.Parallel()
	m, fb := newRunbookModel(t, 160, 48, ordersAPIStep, func(c *Config) { c.ReadOnly = true })
	for _, k := range []string{"a", "u", "x"} {
		m = step(t, m, keys(k, "y", "enter")...)
		if rbScreen(m).Capturing() || len(fb.Calls()) > 0 {
			t.Fatalf("%s in read-only: prompt %v, calls %q", k, rbScreen(m).Capturing(), fb.Calls())
		}
	}
	footer := lastLine(screenText(m))
	m = step(t, m, keys("?")...)
	help := screenText(m)
	for _, gone := range []string{"a apply", "u undo", "x skip"} {
		if strings.Contains(footer, gone) {
			t.Errorf("the footer lists %q: %s", gone, footer)
		}
		if k, desc, _ := strings.Cut(gone, " "); strings.Contains(help, padRight(k, 11)+" "+desc) {
			t.Errorf("the help lists %q:\n%s", gone, help)
		}
	}
	if !strings.Contains(footer, "p plan") || !strings.Contains(help, padRight("v", 11)+" verify") {
		t.Errorf("plan and verify should stay:\n%s\n%s", footer, help)
	}
	m = step(t, m, keys("?", "p", "v")...)
	if got := fb.Calls(); !slices.Equal(got, []string{"plan " + ordersAPIStep, "verify " + ordersAPIStep}) {
		t.Errorf("read-only p, v: calls %q", got)
	}
}

func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }

// TestRunbookErrorsInTheStatusBar: the lock's holder, read-only mode, a
// failing check.
func TestRunbookErrorsInTheStatusBar(t *testing.T) {
	t.Parallel()
	locked := runbook.ErrLocked{Lease: "kube-system/ferry-runbook-sandbox", Holder: "alice@box pid 1 (ferry)",
		Since: at(2.5), Expires: now.Add(30 * time.Second)}
	tests := []struct {
		name   string
		err    error
		checks []runbook.Check
		msgs   []tea.Msg
		want   string
	}{
		{name: "locked", err: fmt.Errorf("acquire: %w", locked), msgs: keys("a", "y", "enter"),
			want: "another ferry holds the runbook: alice@box pid 1 (ferry) since 09:58:00"},
		{name: "read-only", err: runbook.ErrReadOnly, msgs: keys("u", "y", "enter"), want: "read-only mode"},
		{name: "plan", err: errors.New("dry-run: forbidden"), msgs: keys("p"), want: "plan " + ordersAPIStep + ": dry-run: forbidden"},
		{name: "check failed", checks: []runbook.Check{{Name: "rollout", OK: true}, {Name: "pods", OK: false}},
			msgs: keys("v"), want: "1 of 2 checks failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, fb := newRunbookModel(t, 80, 24, ordersAPIStep)
			fb.answer(tt.err, tt.checks)
			m = step(t, m, tt.msgs...)
			if !m.status.err || !strings.Contains(m.status.text, tt.want) {
				t.Errorf("status %+v, want an error with %q", m.status, tt.want)
			}
			if rbScreen(m).Holding() != "" {
				t.Error("a finished action still holds the screen")
			}
		})
	}
}

func TestRunbookLiveUpdateKeepsTheCursor(t *testing.T) {
	t.Parallel()
	m, fb := newRunbookModel(t, 80, 24, ordersAPIStep)
	r := rbScreen(m)
	fb.set(func(s *runbook.Snapshot) {
		shared := runbook.StepView{ID: "clone/orders/_shared", Kind: "clone-k8s", Namespace: "orders",
			StepState: runbook.StepState{State: runbook.StatePending}}
		s.Steps = slices.Insert(s.Steps, 1, shared)
		setStep(s, ordersAPIStep, func(v *runbook.StepView) { v.State = runbook.StateApplied })
	})
	m = step(t, m, runbookSnapMsg{screen: r.id, snap: fb.Snapshot()})
	if r.cursorID != ordersAPIStep || r.cursor != 4 {
		t.Errorf("cursor on %q at %d, want %s at 4", r.cursorID, r.cursor, ordersAPIStep)
	}
	if !strings.Contains(screenText(m), "● applied     "+ordersAPIStep) {
		t.Errorf("the new state is not shown:\n%s", screenText(m))
	}
	// A snapshot for another screen changes nothing here.
	m = step(t, m, runbookSnapMsg{screen: r.id + 1000, snap: runbook.Snapshot{}})
	// The step gone, the cursor stays at its place.
	fb.set(func(s *runbook.Snapshot) { s.Steps = slices.Delete(s.Steps, 4, 5) })
	step(t, m, runbookSnapMsg{screen: r.id, snap: fb.Snapshot()})
	if r.cursor != 4 || r.cursorID != "clone/payments/checkout-api" {
		t.Errorf("after removal: cursor on %q at %d", r.cursorID, r.cursor)
	}
}

// TestWaitForRunbook: the wait brings the snapshot after a change, and
// ends with nil once its context is cancelled.
func TestWaitForRunbook(t *testing.T) {
	t.Parallel()
	fb := newFakeRunbook()
	ctx, cancel := context.WithCancel(context.Background())
	wait := waitForRunbook(ctx, fb, 7)
	fb.set(func(s *runbook.Snapshot) { s.Busy = "preflight" })
	msg, ok := wait().(runbookSnapMsg)
	if !ok || msg.screen != 7 || msg.snap.Busy != "preflight" {
		t.Fatalf("wait = %+v, want the new snapshot", msg)
	}
	cancel()
	if got := wait(); got != nil {
		t.Errorf("after cancel the wait returned %T", got)
	}
}

// TestRunbookApplyHoldsAndCloseCancels: while an apply runs, other
// mutations are refused and esc does not close the screen; plan still
// runs; closing the cockpit cancels the apply's context.
func TestRunbookApplyHoldsAndCloseCancels(t *testing.T) {
	t.Parallel()
	m, fb := newRunbookModel(t, 80, 24, ordersAPIStep)
	fb.holdApply()
	m = step(t, m, keys("a", "y", "enter")...)
	waitChan(t, fb.started, "Apply to start")
	want := "applying " + ordersAPIStep + ": wait for it"
	for _, k := range []string{"u", "x", "a"} {
		m = step(t, m, keys(k)...)
		if !strings.Contains(m.status.text, want) || rbScreen(m).Capturing() {
			t.Errorf("%s while applying: status %q, prompt %v", k, m.status.text, rbScreen(m).Capturing())
		}
	}
	m = step(t, m, keys("esc")...)
	if _, ok := m.top().(*runbookScreen); !ok || !strings.Contains(m.status.text, "wait for it") {
		t.Errorf("esc while applying: top %T, status %q", m.top(), m.status.text)
	}
	if !strings.Contains(screenText(m), "applying "+ordersAPIStep+"…") {
		t.Errorf("the title does not say what runs:\n%s", screenText(m))
	}
	m = step(t, m, keys("j", "p")...)
	if got := fb.Calls(); !slices.Equal(got, []string{"apply " + ordersAPIStep, "plan clone/payments/checkout-api"}) {
		t.Errorf("calls %q", got)
	}
	m.close()
	select {
	case err := <-fb.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("apply ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the cockpit did not cancel the apply")
	}
}

// TestRunbookRefusesWhileAnotherApplies: a step applying by the snapshot
// (this runner's Busy) refuses new mutations before asking anything.
func TestRunbookRefusesWhileAnotherApplies(t *testing.T) {
	t.Parallel()
	m, fb := newRunbookModel(t, 80, 24, ordersAPIStep)
	fb.set(applyingInvoices)
	m = step(t, m, runbookSnapMsg{screen: rbScreen(m).id, snap: fb.Snapshot()})
	m = step(t, m, keys("a")...)
	if rbScreen(m).Capturing() || !strings.Contains(m.status.text, "applying clone/orders/invoice-renderer: wait for it") {
		t.Errorf("status %q, prompt %v", m.status.text, rbScreen(m).Capturing())
	}
}

func TestRunbookUnavailable(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, func(c *Config) { c.RunbookErr = "no plan file" })
	m = step(t, m, keys("r", "p", "a", "y", "enter", "j")...)
	if out := screenText(m); !strings.Contains(out, "The runbook is unavailable: no plan file") {
		t.Errorf("no reason on screen:\n%s", out)
	}
}

func waitChan(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// TestRunbookUndoNamesWhatGoes: the undo confirmation lists what the
// rollback deletes or restores, as the step says, before the word is typed.
func TestRunbookUndoNamesWhatGoes(t *testing.T) {
	t.Parallel()
	m, fb := newRunbookModel(t, 100, 30, ordersAPIStep)
	m = step(t, m, keys("u")...)
	out := screenText(m)
	for _, want := range []string{"delete Deployment " + ordersAPIStep, "objects that existed before are restored", `Type "y" to undo it`} {
		if !strings.Contains(out, want) {
			t.Errorf("the undo confirmation lacks %q:\n%s", want, out)
		}
	}
	if calls := fb.Calls(); len(calls) != 0 {
		t.Errorf("asking changed something: %q", calls)
	}
}
