package apigw

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// TestSandboxReadSide makes a REST API of its own in the old account of a
// private sandbox, with an old and a new deployment and stage prod on the
// old one, and checks what the router reads there through the real SDK:
// no canary reads 100/0, the plan to 10% creates the canary on the new
// deployment, the snapshot holds the stage's deployment and no canary,
// and neither a restore of that snapshot nor Set(100/0) writes anything.
// The sandbox's API Gateway (kumo v0.33.1) has no UpdateStage and no
// canary settings, so the writes are tested against the fake only.
func TestSandboxReadSide(t *testing.T) {
	env := sandboxtest.Isolated(t)
	c := apigateway.NewFromConfig(env.AWS(t, "kops"))
	ctx := t.Context()
	restAPI, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("orders-api")})
	must(t, err)
	t.Cleanup(func() {
		if _, err := c.DeleteRestApi(context.Background(), &apigateway.DeleteRestApiInput{RestApiId: restAPI.Id}); err != nil {
			t.Errorf("delete the test's REST API: %v", err)
		}
	})
	var deps [2]string
	for i := range deps {
		d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: restAPI.Id})
		must(t, err)
		deps[i] = aws.ToString(d.Id)
	}
	_, err = c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: restAPI.Id, StageName: aws.String("prod"), DeploymentId: aws.String(deps[0])})
	must(t, err)

	var ops clonetest.OpLog
	r, err := New(Config{Client: apigateway.NewFromConfig(ops.Config(env.AWS(t, "kops"))), RestAPIID: aws.ToString(restAPI.Id),
		StageName: "prod", TargetDeploymentID: deps[1]})
	must(t, err)
	if got, err := r.Read(ctx); err != nil || got != cutover.ToTarget(0) {
		t.Errorf("Read = %v, %v; want 100/0", got, err)
	}
	ch, err := r.Plan(ctx, cutover.ToTarget(10))
	must(t, err)
	wantAfter := "canary:\n  deployment: " + deps[1] + "\n  percentTraffic: 10\ndeployment: " + deps[0] + "\ntraffic: 90/10 (source/target)\n"
	if ch.Op != runbook.OpCreate || ch.After != wantAfter {
		t.Errorf("Plan = %s\n%s\nwant create\n%s", ch.Op, ch.After, wantAfter)
	}
	snap, err := r.Snapshot(ctx)
	must(t, err)
	var s snapshot
	must(t, json.Unmarshal(snap, &s))
	if s.Deployment != deps[0] || s.Canary != nil {
		t.Errorf("snapshot %s, want deployment %s and no canary", snap, deps[0])
	}
	must(t, r.Restore(ctx, snap))
	must(t, r.Set(ctx, cutover.ToTarget(0)))
	if w := ops.Writes(0); len(w) != 0 {
		t.Errorf("the router wrote %q to a stage already as wanted", w)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
