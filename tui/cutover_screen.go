package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// cutoverRefreshEvery is how often the screen re-reads the routers and
// asks the gates while no stage applies (a stage reports them itself).
const cutoverRefreshEvery = 15 * time.Second

// cutoverScreen drives the plan's cutover: a bar per router with the
// weights it holds, the stages with their runbook states and the dwell in
// progress, the gates' latest results, and the history of weight changes.
// The stages are runbook steps: it applies and rolls them back through the
// Runbook, with the runbook screen's confirmation. It owns a context: the
// board's wait and every action it starts run under it, and Close cancels
// it.
//
// It never waits on the runbook's Changed: that channel has one reader,
// the runbook screen's wait. It reads the runbook's snapshot (a copy under
// a lock) when the board changes, on the clock's tick, from the runbook
// screen's messages, and after its own actions.
type cutoverScreen struct {
	id    uint64
	keys  *keyMap
	st    *styles
	co    Cutover
	rb    Runbook
	rbWhy string // why rb is nil
	guard guard
	now   func() time.Time

	ctx    context.Context
	cancel context.CancelFunc

	stages []CutoverStage
	status cutover.Status
	snap   runbook.Snapshot
	inv    inventory.Snapshot // to find the service's logs

	paused    bool               // no stage starts by itself
	applying  string             // the stage this screen applies, "" when none
	stopApply context.CancelFunc // cancels that apply
	applyDone chan struct{}      // closed when that apply returned
	rolling   bool               // returning all traffic to the source
	queue     []string           // stages that rollback still undoes, newest first
	rolled    []string           // stages it undid
	stopped   string             // who the rollback asked to stop, "" for nobody
	refreshed time.Time          // when the last refresh started
	refresh   bool               // a refresh is running

	ask *cutoverQuestion
	in  prompt

	width, height int
}

// openCutoverMsg asks the root to show the cutover screen.
type openCutoverMsg struct{}

var cutoverScreenIDs atomic.Uint64

// openCutover shows the cutover screen: the open one if there is one (the
// screens above it closed), else a new one.
func (m Model) openCutover() (tea.Model, tea.Cmd) {
	for i, s := range m.stack {
		if _, ok := s.(*cutoverScreen); ok {
			m.popTo(i + 1)
			return m, nil
		}
	}
	c, start := newCutoverScreen(&m)
	return m.push(c), start
}

// newCutoverScreen reads the board's and the runbook's snapshots (copies
// under locks, no IO) and returns the board's wait and a first refresh.
func newCutoverScreen(m *Model) (*cutoverScreen, tea.Cmd) {
	c := &cutoverScreen{id: cutoverScreenIDs.Add(1), keys: m.keys, st: m.st, co: m.cfg.Cutover,
		rb: m.cfg.Runbook, rbWhy: m.cfg.RunbookErr, guard: newGuard(m.cfg, m.src, m.dst),
		now: m.clock, inv: m.snap, in: newPrompt("> ", m.st, m.keys)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if c.co == nil {
		return c, nil
	}
	c.stages = c.co.Stages()
	c.status = c.co.Status()
	if c.rb != nil {
		c.snap = c.rb.Snapshot()
	}
	return c, tea.Batch(waitForCutover(c.ctx, c.co, c.rb, c.id), c.startRefresh())
}

func (c *cutoverScreen) Title() string             { return "cutover" }
func (c *cutoverScreen) Capturing() bool           { return c.ask != nil }
func (c *cutoverScreen) SetSize(width, height int) { c.width, c.height = width, height }

// Close cancels the board's wait and every action still running: a stage
// stopped mid-dwell leaves traffic where it is, as its error says.
func (c *cutoverScreen) Close() { c.cancel() }

// Holding keeps the screen open while it moves traffic: closing would
// cancel the stage or the rollback half done.
func (c *cutoverScreen) Holding() string {
	switch {
	case c.rolling:
		return "returning traffic to " + c.guard.src + ": wait for it (q quits and interrupts it)"
	case c.applying != "":
		return fmt.Sprintf("the %s stage is applying: wait for it, or u returns all traffic to %s (q quits and leaves traffic where it is)",
			pctName(c.rows(), c.applying), c.guard.src)
	}
	return ""
}

// ShortHelp is the footer: the answer keys while a prompt is open, else
// the actions (the disabled ones vanish on their own).
func (c *cutoverScreen) ShortHelp() []key.Binding {
	k := c.keys
	switch {
	case c.ask != nil:
		return []key.Binding{k.Confirm, k.Cancel}
	case c.co == nil:
		return nil
	}
	return []key.Binding{k.Advance, k.Pause, k.RollbackAll, k.Logs}
}

// FullHelp is the cutover's keys.
func (c *cutoverScreen) FullHelp() [][]key.Binding {
	k := c.keys
	return [][]key.Binding{{k.Advance, k.Pause, k.RollbackAll, k.Logs}}
}

func (c *cutoverScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case cutoverStatusMsg:
		if msg.screen != c.id {
			return nil
		}
		c.take(msg.status, msg.snap)
		return waitForCutover(c.ctx, c.co, c.rb, c.id)
	case cutoverRefreshedMsg:
		if msg.screen == c.id {
			c.refresh = false
			c.take(msg.status, msg.snap)
		}
	case stageAppliedMsg:
		if msg.screen == c.id {
			return c.applied(msg)
		}
	case rollbackReadyMsg:
		if msg.screen == c.id {
			return c.rollbackReady(msg)
		}
	case stageRolledBackMsg:
		if msg.screen == c.id {
			return c.rolledBack(msg)
		}
	case runbookSnapMsg:
		c.snap = msg.snap // the runbook screen's wait brings news for both
	case snapshotMsg:
		c.inv = msg.snap
	case tickMsg:
		return c.poll()
	case tea.PasteMsg:
		if c.ask != nil {
			c.in.Update(msg)
		}
	case tea.KeyPressMsg:
		if c.ask != nil {
			return c.answerKey(msg)
		}
		return c.handleKey(msg)
	}
	return nil
}

// take keeps a status and, when there is a runbook, its snapshot.
func (c *cutoverScreen) take(st cutover.Status, snap *runbook.Snapshot) {
	c.status = st
	if snap != nil {
		c.snap = *snap
	}
}

// poll reads both snapshots on the clock's tick, for the countdown and for
// what other ferries journal, and refreshes the gates when due.
func (c *cutoverScreen) poll() tea.Cmd {
	if c.co == nil {
		return nil
	}
	c.status = c.co.Status()
	if c.rb != nil {
		c.snap = c.rb.Snapshot()
	}
	if c.refresh || c.applying != "" || c.rolling || c.status.Stage != "" ||
		c.now().Sub(c.refreshed) < cutoverRefreshEvery {
		return nil
	}
	return c.startRefresh()
}

func (c *cutoverScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := c.keys
	switch {
	case c.co == nil:
	case key.Matches(msg, k.Logs):
		return c.openLogs()
	case key.Matches(msg, k.Advance):
		return c.askApply()
	case key.Matches(msg, k.Pause):
		return c.togglePause()
	case key.Matches(msg, k.RollbackAll):
		return c.askRollback()
	}
	return nil
}

// rows are the stages with their runbook states.
func (c *cutoverScreen) rows() []stageRow { return stageRows(c.stages, c.snap) }

// service is the namespace/name whose traffic moves, from the runbook's
// steps; the stage ID's service when the runbook does not list them.
func (c *cutoverScreen) service() string {
	for _, s := range c.rows() {
		if s.known && s.view.Service != "" {
			return s.view.Namespace + "/" + s.view.Service
		}
	}
	if len(c.stages) > 0 { // cutover.StepID is "cutover/SERVICE/PERCENT"
		s := c.stages[0]
		return strings.TrimSuffix(strings.TrimPrefix(s.ID, "cutover/"), "/"+strconv.Itoa(s.Percent))
	}
	return ""
}

// openLogs opens the service's logs, where the stages' markers show
// among the lines.
func (c *cutoverScreen) openLogs() tea.Cmd {
	if c.service() == "" {
		return statusErr("the cutover has no stages, so no service: check the plan's cutover section")
	}
	p, err := findPair(c.inv, c.service())
	if err != nil {
		return statusErr(err.Error())
	}
	return send(openLogsMsg{pair: p})
}

// togglePause stops or resumes auto-advancing. A dwell in flight goes
// on either way: pausing decides only whether the next auto stage starts
// by itself when it ends.
func (c *cutoverScreen) togglePause() tea.Cmd {
	c.paused = !c.paused
	rows := c.rows()
	switch {
	case !anyAuto(rows) && c.paused:
		return status("paused, though no stage is auto: each one waits for a anyway")
	case !c.paused:
		return status("auto-advance on: an auto stage starts by itself once the stage before it completes")
	case c.applying != "":
		return status(fmt.Sprintf("paused: the %s dwell goes on; no auto stage starts after it (p resumes)",
			pctName(rows, c.applying)))
	}
	return status("paused: no stage starts by itself; a applies the next one, p resumes")
}
