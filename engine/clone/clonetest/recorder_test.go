package clonetest

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

type testRecord struct {
	Kind string `json:"kind"`
}

// TestRecorder: Saved is Resume and then what was saved, Undo only the
// latter; Check sees each record before it is kept and refuses one it
// cannot decode; saves and progress from several goroutines all land.
func TestRecorder(t *testing.T) {
	t.Parallel()
	var checked []string
	var mu sync.Mutex
	r := &Recorder[testRecord]{Resume: []json.RawMessage{json.RawMessage(`{"kind":"old"}`)}, Check: func(rec testRecord) {
		mu.Lock()
		defer mu.Unlock()
		checked = append(checked, rec.Kind)
	}}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			must(t, r.Save(json.RawMessage(`{"kind":"page"}`)))
			r.Progress(runbook.Progress{Message: strings.Repeat("x", i+1)})
		})
	}
	wg.Wait()
	saved, err := r.Saved()
	must(t, err)
	if len(saved) != 5 || string(saved[0]) != `{"kind":"old"}` || len(r.Undo()) != 4 || len(r.All()) != 5 {
		t.Errorf("Saved %q, Undo %q", saved, r.Undo())
	}
	if len(checked) != 4 || len(r.Messages()) != 4 {
		t.Errorf("checked %q, messages %q", checked, r.Messages())
	}
	kinds := []string{}
	for _, rec := range r.Records() {
		kinds = append(kinds, rec.Kind)
	}
	if !slices.Equal(kinds, []string{"old", "page", "page", "page", "page"}) {
		t.Errorf("Records = %q", kinds)
	}
	if pages := r.Where(func(rec testRecord) bool { return rec.Kind == "page" }); len(pages) != 4 {
		t.Errorf("Where(page) = %+v, want the 4 saved", pages)
	}
	if err := r.Save(json.RawMessage(`{"kind":`)); err == nil || len(r.Undo()) != 4 {
		t.Errorf("Save of a record Check cannot decode: %v, %d kept", err, len(r.Undo()))
	}
	var plain Recorder[testRecord]
	must(t, plain.Save(json.RawMessage(`not JSON`)))
	if u := plain.Undo(); len(u) != 1 {
		t.Errorf("a Recorder without Check kept %q", u)
	}
}

func TestCalls(t *testing.T) {
	t.Parallel()
	var c Calls
	c.Add("GetQueueAttributes orders")
	c.Addf("TagQueue %s %s", "orders", "team")
	c.Add("TagQueueX orders")
	c.Add("DeleteQueue")
	if w := c.Writes(); !slices.Equal(w, []string{"TagQueue orders team", "TagQueueX orders", "DeleteQueue"}) {
		t.Errorf("Writes = %q", w)
	}
	if n, m := c.Count("TagQueue"), c.Count("DeleteQueue"); n != 1 || m != 1 {
		t.Errorf("Count(TagQueue) = %d, Count(DeleteQueue) = %d; want 1 each", n, m)
	}
	if n := len(c.All()); n != 4 {
		t.Errorf("All has %d calls, want 4", n)
	}
}

// TestSeed: every thing is written once, in chunks of at most chunk.
func TestSeed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := make([]int, 103)
	Seed(t, "test", "things", len(seen), 25, func(from, to int) error {
		if to-from > 25 {
			t.Errorf("chunk [%d, %d) is larger than 25", from, to)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := from; i < to; i++ {
			seen[i]++
		}
		return nil
	})
	for i, n := range seen {
		if n != 1 {
			t.Errorf("thing %d written %d times", i, n)
		}
	}
}
