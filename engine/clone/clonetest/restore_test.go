package clonetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// fakeRouter holds one value; its snapshot names the router, and a
// restore writes the value only when it differs.
type fakeRouter struct {
	name, value string
	calls       *Calls
}

type fakeSnap struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (f *fakeRouter) Snapshot(context.Context) (json.RawMessage, error) {
	return json.Marshal(fakeSnap{Name: f.name, Value: f.value})
}

func (f *fakeRouter) Restore(_ context.Context, raw json.RawMessage) error {
	var s fakeSnap
	if err := json.Unmarshal(raw, &s); err != nil || s.Name == "" {
		return errors.New("not a fake snapshot")
	}
	if s.Name != f.name {
		return fmt.Errorf("the snapshot is of %s", s.Name)
	}
	if s.Value != f.value {
		f.calls.Add("PutValue " + s.Value)
		f.value = s.Value
	}
	return nil
}

func TestRestoreHelpers(t *testing.T) {
	t.Parallel()
	var calls Calls
	r := &fakeRouter{name: "a", value: "old", calls: &calls}
	snap, err := r.Snapshot(t.Context())
	must(t, err)
	r.value = "moved"
	if got := Restore(t, r, snap, &calls); !slices.Equal(got, []string{"PutValue old"}) || r.value != "old" {
		t.Errorf("Restore wrote %q, value %q", got, r.value)
	}
	RestoreRefuses(t, r, func(s map[string]any) { s["name"] = "b" }, "the snapshot is of b",
		map[string]string{`[`: "not a fake snapshot", `{"value":"x"}`: "not a fake snapshot"})
	if len(calls.Writes()) != 1 {
		t.Errorf("refused restores wrote: %q", calls.Writes())
	}
}
