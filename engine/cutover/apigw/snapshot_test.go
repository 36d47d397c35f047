package apigw

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
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
			if got := clonetest.Restore(t, r, snap, &f.calls); !slices.Equal(got, tc.writes) {
				t.Errorf("restore wrote\n%q\nwant\n%q", got, tc.writes)
			}
			if got := f.stage("prod"); got.deployment != before.deployment || !sameCanary(got.canary, before.canary) {
				t.Errorf("after restore %s %+v, want %s %+v", got.deployment, got.canary, before.deployment, before.canary)
			}
		})
	}
}

func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	_, r := setup(t, nil)
	notAPIGW := prefix + "the snapshot is not one of an API Gateway router"
	clonetest.RestoreRefuses(t, r, func(snap map[string]any) { snap["stageName"] = "beta" },
		prefix+"the snapshot is of stage a1b2c3d4e5/beta; restore it with that stage's router",
		map[string]string{`{"zoneId":"Z1"}`: notAPIGW, `{`: notAPIGW})
}
