package apigw

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"sigs.k8s.io/yaml"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan says what Set(w) would write: nothing when the stage already gives
// w, a create when the canary must be made, an update otherwise.
func (r *Router) Plan(ctx context.Context, w cutover.Weights) (runbook.Change, error) {
	st, ops, err := r.patch(ctx, w)
	if err != nil {
		return runbook.Change{}, err
	}
	ch := runbook.Change{Op: runbook.OpUpdate, Kind: ChangeKind, Name: r.cfg.RestAPIID + "/" + r.cfg.StageName,
		Before: r.render(st), After: r.render(r.after(st, w))}
	switch {
	case len(ops) == 0:
		ch.Op, ch.Before = runbook.OpNone, ""
	case st.canary == nil:
		ch.Op = runbook.OpCreate
	}
	return ch, nil
}

// Set makes the canary carry w.Target percent in one UpdateStage call,
// creating the canary when the target must carry traffic.
func (r *Router) Set(ctx context.Context, w cutover.Weights) error {
	_, ops, err := r.patch(ctx, w)
	if err != nil || len(ops) == 0 {
		return err
	}
	return r.update(ctx, ops, "set "+w.String())
}

// patch reads the stage and returns the operations that make it give w:
// none when it does already.
func (r *Router) patch(ctx context.Context, w cutover.Weights) (state, []types.PatchOperation, error) {
	if !w.Valid() {
		return state{}, nil, r.fail("weights %s do not add up to 100", w)
	}
	st, err := r.read(ctx)
	if err != nil {
		return st, nil, err
	}
	cur, err := r.share(st)
	switch {
	case err != nil || cur == w:
		return st, nil, err
	case st.canary == nil && r.promoted(st):
		return st, nil, r.fail("the stage itself already runs the target deployment %s (promoted), so there is no canary to shift back with; restore the snapshot taken before, or redeploy the old deployment to the stage",
			r.cfg.TargetDeploymentID)
	}
	pct := strconv.FormatFloat(float64(w.Target), 'f', 1, 64)
	if st.canary != nil {
		return st, []types.PatchOperation{replace("/canarySettings/percentTraffic", pct)}, nil
	}
	ops := []types.PatchOperation{replace("/canarySettings/deploymentId", r.canaryDeployment(st)), replace("/canarySettings/percentTraffic", pct)}
	for _, k := range slices.Sorted(maps.Keys(r.cfg.CanaryVariables)) {
		ops = append(ops, replace("/canarySettings/stageVariableOverrides/"+k, r.cfg.CanaryVariables[k]))
	}
	return st, ops, nil
}

func replace(path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
}

// update sends one UpdateStage call, which API Gateway applies whole.
func (r *Router) update(ctx context.Context, ops []types.PatchOperation, what string) error {
	_, err := r.cfg.Client.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(r.cfg.RestAPIID),
		StageName: aws.String(r.cfg.StageName), PatchOperations: ops})
	if err != nil {
		return r.fail("%s: update stage: %w; nothing was changed, check the target deployment exists and the profile may update API Gateway stages", what, err)
	}
	return nil
}

// after is st as Set(w) leaves it, for the plan.
func (r *Router) after(st state, w cutover.Weights) state {
	c := &types.CanarySettings{DeploymentId: aws.String(r.canaryDeployment(st)), StageVariableOverrides: r.cfg.CanaryVariables}
	if st.canary != nil {
		cc := *st.canary
		c = &cc
	} else if w.Target == 0 {
		return st
	}
	c.PercentTraffic = float64(w.Target)
	return state{deployment: st.deployment, canary: c}
}

// render shows the stage's deployment, its canary and the split as small
// YAML; stage variables by name only, as their values may be secret.
func (r *Router) render(st state) string {
	type canaryView struct {
		Deployment     string   `json:"deployment"`
		PercentTraffic float64  `json:"percentTraffic"`
		Overrides      []string `json:"overrides,omitempty"`
	}
	doc := struct {
		Deployment string      `json:"deployment"`
		Canary     *canaryView `json:"canary"`
		Traffic    string      `json:"traffic"`
	}{Deployment: st.deployment, Traffic: "not the target's canary"}
	if c := st.canary; c != nil {
		doc.Canary = &canaryView{Deployment: aws.ToString(c.DeploymentId), PercentTraffic: c.PercentTraffic,
			Overrides: slices.Sorted(maps.Keys(c.StageVariableOverrides))}
	}
	if w, err := r.share(st); err == nil {
		doc.Traffic = w.String() + " (source/target)"
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Sprintf("(cannot render: %v)", err)
	}
	return strings.TrimSpace(string(out)) + "\n"
}
