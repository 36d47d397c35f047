package r53

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
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
			if got := clonetest.Restore(t, r, snap, &f.calls); !slices.Equal(got, tc.writes) {
				t.Errorf("restore wrote %q, want %q", got, tc.writes)
			}
			assertRecords(t, f.recordsOf(zoneID), before)
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
	notR53 := "route53 shop.acme.example. CNAME: the snapshot is not one of a Route53 router"
	clonetest.RestoreRefuses(t, r, func(snap map[string]any) { snap["name"] = "api.acme.example." },
		prefix+"the snapshot is of api.acme.example. CNAME in zone Z0ACME; restore it with that record's router",
		map[string]string{`{"listener":"x"}`: notR53, `nope`: notR53})
}
