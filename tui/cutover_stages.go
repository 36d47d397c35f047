package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// stageRow is one cutover stage joined with what the runbook's journal
// says of its step. The decisions below (what is next, what starts by
// itself, what a full rollback undoes) are pure functions of these rows,
// so they are table-tested without a screen.
type stageRow struct {
	CutoverStage
	view  runbook.StepView
	known bool // the runbook lists the step
}

// stageRows joins the stages with their steps in snap.
func stageRows(stages []CutoverStage, snap runbook.Snapshot) []stageRow {
	rows := make([]stageRow, len(stages))
	for i, s := range stages {
		rows[i].CutoverStage = s
		for _, v := range snap.Steps {
			if v.ID == s.ID {
				rows[i].view, rows[i].known = v, true
				break
			}
		}
	}
	return rows
}

// state is the step's state; a step the runbook does not list is unknown.
func (s stageRow) state() runbook.State {
	if !s.known {
		return "unknown"
	}
	return s.view.State
}

// done reports whether the stage holds: it completed (and was maybe
// verified), or was skipped, so the next one may start.
func (s stageRow) done() bool {
	switch s.state() {
	case runbook.StateApplied, runbook.StateVerified, runbook.StateSkipped:
		return true
	}
	return false
}

// want is the weights the stage sets.
func (s stageRow) want() cutover.Weights { return cutover.ToTarget(s.Percent) }

// nextStage is the first stage not done, -1 when every stage is.
func nextStage(rows []stageRow) int {
	return slices.IndexFunc(rows, func(s stageRow) bool { return !s.done() })
}

// applyingStage is the stage being applied or rolled back, by this ferry
// or another, -1 when none is.
func applyingStage(rows []stageRow) int {
	return slices.IndexFunc(rows, func(s stageRow) bool { return s.state() == runbook.StateApplying })
}

// focusStage is the stage the screen highlights: the one applying, else
// the next one, else none (-1).
func focusStage(rows []stageRow) int {
	if i := applyingStage(rows); i >= 0 {
		return i
	}
	return nextStage(rows)
}

// autoNext is the stage that starts by itself now that id completed,
// unless paused: the one right after it, when it is auto and not done; ""
// otherwise. Only a stage this screen applied leads here, so a cutover
// found half way after a restart never moves by itself.
func autoNext(rows []stageRow, id string) string {
	i := slices.IndexFunc(rows, func(s stageRow) bool { return s.ID == id })
	if i < 0 || i+1 >= len(rows) || !rows[i].done() {
		return ""
	}
	if next := rows[i+1]; next.Auto && !next.done() && next.state() != runbook.StateApplying {
		return next.ID
	}
	return ""
}

// rollbackOrder is what returning all traffic to the source undoes:
// every stage with undo saved since its last rollback (applied, verified,
// failed or interrupted after it moved traffic), newest first, so each
// rollback restores the routers to what the stage before it left. A stage
// applying now is left out: the caller stops it first and asks again.
func rollbackOrder(rows []stageRow) []string {
	var ids []string
	for i := len(rows) - 1; i >= 0; i-- {
		if s := rows[i]; len(s.view.Undo) > 0 && s.state() != runbook.StateApplying {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// anyAuto reports whether some stage starts by itself.
func anyAuto(rows []stageRow) bool {
	return slices.ContainsFunc(rows, func(s stageRow) bool { return s.Auto })
}

// stageByID finds a stage's row.
func stageByID(rows []stageRow, id string) (stageRow, bool) {
	i := slices.IndexFunc(rows, func(s stageRow) bool { return s.ID == id })
	if i < 0 {
		return stageRow{}, false
	}
	return rows[i], true
}

// pctName is a stage's short name, "10%", or its ID when unknown.
func pctName(rows []stageRow, id string) string {
	if s, ok := stageByID(rows, id); ok {
		return fmt.Sprintf("%d%%", s.Percent)
	}
	return id
}

// weightsNow says what the routers hold: "90/10" when they agree, else
// each router's; a router that could not be read says so. "" before the
// first read.
func weightsNow(rs []cutover.RouterStatus) string {
	if len(rs) == 0 {
		return ""
	}
	same := true
	parts := make([]string, len(rs))
	for i, r := range rs {
		w := r.Weights.String()
		if r.Err != "" {
			w = "unreadable"
		}
		parts[i] = r.Name + " " + w
		same = same && r.Err == "" && r.Weights == rs[0].Weights
	}
	if same {
		return rs[0].Weights.String()
	}
	return strings.Join(parts, ", ")
}

// allOnSource reports whether every router was read and sends nothing to
// the target.
func allOnSource(rs []cutover.RouterStatus) bool {
	for _, r := range rs {
		if r.Err != "" || r.Weights.Target != 0 {
			return false
		}
	}
	return len(rs) > 0
}

// shortDur is a duration as people write it: "2m", "1m30s", "45s", "1h".
func shortDur(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
