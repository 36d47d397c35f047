package apigw

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	api    = "a1b2c3d4e5"
	prefix = "apigateway a1b2c3d4e5/prod: "
	oldDep = "dep-old"
	newDep = "dep-new"
	newURL = "https://eks-ingress.acme.example"
)

func canary(dep string, pct float64, vars map[string]string) *types.CanarySettings {
	return &types.CanarySettings{DeploymentId: aws.String(dep), PercentTraffic: pct, StageVariableOverrides: vars}
}

// setup is a fake whose stage prod runs deployment dep-old with canary c,
// and a router whose canary runs dep-new.
func setup(t *testing.T, c *types.CanarySettings) (*fakeAPIGW, *Router) {
	t.Helper()
	f := newFake(api, oldDep, newDep, "dep-other")
	f.stages["prod"] = &fakeStage{deployment: oldDep, canary: c}
	r, err := New(Config{Client: f, RestAPIID: api, StageName: "prod", TargetDeploymentID: newDep})
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

// setupVars is setup with a router whose canary runs the stage's own
// deployment with the backend variable pointing at the new side.
func setupVars(t *testing.T, c *types.CanarySettings) (*fakeAPIGW, *Router) {
	t.Helper()
	f, _ := setup(t, c)
	r, err := New(Config{Client: f, RestAPIID: api, StageName: "prod", CanaryVariables: map[string]string{"backend": newURL}})
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{RestAPIID: api, StageName: "prod", TargetDeploymentID: newDep}, "apigateway router: no API Gateway client"},
		{Config{Client: newFake(api), StageName: "prod", TargetDeploymentID: newDep}, `apigateway router: REST API "" stage "prod": name both`},
		{Config{Client: newFake(api), RestAPIID: api, StageName: "prod"},
			"apigateway router a1b2c3d4e5/prod: the canary would run the old backend; set the target deployment, or the stage variables"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("New: %v, want %q", err, tc.want)
		}
	}
	_, r := setup(t, nil)
	if r.Name() != "apigateway a1b2c3d4e5/prod" || r.Kind() != "apigateway" {
		t.Errorf("Name %q Kind %q", r.Name(), r.Kind())
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		vars   bool // the router overrides variables instead of naming a deployment
		canary *types.CanarySettings
		edit   func(*fakeAPIGW)
		want   cutover.Weights
		err    string
	}{
		{"no canary", false, nil, nil, cutover.ToTarget(0), ""},
		{"canary 10", false, canary(newDep, 10, nil), nil, cutover.ToTarget(10), ""},
		{"canary rounds", false, canary(newDep, 12.5, nil), nil, cutover.ToTarget(13), ""},
		{"canary 100", false, canary(newDep, 100, nil), nil, cutover.ToTarget(100), ""},
		{"promoted by hand", false, nil, func(f *fakeAPIGW) { f.stages["prod"].deployment = newDep }, cutover.ToTarget(100), ""},
		{"variables canary", true, canary(oldDep, 25, map[string]string{"backend": newURL, "extra": "x"}), nil, cutover.ToTarget(25), ""},
		{"foreign canary", false, canary("dep-other", 10, map[string]string{"token": "s3cret"}), nil, cutover.Weights{},
			prefix + `the stage has a canary that is not the target's (deployment dep-other, want dep-new; stage variable overrides missing or different: []); turn that canary off or promote it first, or fix the plan`},
		{"canary without the override", true, canary(oldDep, 10, map[string]string{"backend": "https://old"}), nil, cutover.Weights{},
			prefix + `the stage has a canary that is not the target's (deployment dep-old, want dep-old; stage variable overrides missing or different: ["backend"])`},
		{"no stage", false, nil, func(f *fakeAPIGW) { delete(f.stages, "prod") }, cutover.Weights{},
			prefix + "read stage: NotFoundException: Invalid stage identifier specified; check the REST API id and stage name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, r := setup(t, tc.canary)
			if tc.vars {
				f, r = setupVars(t, tc.canary)
			}
			if tc.edit != nil {
				tc.edit(f)
			}
			got, err := r.Read(t.Context())
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("Read = %v, %v; want error %q", got, err, tc.err)
				}
			} else if err != nil || got != tc.want {
				t.Errorf("Read = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestSet drives the canary from a state and checks the one UpdateStage
// it sends and the stage after.
func TestSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		vars   bool
		canary *types.CanarySettings
		w      cutover.Weights
		writes []string
		after  *types.CanarySettings
	}{
		{"creates the canary", false, nil, cutover.ToTarget(10),
			[]string{"UpdateStage replace /canarySettings/deploymentId=dep-new, replace /canarySettings/percentTraffic=10.0"}, canary(newDep, 10, nil)},
		{"creates a variables canary", true, nil, cutover.ToTarget(10),
			[]string{"UpdateStage replace /canarySettings/deploymentId=dep-old, replace /canarySettings/percentTraffic=10.0, replace /canarySettings/stageVariableOverrides/backend=" + newURL},
			canary(oldDep, 10, map[string]string{"backend": newURL})},
		{"shifts", false, canary(newDep, 10, nil), cutover.ToTarget(50),
			[]string{"UpdateStage replace /canarySettings/percentTraffic=50.0"}, canary(newDep, 50, nil)},
		{"all to target", false, canary(newDep, 50, nil), cutover.ToTarget(100),
			[]string{"UpdateStage replace /canarySettings/percentTraffic=100.0"}, canary(newDep, 100, nil)},
		{"back to 0 keeps the canary", false, canary(newDep, 50, nil), cutover.ToTarget(0),
			[]string{"UpdateStage replace /canarySettings/percentTraffic=0.0"}, canary(newDep, 0, nil)},
		{"already so", false, canary(newDep, 10, nil), cutover.ToTarget(10), nil, canary(newDep, 10, nil)},
		{"no canary at 0", false, nil, cutover.ToTarget(0), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, r := setup(t, tc.canary)
			if tc.vars {
				f, r = setupVars(t, tc.canary)
			}
			if err := r.Set(t.Context(), tc.w); err != nil {
				t.Fatal(err)
			}
			if got := f.calls.Writes(); !slices.Equal(got, tc.writes) {
				t.Errorf("writes %q, want %q", got, tc.writes)
			}
			if got := f.stage("prod"); got.deployment != oldDep || !sameCanary(got.canary, tc.after) {
				t.Errorf("stage after: %s %+v, want %s %+v", got.deployment, got.canary, oldDep, tc.after)
			}
			if got, err := r.Read(t.Context()); err != nil || got != tc.w {
				t.Errorf("Read after Set = %v, %v; want %v", got, err, tc.w)
			}
			if err := r.Set(t.Context(), tc.w); err != nil || len(f.calls.Writes()) != len(tc.writes) {
				t.Errorf("second Set: %v, writes %q", err, f.calls.Writes())
			}
		})
	}
}

func sameCanary(a, b *types.CanarySettings) bool {
	if a == nil || b == nil {
		return a == b
	}
	return canaryPatch(a, b) == nil && canaryPatch(b, a) == nil
}

func TestSetErrors(t *testing.T) {
	t.Parallel()
	f, r := setup(t, nil)
	f.stages["prod"].deployment = newDep
	want := prefix + "the stage itself already runs the target deployment dep-new (promoted), so there is no canary to shift back with"
	if err := r.Set(t.Context(), cutover.ToTarget(50)); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Set on a promoted stage: %v, want %q", err, want)
	}
	if err := r.Set(t.Context(), cutover.Weights{Source: 1, Target: 1}); err == nil || err.Error() != prefix+"weights 1/1 do not add up to 100" {
		t.Errorf("Set of bad weights: %v", err)
	}
	f, r = setup(t, nil)
	f.fail["UpdateStage"] = errors.New("AccessDenied")
	want = prefix + "set 90/10: update stage: AccessDenied; nothing was changed"
	if err := r.Set(t.Context(), cutover.ToTarget(10)); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Set: %v, want %q", err, want)
	}
	delete(f.fail, "UpdateStage")
	delete(f.deployments, newDep)
	want = prefix + `set 90/10: update stage: BadRequestException: Invalid deployment identifier specified for the canary: "dep-new"`
	if err := r.Set(t.Context(), cutover.ToTarget(10)); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Set to a missing deployment: %v, want %q", err, want)
	}
	if got := f.stage("prod"); got.canary != nil {
		t.Errorf("a refused update left a canary: %+v", got.canary)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	f, r := setupVars(t, nil)
	ch, err := r.Plan(t.Context(), cutover.ToTarget(10))
	if err != nil {
		t.Fatal(err)
	}
	want := runbook.Change{Op: runbook.OpCreate, Kind: ChangeKind, Name: "a1b2c3d4e5/prod",
		Before: "canary: null\ndeployment: dep-old\ntraffic: 100/0 (source/target)\n",
		After: `canary:
  deployment: dep-old
  overrides:
  - backend
  percentTraffic: 10
deployment: dep-old
traffic: 90/10 (source/target)
`}
	if ch != want || len(f.calls.Writes()) != 0 {
		t.Errorf("Plan =\n%+v\nwant\n%+v\nwrites %q", ch, want, f.calls.Writes())
	}
	if strings.Contains(ch.After, newURL) {
		t.Errorf("the plan shows a stage variable's value:\n%s", ch.After)
	}
	for _, tc := range []struct {
		canary *types.CanarySettings
		w      cutover.Weights
		op     runbook.Op
	}{
		{canary(newDep, 10, nil), cutover.ToTarget(50), runbook.OpUpdate},
		{canary(newDep, 10, nil), cutover.ToTarget(10), runbook.OpNone},
		{nil, cutover.ToTarget(0), runbook.OpNone},
	} {
		_, r := setup(t, tc.canary)
		ch, err := r.Plan(t.Context(), tc.w)
		if err != nil || ch.Op != tc.op {
			t.Errorf("Plan %v = %s, %v; want %s", tc.w, ch.Op, err, tc.op)
		}
		if tc.op == runbook.OpUpdate && (!strings.Contains(ch.Before, "percentTraffic: 10") || !strings.Contains(ch.After, "percentTraffic: 50")) {
			t.Errorf("update plan:\n%s\n->\n%s", ch.Before, ch.After)
		}
	}
}

func TestMinDwell(t *testing.T) {
	t.Parallel()
	_, r := setup(t, nil)
	if d, err := r.MinDwell(t.Context()); d != 0 || err != nil {
		t.Errorf("MinDwell = %v, %v", d, err)
	}
}
