package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// cutoverStatusMsg brings the board's new status to the screen that
// waits, with the runbook's snapshot read at the same moment (nil without
// a runbook): a marker is journaled right after the weights move.
type cutoverStatusMsg struct {
	screen uint64
	status cutover.Status
	snap   *runbook.Snapshot
}

// cutoverRefreshedMsg says a refresh of the routers and gates ended.
type cutoverRefreshedMsg struct {
	screen uint64
	status cutover.Status
	snap   *runbook.Snapshot
}

// stageAppliedMsg is a stage apply's answer, with the snapshots read
// after it.
type stageAppliedMsg struct {
	screen uint64
	done   chan struct{} // the apply's, to tell it from an earlier one of the same stage
	id     string
	err    error
	status cutover.Status
	snap   runbook.Snapshot
}

// rollbackReadyMsg says the stage apply a rollback stopped has returned
// (or there was none), so the stages to undo can be read.
type rollbackReadyMsg struct {
	screen  uint64
	snap    runbook.Snapshot
	stopped string // who was asked to stop a stage applying elsewhere
	stopErr error
}

// stageRolledBackMsg is one stage rollback's answer.
type stageRolledBackMsg struct {
	screen uint64
	id     string
	err    error
	status cutover.Status
	snap   runbook.Snapshot
}

// waitForCutover is the self-re-arming wait on the board, as
// waitForChange is on the inventory; ctx (the screen's) ends it.
func waitForCutover(ctx context.Context, co Cutover, rb Runbook, screen uint64) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-co.Changed():
			return cutoverStatusMsg{screen: screen, status: co.Status(), snap: snapshotOf(rb)}
		case <-ctx.Done():
			return nil
		}
	}
}

// snapshotOf is rb's snapshot, nil without a runbook.
func snapshotOf(rb Runbook) *runbook.Snapshot {
	if rb == nil {
		return nil
	}
	s := rb.Snapshot()
	return &s
}

// startRefresh reads the routers and asks the gates off the loop.
func (c *cutoverScreen) startRefresh() tea.Cmd {
	c.refresh, c.refreshed = true, c.now()
	ctx, co, rb, screen := c.ctx, c.co, c.rb, c.id
	return func() tea.Msg {
		co.Refresh(ctx)
		return cutoverRefreshedMsg{screen: screen, status: co.Status(), snap: snapshotOf(rb)}
	}
}

// startApply applies one stage under a context of its own, so a rollback
// can stop it (a dwell in flight) without closing the screen.
func (c *cutoverScreen) startApply(id string) tea.Cmd {
	ctx, stop := context.WithCancel(c.ctx)
	done := make(chan struct{})
	c.applying, c.stopApply, c.applyDone = id, stop, done
	co, rb, screen := c.co, c.rb, c.id
	return func() tea.Msg {
		err := rb.Apply(ctx, id)
		close(done)
		stop()
		return stageAppliedMsg{screen: screen, done: done, id: id, err: err, status: co.Status(), snap: rb.Snapshot()}
	}
}

// applied takes a stage's answer: the error, or the next stage started
// by itself when it is auto and nothing paused it.
func (c *cutoverScreen) applied(msg stageAppliedMsg) tea.Cmd {
	if msg.done != c.applyDone {
		return nil // a rollback stopped it, and says what happened
	}
	c.applying, c.stopApply, c.applyDone = "", nil, nil
	if c.rolling {
		return nil // the same, with snapshots newer than these
	}
	c.status, c.snap = msg.status, msg.snap
	rows := c.rows()
	if msg.err != nil {
		return statusErr(c.errorText(actApply, msg.id, msg.err))
	}
	text := fmt.Sprintf("the %s stage completed: weights %s", pctName(rows, msg.id), weightsNow(c.status.Routers))
	switch next := autoNext(rows, msg.id); {
	case next != "" && !c.paused:
		return tea.Batch(status(text+"; "+pctName(rows, next)+" is auto: starting it"), c.startApply(next))
	case next != "":
		return status(text + "; paused, so the auto " + pctName(rows, next) + " stage waits for a")
	}
	if nextStage(rows) < 0 {
		return status(text + "; every stage is done")
	}
	return status(text + "; a applies the next stage")
}

// startRollback returns all traffic to the source: it stops the stage
// this screen is applying, waits for that apply to return, and then rolls
// back, newest first, every stage that moved traffic.
func (c *cutoverScreen) startRollback() tea.Cmd {
	c.rolling, c.queue, c.rolled = true, nil, nil
	elsewhere := c.stopApply == nil && applyingStage(c.rows()) >= 0
	if c.stopApply != nil {
		c.stopApply()
	}
	ctx, done, rb, screen := c.ctx, c.applyDone, c.rb, c.id
	return func() tea.Msg {
		if done != nil {
			select {
			case <-done:
			case <-ctx.Done():
				return nil
			}
		}
		msg := rollbackReadyMsg{screen: screen}
		if elsewhere {
			// A stage applied by the runbook screen or another ferry: ask
			// it to stop; the rollbacks wait for it to let go.
			msg.stopped, msg.stopErr = rb.RequestStop(ctx, "the cockpit's cutover screen")
		}
		msg.snap = rb.Snapshot()
		return msg
	}
}

// rollbackReady reads, now that nothing of this screen applies, which
// stages to undo, and starts with the newest.
func (c *cutoverScreen) rollbackReady(msg rollbackReadyMsg) tea.Cmd {
	// The apply it stopped has returned; its own message may come later
	// and changes nothing then.
	c.applying, c.stopApply, c.applyDone = "", nil, nil
	c.snap = msg.snap
	if msg.stopErr != nil {
		c.rolling = false
		return statusErr("could not ask the stage applying elsewhere to stop: " + msg.stopErr.Error() + "; ferry rollback from a shell asks too")
	}
	c.stopped = msg.stopped
	c.queue = rollbackOrder(c.rows())
	if msg.stopped != "" {
		// The stage asked to stop may still read as applying: its ferry
		// journals the stop a moment later. Its rollback waits for that
		// (the runner waits for the lock and rereads the journal), so it
		// goes first.
		if i := applyingStage(c.rows()); i >= 0 && !slices.Contains(c.queue, c.rows()[i].ID) {
			c.queue = append([]string{c.rows()[i].ID}, c.queue...)
		}
	}
	if len(c.queue) == 0 {
		c.rolling = false
		return status("nothing to roll back: no stage has moved traffic since its last rollback; weights " +
			label(weightsNow(c.status.Routers), "not read yet"))
	}
	return c.rollNext()
}

// rollNext rolls back the first stage in the queue.
func (c *cutoverScreen) rollNext() tea.Cmd {
	id, n := c.queue[0], len(c.rolled)+1
	text := fmt.Sprintf("returning traffic to %s: rolling back the %s stage (%d of %d)…",
		c.guard.src, pctName(c.rows(), id), n, n+len(c.queue)-1)
	if c.stopped != "" && n == 1 {
		text = fmt.Sprintf("asked %s to stop; ", c.stopped) + text
	}
	ctx, co, rb, screen := c.ctx, c.co, c.rb, c.id
	return tea.Batch(status(text), func() tea.Msg {
		err := rb.Rollback(ctx, id)
		return stageRolledBackMsg{screen: screen, id: id, err: err, status: co.Status(), snap: rb.Snapshot()}
	})
}

// rolledBack takes one rollback's answer: the next one, or the outcome.
func (c *cutoverScreen) rolledBack(msg stageRolledBackMsg) tea.Cmd {
	c.status, c.snap = msg.status, msg.snap
	rows := c.rows()
	if msg.err != nil {
		c.rolling, c.queue = false, nil
		return statusErr(c.errorText(actRollback, msg.id, msg.err) + fmt.Sprintf("; weights %s: u tries again, or ferry rollback",
			label(weightsNow(c.status.Routers), "unknown")))
	}
	c.rolled, c.queue = append(c.rolled, msg.id), c.queue[1:]
	if len(c.queue) > 0 {
		return c.rollNext()
	}
	c.rolling = false
	names := make([]string, len(c.rolled))
	for i, id := range c.rolled {
		names[i] = pctName(rows, id)
	}
	text := fmt.Sprintf("rolled back %s: weights %s", strings.Join(names, ", "), label(weightsNow(c.status.Routers), "not read"))
	if allOnSource(c.status.Routers) {
		text += ", all traffic on " + c.guard.src
	}
	return status(text)
}

// busy says why no stage may start now: this screen moves traffic, or a
// stage applies elsewhere (the runbook screen, another ferry).
func (c *cutoverScreen) busy() string {
	rows := c.rows()
	switch {
	case c.rolling:
		return "returning traffic to " + c.guard.src + ": wait for it"
	case c.applying != "":
		return fmt.Sprintf("the %s stage is applying: the next one waits for its dwell (u returns all traffic to %s)",
			pctName(rows, c.applying), c.guard.src)
	}
	if i := applyingStage(rows); i >= 0 {
		return fmt.Sprintf("%s is being changed by the runbook screen or another ferry: wait for it", rows[i].ID)
	}
	return ""
}

// errorText says what went wrong and what to do about it.
func (c *cutoverScreen) errorText(a action, id string, err error) string {
	return actionErrorText(c.now, a, id, err)
}

// actionErrorText says what went wrong with an action on step id and what
// to do about it: who holds the lock, read-only, cancelled, or the error
// (naming the step once).
func actionErrorText(now func() time.Time, a action, id string, err error) string {
	var locked runbook.ErrLocked
	switch {
	case errors.As(err, &locked):
		since := locked.Since.In(now().Location()).Format("15:04:05")
		return clean(fmt.Sprintf("another ferry holds the runbook: %s since %s; %s %s did nothing, try again once it is done",
			locked.Holder, since, a, id))
	case errors.Is(err, runbook.ErrReadOnly):
		return err.Error()
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("%s %s: cancelled", a, id)
	}
	text := err.Error()
	if !strings.Contains(text, id) { // the runner's errors name the step already
		text = fmt.Sprintf("%s %s: %s", a, id, text)
	}
	return clean(text)
}
