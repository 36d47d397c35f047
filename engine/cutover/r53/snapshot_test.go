package r53

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// TestRestore snapshots a state, moves the weights (and edits by hand),
// restores, and checks the zone holds exactly what it held.
func TestRestore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		records []types.ResourceRecordSet
		moves   []cutover.Weights
		writes  []string // the restore's
	}{
		{"deletes a target made since", []types.ResourceRecordSet{src(100)}, []cutover.Weights{cutover.ToTarget(10), cutover.ToTarget(100)},
			[]string{"ChangeResourceRecordSets UPSERT source=100 DELETE target=100"}},
		{"puts weights back", []types.ResourceRecordSet{src(90), tgt(10)}, []cutover.Weights{cutover.ToTarget(50)},
			[]string{"ChangeResourceRecordSets UPSERT source=90 UPSERT target=10"}},
		{"keeps a target at 0", []types.ResourceRecordSet{src(100), tgt(0)}, []cutover.Weights{cutover.ToTarget(10)},
			[]string{"ChangeResourceRecordSets UPSERT source=100 UPSERT target=0"}},
		{"nothing moved", []types.ResourceRecordSet{src(90), tgt(10)}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, r := setup(t, tc.records...)
			before := f.recordsOf(zoneID)
			snap, err := r.Snapshot(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.moves {
				if err := r.Set(t.Context(), w); err != nil {
					t.Fatal(err)
				}
			}
			n := len(f.writes())
			if err := r.Restore(t.Context(), snap); err != nil {
				t.Fatal(err)
			}
			if got := f.writes()[n:]; !slices.Equal(got, tc.writes) {
				t.Errorf("restore wrote %q, want %q", got, tc.writes)
			}
			assertRecords(t, f.recordsOf(zoneID), before)
			n = len(f.writes())
			if err := r.Restore(t.Context(), snap); err != nil || len(f.writes()) != n {
				t.Errorf("second Restore: %v, wrote %q", err, f.writes()[n:])
			}
		})
	}
}

// TestRestoreHandEdits: a target record changed by hand (value and TTL)
// comes back as it was, and a deleted source is put back.
func TestRestoreHandEdits(t *testing.T) {
	t.Parallel()
	f, r := setup(t, src(90), tgt(10))
	before := f.recordsOf(zoneID)
	snap, err := r.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	edited := rec("target", 10, "elsewhere.example.")
	edited.TTL = aws.Int64(5)
	f.addZone(zoneID, "acme.example.", append(others(), edited)...)
	if err := r.Restore(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	assertRecords(t, f.recordsOf(zoneID), before)
}

func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	_, r := setup(t, src(90), tgt(10))
	snap, err := r.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var other map[string]any
	if err := json.Unmarshal(snap, &other); err != nil {
		t.Fatal(err)
	}
	other["name"] = "api.acme.example."
	otherSnap, _ := json.Marshal(other)
	for _, tc := range []struct {
		snap json.RawMessage
		err  string
	}{
		{json.RawMessage(`{"listener":"x"}`), "route53 shop.acme.example. CNAME: the snapshot is not one of a Route53 router"},
		{json.RawMessage(`nope`), "route53 shop.acme.example. CNAME: the snapshot is not one of a Route53 router"},
		{otherSnap, prefix + "the snapshot is of api.acme.example. CNAME in zone Z0ACME; restore it with that record's router"},
	} {
		if err := r.Restore(t.Context(), tc.snap); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("Restore(%s): %v, want %q", tc.snap, err, tc.err)
		}
	}
}
