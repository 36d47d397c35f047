package tui

import (
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/runbook"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// notConfirmed is the answer to anything but the confirmation word.
const notConfirmed = "not confirmed: nothing was changed"

// writeSide is the side of the migration an action writes to.
type writeSide int

const (
	writesTarget writeSide = iota
	writesSource
)

// sideOf says where action a on a step of kind writes. Every kind so far
// (preflight, clone-k8s) writes to the target only. A kind that changes
// the source (a cutover scaling the KOPS workload down, say) answers
// writesSource here, and its confirmations ask for the source's label.
func sideOf(kind string, a action) writeSide {
	return writesTarget
}

// guard is what the confirmations are made of: the plan's environment and
// the sides' names.
type guard struct {
	environment string
	protected   bool
	src, dst    string // the sides' labels
	dstAccount  string
}

func newGuard(cfg Config, src, dst string) guard {
	return guard{environment: cfg.Environment, protected: cfg.Protected, src: src, dst: dst,
		dstAccount: cfg.Target.Account}
}

// word is what the operator types to let a write to side go ahead: the
// source's label for the source (the account the services run in today),
// the environment's name on a protected target, else "y".
func (g guard) word(side writeSide) string {
	switch {
	case side == writesSource:
		return label(g.src, "source")
	case g.protected:
		return label(g.environment, g.dst, "yes")
	}
	return "y"
}

// question is a mutation waiting for the operator: the reason of a skip,
// then the confirmation word.
type question struct {
	act        action
	id, kind   string
	needReason bool // still asking why (skip)
	reason     string
	word       string
	// preview is what a rollback will delete or restore, once the runbook
	// has said (PlanRollback runs off the loop); nil until then.
	preview []string
}

// rollbackPreviewMsg brings a rollback's plan to the screen that asked.
type rollbackPreviewMsg struct {
	screen uint64
	id     string
	lines  []string
}

// previewRollback asks the runbook, off the loop, what rolling id back does.
func (r *runbookScreen) previewRollback(id string) tea.Cmd {
	rb, ctx, screen := r.rb, r.ctx, r.id
	return func() tea.Msg {
		cs, err := rb.PlanRollback(ctx, id)
		if err != nil {
			return rollbackPreviewMsg{screen: screen, id: id, lines: []string{clean(err.Error())}}
		}
		return rollbackPreviewMsg{screen: screen, id: id, lines: rollbackLines(cs)}
	}
}

// rollbackLines are a rollback plan as lines: each change, then the notes.
func rollbackLines(cs runbook.ChangeSet) []string {
	var lines []string
	for _, c := range cs.Changes {
		name := c.Name
		if c.Namespace != "" {
			name = c.Namespace + "/" + c.Name
		}
		line := fmt.Sprintf("%s %s %s", c.Op, c.Kind, name)
		if c.Op == runbook.OpUpdate && !strings.Contains(c.Before, "\n") && !strings.Contains(c.After, "\n") {
			line += fmt.Sprintf(": %s -> %s", c.Before, c.After)
		}
		lines = append(lines, clean(line))
	}
	for _, n := range cs.Notes {
		lines = append(lines, clean(n))
	}
	return lines
}

// askFor opens the prompt for a mutation of the selected step.
func (r *runbookScreen) askFor(a action) tea.Cmd {
	v, ok := r.selected()
	if !ok {
		return nil
	}
	if why := r.busy(); why != "" {
		return statusErr(why)
	}
	r.ask = &question{act: a, id: v.ID, kind: v.Kind, needReason: a == actSkip,
		word: r.guard.word(sideOf(v.Kind, a))}
	r.in.Reset()
	r.in.Focus()
	if a == actRollback {
		return r.previewRollback(v.ID)
	}
	return nil
}

// answerKey edits the answer; enter takes it, esc cancels.
func (r *runbookScreen) answerKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, r.keys.Cancel):
		r.ask = nil
		r.in.Reset()
		return status(notConfirmed)
	case key.Matches(msg, r.keys.Confirm):
		return r.answer(trimmed(&r.in))
	default:
		r.in.Update(msg)
	}
	return nil
}

// answer takes a skip's reason, or the confirmation word: the right one
// starts the action, anything else cancels it.
func (r *runbookScreen) answer(text string) tea.Cmd {
	q := r.ask
	r.in.Reset()
	if q.needReason {
		if text == "" {
			r.ask = nil
			return statusErr("a skip needs a reason for the journal: " + notConfirmed)
		}
		q.reason, q.needReason = text, false
		r.in.Focus()
		return nil
	}
	r.ask = nil
	if text != q.word {
		return statusErr(notConfirmed)
	}
	if why := r.busy(); why != "" {
		return statusErr(why)
	}
	return r.start(q.act, q.id, q.reason)
}

// askLines draw the question and the prompt in place of the journal.
func (r *runbookScreen) askLines(h int) []string {
	q := r.ask
	lines := []string{r.rule(fmt.Sprintf("%s %s", q.act, q.id), true)}
	if q.needReason {
		lines = append(lines, r.st.warn.Render("Why skip it? The reason goes into the journal; esc cancels."))
	} else {
		lines = append(lines, r.st.warn.Render(r.consequence(q)))
		for _, l := range q.preview {
			lines = append(lines, "  "+l)
		}
		lines = append(lines, r.st.bold.Render(fmt.Sprintf("Type %q to %s it; anything else cancels.", q.word, q.act)))
	}
	lines = append(lines, r.in.View(r.width))
	return fit(strings.Join(lines, "\n"), r.width, h)
}

// consequence says where the action writes.
func (r *runbookScreen) consequence(q *question) string {
	if q.act == actSkip {
		return "Skipping changes no cluster: the journal records it, and the steps after it may apply."
	}
	where := r.guard.dst
	if r.guard.dstAccount != "" {
		where += " (account " + r.guard.dstAccount + ")"
	}
	if sideOf(q.kind, q.act) == writesSource {
		where = "the SOURCE, " + r.guard.src
	}
	if r.guard.environment != "" {
		where += ", environment " + r.guard.environment
		if r.guard.protected {
			where += " (protected)"
		}
	}
	return "This writes to " + where + "."
}
