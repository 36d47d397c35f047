package alb

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/cutover"
)

// TestRestore snapshots actions, shifts, restores, and checks the actions
// are exactly as they were, with one write, and a second restore writes
// nothing.
func TestRestore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		actions []types.Action
		moves   []cutover.Weights
	}{
		{"takes the target group out", []types.Action{oidc(), simple(tgOld)}, []cutover.Weights{cutover.ToTarget(10), cutover.ToTarget(100)}},
		{"puts weights back", []types.Action{forward(tgOld, 180, tgNew, 20)}, []cutover.Weights{cutover.ToTarget(50)}},
		{"nothing moved", []types.Action{forward(tgOld, 90, tgNew, 10)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, onRule := range []bool{true, false} {
				f, r := setup(t, onRule, tc.actions...)
				arn := listener
				if onRule {
					arn = rule
				}
				before := f.stored(arn)
				snap, err := r.Snapshot(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(snap), "s3cret") {
					t.Errorf("the snapshot holds the OIDC client secret: %s", snap)
				}
				for _, w := range tc.moves {
					if err := r.Set(t.Context(), w); err != nil {
						t.Fatal(err)
					}
				}
				wrote := clonetest.Restore(t, r, snap, &f.calls)
				if got := f.stored(arn); got != before {
					t.Errorf("after restore\n%s\nwant\n%s", got, before)
				}
				wantWrites := 0
				if len(tc.moves) > 0 {
					wantWrites = 1
				}
				if len(wrote) != wantWrites {
					t.Errorf("restore wrote %q, want %d writes", wrote, wantWrites)
				}
			}
		})
	}
}

// TestSnapshotAnyShape: a rule the router cannot shift (no forward action)
// still snapshots and restores.
func TestSnapshotAnyShape(t *testing.T) {
	t.Parallel()
	fixed := types.Action{Type: types.ActionTypeEnumFixedResponse, FixedResponseConfig: &types.FixedResponseActionConfig{StatusCode: new("503")}}
	f, r := setup(t, true, fixed)
	before := f.stored(rule)
	snap, err := r.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f.rules[rule] = described([]types.Action{simple(tgOld)})
	if err := r.Restore(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	if got := f.stored(rule); got != before || !slices.Equal(f.calls.Writes(), []string{"ModifyRule " + rule}) {
		t.Errorf("after restore %s (writes %q), want %s", got, f.calls.Writes(), before)
	}
}

func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	_, r := setup(t, true, simple(tgOld))
	notALB := ruleName + "the snapshot is not one of an ALB router"
	clonetest.RestoreRefuses(t, r, func(snap map[string]any) { delete(snap, "ruleArn") },
		ruleName+"the snapshot is of listener "+listener+` rule ""; restore it with that router`,
		map[string]string{`{"zoneId":"Z1"}`: notALB, `[`: notALB})
}
