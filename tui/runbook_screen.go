package tui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// runbookScreen walks the runbook: the steps with their states, the
// selected step's change set, checks and last error, and the journal's
// tail. It owns a context: the live wait and every action it starts run
// under it, and Close cancels it. The cursor follows a step's ID, so a
// live update never moves the operator's place.
type runbookScreen struct {
	id    uint64
	keys  *keyMap
	st    *styles
	rb    Runbook
	why   string // why rb is nil
	guard guard
	now   func() time.Time

	ctx    context.Context
	cancel context.CancelFunc

	snap     runbook.Snapshot
	cursor   int
	offset   int
	cursorID string
	focus    bool   // the detail has the movement keys
	shown    string // the step the detail shows, to scroll a new one to its top

	ask  *question // a reason or confirmation being typed
	in   prompt
	jobs []job // actions this screen started and has no answer to yet

	vp            viewport.Model
	width, height int
}

var runbookScreenIDs atomic.Uint64

// openRunbook shows the runbook screen: the open one if there is one (the
// screens above it closed), else a new one; on step when one is named.
func (m Model) openRunbook(step string) (tea.Model, tea.Cmd) {
	for i, s := range m.stack {
		if r, ok := s.(*runbookScreen); ok {
			m.popTo(i + 1)
			return m, r.selectStep(step)
		}
	}
	r, start := newRunbookScreen(&m)
	m = m.push(r)
	return m, tea.Batch(start, r.selectStep(step))
}

// newRunbookScreen reads the runbook's snapshot (a copy under a lock, no
// IO) and returns the live wait on it.
func newRunbookScreen(m *Model) (*runbookScreen, tea.Cmd) {
	r := &runbookScreen{id: runbookScreenIDs.Add(1), keys: m.keys, st: m.st, rb: m.cfg.Runbook,
		why: m.cfg.RunbookErr, now: m.clock, guard: newGuard(m.cfg, m.src, m.dst),
		in: newPrompt("> ", m.st, m.keys), vp: viewport.New()}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if r.rb == nil {
		return r, nil
	}
	r.setSnapshot(r.rb.Snapshot())
	return r, waitForRunbook(r.ctx, r.rb, r.id)
}

func (r *runbookScreen) Title() string   { return "runbook" }
func (r *runbookScreen) Capturing() bool { return r.ask != nil }

// Close cancels the live wait and every action still running.
func (r *runbookScreen) Close() { r.cancel() }

// Holding keeps the screen open while a mutation it started runs: closing
// would cancel it half done.
func (r *runbookScreen) Holding() string {
	for _, j := range r.jobs {
		if j.act.mutates() {
			return fmt.Sprintf("%s %s: wait for it (q quits and interrupts it)", j.act.ing(), j.id)
		}
	}
	return ""
}

func (r *runbookScreen) SetSize(width, height int) {
	r.width, r.height = width, height
	r.relayout()
}

// ShortHelp is the footer: the answer keys while a prompt is open, else
// the actions (the disabled ones vanish on their own).
func (r *runbookScreen) ShortHelp() []key.Binding {
	k := r.keys
	switch {
	case r.ask != nil:
		return []key.Binding{k.Confirm, k.Cancel}
	case r.rb == nil:
		return nil
	}
	return []key.Binding{k.Plan, k.Apply, k.Verify, k.Rollback, k.Skip}
}

// FullHelp is the runbook's keys.
func (r *runbookScreen) FullHelp() [][]key.Binding {
	k := r.keys
	return [][]key.Binding{{k.Plan, k.Apply, k.Verify, k.Rollback, k.Skip, k.Focus},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

func (r *runbookScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runbookSnapMsg:
		if msg.screen != r.id {
			return nil
		}
		r.setSnapshot(msg.snap)
		return waitForRunbook(r.ctx, r.rb, r.id)
	case actionDoneMsg:
		if msg.screen != r.id {
			return nil
		}
		return r.done(msg)
	case rollbackPreviewMsg:
		if msg.screen == r.id && r.ask != nil && r.ask.id == msg.id && r.ask.act == actRollback {
			r.ask.preview = msg.lines
		}
		return nil
	case tea.PasteMsg:
		if r.ask != nil {
			r.in.Update(msg)
		}
	case tea.KeyPressMsg:
		if r.ask != nil {
			return r.answerKey(msg)
		}
		return r.handleKey(msg)
	}
	return nil
}

func (r *runbookScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := r.keys
	switch {
	case r.rb == nil:
	case key.Matches(msg, k.Focus):
		r.focus = !r.focus
	case r.navigate(msg):
	case key.Matches(msg, k.Plan):
		return r.read(actPlan)
	case key.Matches(msg, k.Verify):
		return r.read(actVerify)
	case key.Matches(msg, k.Apply):
		return r.askFor(actApply)
	case key.Matches(msg, k.Rollback):
		return r.askFor(actRollback)
	case key.Matches(msg, k.Skip):
		return r.askFor(actSkip)
	}
	return nil
}

// navigate moves the list's cursor, or with the detail focused scrolls
// it; false when msg is no movement key.
func (r *runbookScreen) navigate(msg tea.KeyPressMsg) bool {
	k := r.keys
	moves := []struct {
		b      key.Binding
		n      int
		scroll func()
	}{
		{k.Down, 1, func() { r.vp.ScrollDown(1) }},
		{k.Up, -1, func() { r.vp.ScrollUp(1) }},
		{k.PageDown, r.listHeight(), r.vp.PageDown},
		{k.PageUp, -r.listHeight(), r.vp.PageUp},
		{k.Top, -len(r.snap.Steps), func() { r.vp.GotoTop() }},
		{k.Bottom, len(r.snap.Steps), func() { r.vp.GotoBottom() }},
	}
	for _, mv := range moves {
		if key.Matches(msg, mv.b) {
			if r.focus {
				mv.scroll()
			} else {
				r.move(mv.n)
			}
			return true
		}
	}
	return false
}

// setSnapshot takes a new snapshot and puts the cursor back on its step;
// when that step is gone it stays at the same position.
func (r *runbookScreen) setSnapshot(snap runbook.Snapshot) {
	r.snap = snap
	if i := r.indexOf(r.cursorID); i >= 0 {
		r.cursor = i
	}
	r.cursor = max(0, min(r.cursor, len(snap.Steps)-1))
	r.cursorID = ""
	if len(snap.Steps) > 0 {
		r.cursorID = snap.Steps[r.cursor].ID
	}
	r.relayout()
}

func (r *runbookScreen) indexOf(id string) int {
	for i, v := range r.snap.Steps {
		if id != "" && v.ID == id {
			return i
		}
	}
	return -1
}

func (r *runbookScreen) move(n int) {
	if len(r.snap.Steps) == 0 {
		return
	}
	r.cursor = max(0, min(r.cursor+n, len(r.snap.Steps)-1))
	r.cursorID = r.snap.Steps[r.cursor].ID
	r.relayout()
}

// selectStep puts the cursor on the step named exactly, or else on the
// only one whose ID contains name (":rb ledger").
func (r *runbookScreen) selectStep(name string) tea.Cmd {
	if name == "" || r.rb == nil {
		return nil
	}
	match := r.indexOf(name)
	if match < 0 {
		var found []int
		for i, v := range r.snap.Steps {
			if strings.Contains(v.ID, name) {
				found = append(found, i)
			}
		}
		switch len(found) {
		case 0:
			return statusErr(fmt.Sprintf("no step %q in the runbook", name))
		case 1:
			match = found[0]
		default:
			return statusErr(fmt.Sprintf("%q matches %d steps: name one by its ID", name, len(found)))
		}
	}
	r.cursor, r.cursorID = match, r.snap.Steps[match].ID
	r.relayout()
	return nil
}

// selected is the step under the cursor.
func (r *runbookScreen) selected() (runbook.StepView, bool) {
	if r.cursor < 0 || r.cursor >= len(r.snap.Steps) {
		return runbook.StepView{}, false
	}
	return r.snap.Steps[r.cursor], true
}
