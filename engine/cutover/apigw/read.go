package apigw

import (
	"context"
	"maps"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// state is the stage as API Gateway holds it: its deployment and its
// canary, nil when it has none.
type state struct {
	deployment string
	canary     *types.CanarySettings
}

// Read returns the shares the stage gives its deployment and the canary.
func (r *Router) Read(ctx context.Context) (cutover.Weights, error) {
	st, err := r.read(ctx)
	if err != nil {
		return cutover.Weights{}, err
	}
	return r.share(st)
}

func (r *Router) read(ctx context.Context) (state, error) {
	out, err := r.cfg.Client.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(r.cfg.RestAPIID), StageName: aws.String(r.cfg.StageName)})
	if err != nil {
		return state{}, r.fail("read stage: %w; check the REST API id and stage name, and that the profile can read API Gateway", err)
	}
	return state{deployment: aws.ToString(out.DeploymentId), canary: out.CanarySettings}, nil
}

// share is the target's share: the canary's percentTraffic rounded to a
// whole percent, 0 without a canary, and 100 when the stage itself runs
// the target deployment (promoted by hand). A canary that is not the
// target's is refused: shifting it would send traffic somewhere else.
func (r *Router) share(st state) (cutover.Weights, error) {
	if st.canary == nil {
		if r.promoted(st) {
			return cutover.ToTarget(100), nil
		}
		return cutover.ToTarget(0), nil
	}
	if differ := r.foreign(st); differ != nil {
		return cutover.Weights{}, r.fail("the stage has a canary that is not the target's (deployment %s, want %s; stage variable overrides missing or different: %q); turn that canary off or promote it first, or fix the plan",
			aws.ToString(st.canary.DeploymentId), r.canaryDeployment(st), differ)
	}
	return cutover.ToTarget(int(math.Round(min(max(st.canary.PercentTraffic, 0), 100)))), nil
}

// promoted reports whether the stage itself runs the target deployment.
func (r *Router) promoted(st state) bool {
	return r.cfg.TargetDeploymentID != "" && st.deployment == r.cfg.TargetDeploymentID
}

// canaryDeployment is the deployment the target's canary runs.
func (r *Router) canaryDeployment(st state) string {
	if r.cfg.TargetDeploymentID != "" {
		return r.cfg.TargetDeploymentID
	}
	return st.deployment
}

// foreign is nil when the stage's canary is the target's: it runs the
// target deployment with every configured variable override. Otherwise
// it names the overrides that are missing or different (by name: values
// may be secret), empty when only the deployment differs.
func (r *Router) foreign(st state) []string {
	differ := []string{}
	for _, k := range slices.Sorted(maps.Keys(r.cfg.CanaryVariables)) {
		if got, ok := st.canary.StageVariableOverrides[k]; !ok || got != r.cfg.CanaryVariables[k] {
			differ = append(differ, k)
		}
	}
	if len(differ) == 0 && aws.ToString(st.canary.DeploymentId) == r.canaryDeployment(st) {
		return nil
	}
	return differ
}
