package runbook

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// recorder is the Recorder a step gets while applying or rolling back.
type recorder struct {
	r      *Runner
	step   string
	action Action

	mu      sync.Mutex
	last    time.Time // when progress was last journaled
	pending *Progress // newest progress not journaled yet
}

// Progress shows p at once and journals at most one progress record per
// ProgressEvery; flush journals the last one held back.
func (c *recorder) Progress(p Progress) {
	rec := Record{Step: c.step, Action: c.action, Outcome: OutcomeProgress, Summary: p.Message, Done: p.Done, Total: p.Total}
	now := time.Now()
	c.mu.Lock()
	journal := now.Sub(c.last) >= c.r.cfg.ProgressEvery
	if journal {
		c.last, c.pending = now, nil
	} else {
		c.pending = &p
	}
	c.mu.Unlock()
	c.report(rec, journal)
}

func (c *recorder) report(rec Record, journal bool) {
	if err := c.r.record(rec, journal); err != nil {
		c.r.warn(fmt.Sprintf("journal progress of %s: %v", c.step, err))
	}
}

func (c *recorder) flush() {
	c.mu.Lock()
	p := c.pending
	c.pending = nil
	c.mu.Unlock()
	if p != nil {
		c.report(Record{Step: c.step, Action: c.action, Outcome: OutcomeProgress, Summary: p.Message, Done: p.Done, Total: p.Total}, true)
	}
}

// Save stores undo in the undo store and journals a reference to it; both
// are fsynced before it returns.
func (c *recorder) Save(undo json.RawMessage) error {
	if !json.Valid(undo) {
		return fmt.Errorf("undo payload for %s is not valid JSON; the step kind must save JSON", c.step)
	}
	ref, err := c.r.cfg.Journal.undo.save(c.step, undo)
	if err != nil {
		return err
	}
	return c.r.write(Record{
		Step: c.step, Action: c.action, Outcome: OutcomeUndo, UndoRef: &ref,
		Summary: fmt.Sprintf("undo payload %s (%d bytes)", ref.File, len(undo)),
	})
}

// Mark journals msg as a marker record, fsynced, and shows it as an event.
func (c *recorder) Mark(msg string) error {
	return c.r.write(Record{Step: c.step, Action: c.action, Outcome: OutcomeMarker, Summary: msg})
}

// Saved reads the step's saved payloads back from the undo store.
func (c *recorder) Saved() ([]json.RawMessage, error) { return c.r.cfg.Journal.Saved(c.step) }

// summarize counts a change set's operations: "2 create, 1 update, 3 none".
func summarize(cs ChangeSet) string {
	counts := map[Op]int{}
	for _, c := range cs.Changes {
		counts[c.Op]++
	}
	var parts []string
	for _, op := range []Op{OpCreate, OpUpdate, OpDelete, OpNone} {
		if n := counts[op]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, op))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// withoutBodies drops Before and After: the journal names what changes,
// never what objects contain.
func withoutBodies(cs []Change) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		c.Before, c.After = "", ""
		out[i] = c
	}
	return out
}
