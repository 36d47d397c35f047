package clonetest

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Recorder is the journal as a step's unit test gives it: a
// runbook.Recorder in memory that keeps the records the step saves and the
// progress it reports. Resume is what an earlier apply saved: Saved
// returns it, then every record saved through the Recorder, as the
// journal does. Check, when set, sees each record decoded as an R when it
// is saved, before the write it describes. The zero value is ready; it is
// safe for a step that saves from several goroutines.
type Recorder[R any] struct {
	Resume []json.RawMessage
	Check  func(R)

	mu       sync.Mutex
	undo     []json.RawMessage
	messages []string
}

// Save keeps raw, after Check; a record Check cannot decode is an error,
// as the step could not read it back either.
func (r *Recorder[R]) Save(raw json.RawMessage) error {
	if r.Check != nil {
		var rec R
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		r.Check(rec)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.undo = append(r.undo, slices.Clone(raw))
	return nil
}

// Saved is All.
func (r *Recorder[R]) Saved() ([]json.RawMessage, error) { return r.All(), nil }

// Progress keeps p's message.
func (r *Recorder[R]) Progress(p runbook.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, p.Message)
}

// Undo is what was saved through the Recorder, oldest first: the undo
// records a rollback of this apply gets.
func (r *Recorder[R]) Undo() []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.undo)
}

// All is Resume, then Undo: what a later apply resumes from.
func (r *Recorder[R]) All() []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append(slices.Clone(r.Resume), r.undo...)
}

// Records are All decoded as Rs; one that does not decode is a zero R.
func (r *Recorder[R]) Records() []R {
	all := r.All()
	out := make([]R, len(all))
	for i, raw := range all {
		_ = json.Unmarshal(raw, &out[i])
	}
	return out
}

// Where are the Records keep says yes to.
func (r *Recorder[R]) Where(keep func(R) bool) []R {
	var out []R
	for _, rec := range r.Records() {
		if keep(rec) {
			out = append(out, rec)
		}
	}
	return out
}

// Messages are the progress messages reported so far, oldest first.
func (r *Recorder[R]) Messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.messages)
}

// Discard is the journal as far as a benchmark needs one: nothing to
// resume from and saves dropped, so the memory measured is the step's own
// and not a growing list of records.
type Discard struct{}

// Saved is nothing.
func (Discard) Saved() ([]json.RawMessage, error) { return nil, nil }

// Save drops the record.
func (Discard) Save(json.RawMessage) error { return nil }

// Progress drops the message.
func (Discard) Progress(runbook.Progress) {}
