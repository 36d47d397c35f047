package clonetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// Snapshotter is what a cutover router's snapshot tests drive: the
// Snapshot and Restore of cutover.Router.
type Snapshotter interface {
	Snapshot(ctx context.Context) (json.RawMessage, error)
	Restore(ctx context.Context, snap json.RawMessage) error
}

// Restore restores snap through r and returns what that wrote, as the
// fake behind r logs it in calls. It fails the test if the restore fails,
// or if a second one writes anything: a restore done is not done again.
func Restore(t *testing.T, r Snapshotter, snap json.RawMessage, calls *Calls) []string {
	t.Helper()
	n := len(calls.Writes())
	must(t, r.Restore(t.Context(), snap))
	wrote := calls.Writes()[n:]
	n = len(calls.Writes())
	if err := r.Restore(t.Context(), snap); err != nil || len(calls.Writes()) != n {
		t.Errorf("second Restore: %v, wrote %q", err, calls.Writes()[n:])
	}
	return wrote
}

// RestoreRefuses fails the test unless r's Restore refuses, with an error
// that starts with the message given, each snapshot of foreign (snapshot
// to message), and r's own snapshot made another router's by edit (a field
// of the JSON object changed) with otherErr.
func RestoreRefuses(t *testing.T, r Snapshotter, edit func(map[string]any), otherErr string, foreign map[string]string) {
	t.Helper()
	snap, err := r.Snapshot(t.Context())
	must(t, err)
	var fields map[string]any
	must(t, json.Unmarshal(snap, &fields))
	edit(fields)
	edited, err := json.Marshal(fields)
	must(t, err)
	cases := map[string]string{string(edited): otherErr}
	for snap, msg := range foreign {
		cases[snap] = msg
	}
	for snap, msg := range cases {
		if err := r.Restore(t.Context(), json.RawMessage(snap)); err == nil || !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("Restore(%s): %v, want %q", snap, err, msg)
		}
	}
}
