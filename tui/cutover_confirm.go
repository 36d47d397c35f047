package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// cutoverQuestion is a traffic move waiting for the operator's word: the
// next stage, or every stage rolled back.
type cutoverQuestion struct {
	act   action // actApply or actRollback
	stage stageRow
	undo  []string // what a rollback undoes as the question was asked
	word  string
}

// noRunbook says why nothing can move without the runbook.
func (c *cutoverScreen) noRunbook() string {
	return "the runbook is unavailable (" + label(clean(c.rbWhy), "ferry was started without one") +
		"): the stages are its steps, so none can move from here"
}

// askApply asks to apply the next stage, as the runbook asks to apply a
// step: "y", or the environment's name when it is protected.
func (c *cutoverScreen) askApply() tea.Cmd {
	if c.rb == nil {
		return statusErr(c.noRunbook())
	}
	if why := c.busy(); why != "" {
		return statusErr(why)
	}
	rows := c.rows()
	i := nextStage(rows)
	if i < 0 {
		return status(fmt.Sprintf("every stage is done: %s takes the traffic; u returns it to %s", c.guard.dst, c.guard.src))
	}
	c.open(&cutoverQuestion{act: actApply, stage: rows[i], word: c.guard.word(writesTarget)})
	return nil
}

// askRollback asks to return all traffic to the source. It is offered
// whatever runs: a stage in flight is stopped first.
func (c *cutoverScreen) askRollback() tea.Cmd {
	if c.rb == nil {
		return statusErr(c.noRunbook())
	}
	if c.rolling {
		return statusErr("returning traffic to " + c.guard.src + " already: wait for it")
	}
	rows := c.rows()
	undo := rollbackOrder(rows)
	if len(undo) == 0 && c.applying == "" && applyingStage(rows) < 0 {
		return status("nothing to roll back: no stage has moved traffic since its last rollback; weights " +
			label(weightsNow(c.status.Routers), "not read yet"))
	}
	c.open(&cutoverQuestion{act: actRollback, undo: undo, word: c.guard.word(writesTarget)})
	return nil
}

func (c *cutoverScreen) open(q *cutoverQuestion) {
	c.ask = q
	c.in.Reset()
	c.in.Focus()
}

// answerKey edits the answer; enter takes it, esc cancels.
func (c *cutoverScreen) answerKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, c.keys.Cancel):
		c.ask = nil
		c.in.Reset()
		return status(notConfirmed)
	case key.Matches(msg, c.keys.Confirm):
		return c.answer(trimmed(&c.in))
	default:
		c.in.Update(msg)
	}
	return nil
}

// answer starts the move on the right word; anything else cancels it.
func (c *cutoverScreen) answer(text string) tea.Cmd {
	q := c.ask
	c.ask = nil
	c.in.Reset()
	if text != q.word {
		return statusErr(notConfirmed)
	}
	if q.act == actRollback {
		return c.startRollback()
	}
	if why := c.busy(); why != "" {
		return statusErr(why)
	}
	return tea.Batch(status(fmt.Sprintf("applying the %d%% stage…", q.stage.Percent)), c.startApply(q.stage.ID))
}

// askLines draw the question and the prompt in place of the history.
func (c *cutoverScreen) askLines(h int) []string {
	q := c.ask
	title, verb := "apply "+q.stage.ID, "apply it"
	if q.act == actRollback {
		title, verb = "return all traffic to "+c.guard.src, "roll back"
	}
	lines := []string{ruleLine(c.st, c.width, title, true)}
	for _, l := range strings.Split(ansi.Wrap(c.consequence(q), max(20, c.width), ""), "\n") {
		lines = append(lines, c.st.warn.Render(l))
	}
	lines = append(lines, c.st.bold.Render(fmt.Sprintf("Type %q to %s; anything else cancels.", q.word, verb)),
		c.in.View(c.width))
	// The prompt must show however little room there is: the
	// consequence gives way first.
	if len(lines) > h && h >= 3 {
		lines = append(lines[:h-2], lines[len(lines)-2:]...)
	}
	return fit(strings.Join(lines, "\n"), c.width, h)
}

// consequence says what moves, where it writes and in which environment.
func (c *cutoverScreen) consequence(q *cutoverQuestion) string {
	svc := c.service()
	var what string
	switch {
	case q.act == actApply:
		what = fmt.Sprintf("This sends %d%% of %s's traffic to %s: every router goes to %s, then holds %s with the gates watched",
			q.stage.Percent, svc, c.guard.dst, q.stage.want(), shortDur(q.stage.Dwell))
		rows := c.rows()
		if i := slices.IndexFunc(rows, func(s stageRow) bool { return s.ID == q.stage.ID }); i >= 0 && i+1 < len(rows) && rows[i+1].Auto {
			what += fmt.Sprintf("; the %d%% stage is auto and follows by itself unless p pauses it", rows[i+1].Percent)
		}
	default:
		rows := c.rows()
		inflight := c.applying
		if i := applyingStage(rows); inflight == "" && i >= 0 {
			inflight = rows[i].ID
		}
		var names []string
		if inflight != "" && !slices.Contains(q.undo, inflight) {
			names = append(names, pctName(rows, inflight))
		}
		for _, id := range q.undo {
			names = append(names, pctName(rows, id))
		}
		what = fmt.Sprintf("This returns all of %s's traffic to %s: it ", svc, c.guard.src)
		if c.applying != "" {
			what += fmt.Sprintf("stops the %s stage in flight, then ", pctName(rows, c.applying))
		} else if inflight != "" {
			what += fmt.Sprintf("asks whoever applies the %s stage (the runbook screen or another ferry) to stop, then ", pctName(rows, inflight))
		}
		what += fmt.Sprintf("rolls back %s, newest first, putting each router back as it was", strings.Join(names, ", "))
	}
	if env := c.guard.environment; env != "" {
		what += "; environment " + env
		if c.guard.protected {
			what += " (protected)"
		}
	}
	return what + "."
}
