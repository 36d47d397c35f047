package apigw

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// TestRestore snapshots a stage, changes it (through the router and by
// hand), restores, and checks the stage is exactly as it was, with one
// UpdateStage, and a second restore writes nothing.
func TestRestore(t *testing.T) {
	t.Parallel()
	cached := canary(newDep, 5, map[string]string{"backend": newURL, "debug": "on"})
	cached.UseStageCache = true
	for _, tc := range []struct {
		name   string
		canary *types.CanarySettings
		moves  []cutover.Weights
		edit   func(*fakeAPIGW)
		writes []string
	}{
		{"turns a new canary off", nil, []cutover.Weights{cutover.ToTarget(10), cutover.ToTarget(100)}, nil,
			[]string{"UpdateStage remove /canarySettings="}},
		{"puts the canary back", cached, []cutover.Weights{cutover.ToTarget(50)}, func(f *fakeAPIGW) {
			c := f.stages["prod"].canary
			c.UseStageCache, c.StageVariableOverrides = false, map[string]string{"backend": "https://elsewhere", "added": "1"}
		}, []string{"UpdateStage replace /canarySettings/percentTraffic=5, replace /canarySettings/useStageCache=true, " +
			"replace /canarySettings/stageVariableOverrides/backend=" + newURL + ", replace /canarySettings/stageVariableOverrides/debug=on, " +
			"remove /canarySettings/stageVariableOverrides/added="}},
		{"undoes a promotion", canary(newDep, 100, nil), nil, func(f *fakeAPIGW) {
			f.stages["prod"].deployment, f.stages["prod"].canary = newDep, nil
		}, []string{"UpdateStage replace /deploymentId=dep-old, replace /canarySettings/deploymentId=dep-new, replace /canarySettings/percentTraffic=100"}},
		{"nothing moved", canary(newDep, 10, nil), nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, r := setup(t, tc.canary)
			before := f.stage("prod")
			snap, err := r.Snapshot(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.moves {
				if err := r.Set(t.Context(), w); err != nil {
					t.Fatal(err)
				}
			}
			if tc.edit != nil {
				f.mu.Lock()
				tc.edit(f)
				f.mu.Unlock()
			}
			n := len(f.writes())
			if err := r.Restore(t.Context(), snap); err != nil {
				t.Fatal(err)
			}
			if got := f.writes()[n:]; !slices.Equal(got, tc.writes) {
				t.Errorf("restore wrote\n%q\nwant\n%q", got, tc.writes)
			}
			if got := f.stage("prod"); got.deployment != before.deployment || !sameCanary(got.canary, before.canary) {
				t.Errorf("after restore %s %+v, want %s %+v", got.deployment, got.canary, before.deployment, before.canary)
			}
			n = len(f.writes())
			if err := r.Restore(t.Context(), snap); err != nil || len(f.writes()) != n {
				t.Errorf("second Restore: %v, wrote %q", err, f.writes()[n:])
			}
		})
	}
}

func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	_, r := setup(t, nil)
	snap, err := r.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var other map[string]any
	if err := json.Unmarshal(snap, &other); err != nil {
		t.Fatal(err)
	}
	other["stageName"] = "beta"
	otherSnap, _ := json.Marshal(other)
	for _, tc := range []struct {
		snap json.RawMessage
		err  string
	}{
		{json.RawMessage(`{"zoneId":"Z1"}`), prefix + "the snapshot is not one of an API Gateway router"},
		{json.RawMessage(`{`), prefix + "the snapshot is not one of an API Gateway router"},
		{otherSnap, prefix + "the snapshot is of stage a1b2c3d4e5/beta; restore it with that stage's router"},
	} {
		if err := r.Restore(t.Context(), tc.snap); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("Restore(%s): %v, want %q", tc.snap, err, tc.err)
		}
	}
}
