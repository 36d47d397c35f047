package apigw

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// MinDwell is 0: a stage's new canary split applies to the next request.
func (r *Router) MinDwell(context.Context) (time.Duration, error) { return 0, nil }

// snapshot is the stage's deployment and canary exactly as they were; a
// nil Canary means there was none, so Restore turns one off.
type snapshot struct {
	RestAPIID  string                `json:"restApiId"`
	StageName  string                `json:"stageName"`
	Deployment string                `json:"deploymentId"`
	Canary     *types.CanarySettings `json:"canary"`
}

// Snapshot captures the stage for Restore. It does not need the canary to
// be the target's, so a stage in any shape can be put back.
func (r *Router) Snapshot(ctx context.Context) (json.RawMessage, error) {
	st, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(snapshot{RestAPIID: r.cfg.RestAPIID, StageName: r.cfg.StageName, Deployment: st.deployment, Canary: st.canary})
}

// Restore patches the stage back to the snapshot in one call: its
// deployment, and the canary as it was or turned off if there was none.
// It writes nothing when the stage is as the snapshot holds it.
func (r *Router) Restore(ctx context.Context, snap json.RawMessage) error {
	var s snapshot
	if err := json.Unmarshal(snap, &s); err != nil || s.Deployment == "" {
		return r.fail("the snapshot is not one of an API Gateway router (%v); restore the stage by hand", err)
	}
	if s.RestAPIID != r.cfg.RestAPIID || s.StageName != r.cfg.StageName {
		return r.fail("the snapshot is of stage %s/%s; restore it with that stage's router", s.RestAPIID, s.StageName)
	}
	st, err := r.read(ctx)
	if err != nil {
		return err
	}
	var ops []types.PatchOperation
	if st.deployment != s.Deployment {
		ops = append(ops, replace("/deploymentId", s.Deployment))
	}
	switch {
	case s.Canary == nil && st.canary != nil:
		ops = append(ops, types.PatchOperation{Op: types.OpRemove, Path: aws.String("/canarySettings")})
	case s.Canary != nil:
		ops = append(ops, canaryPatch(st.canary, s.Canary)...)
	}
	if len(ops) == 0 {
		return nil
	}
	return r.update(ctx, ops, "restore")
}

// canaryPatch is the operations that turn canary cur (nil: none) into
// want.
func canaryPatch(cur, want *types.CanarySettings) []types.PatchOperation {
	if cur == nil {
		cur = &types.CanarySettings{}
	}
	var ops []types.PatchOperation
	if aws.ToString(cur.DeploymentId) != aws.ToString(want.DeploymentId) {
		ops = append(ops, replace("/canarySettings/deploymentId", aws.ToString(want.DeploymentId)))
	}
	if cur.PercentTraffic != want.PercentTraffic || len(ops) > 0 {
		ops = append(ops, replace("/canarySettings/percentTraffic", strconv.FormatFloat(want.PercentTraffic, 'f', -1, 64)))
	}
	if cur.UseStageCache != want.UseStageCache {
		ops = append(ops, replace("/canarySettings/useStageCache", strconv.FormatBool(want.UseStageCache)))
	}
	for _, k := range slices.Sorted(maps.Keys(want.StageVariableOverrides)) {
		if v, ok := cur.StageVariableOverrides[k]; !ok || v != want.StageVariableOverrides[k] {
			ops = append(ops, replace("/canarySettings/stageVariableOverrides/"+k, want.StageVariableOverrides[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cur.StageVariableOverrides)) {
		if _, ok := want.StageVariableOverrides[k]; !ok {
			ops = append(ops, types.PatchOperation{Op: types.OpRemove, Path: aws.String("/canarySettings/stageVariableOverrides/" + k)})
		}
	}
	return ops
}
