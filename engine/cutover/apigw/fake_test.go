package apigw

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeAPIGW is one REST API's stages in memory, patched as API Gateway
// patches them where the router can tell: one UpdateStage applies all its
// operations or none; deployment ids must exist; a canary needs a
// deployment; percentTraffic is 0.0..100.0; unknown paths are refused.
// Every call is logged.
type fakeAPIGW struct {
	mu          sync.Mutex
	api         string
	deployments map[string]bool
	stages      map[string]*fakeStage
	fail        map[string]error
	calls       clonetest.Calls
}

type fakeStage struct {
	deployment string
	canary     *types.CanarySettings
}

func newFake(api string, deployments ...string) *fakeAPIGW {
	f := &fakeAPIGW{api: api, deployments: map[string]bool{}, stages: map[string]*fakeStage{}, fail: map[string]error{}}
	for _, d := range deployments {
		f.deployments[d] = true
	}
	return f
}

func (f *fakeAPIGW) log(op, detail string) error {
	f.calls.Add(strings.TrimSpace(op + " " + detail))
	return f.fail[op]
}

// stage is a copy of a stage as stored.
func (f *fakeAPIGW) stage(name string) fakeStage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return copyStage(*f.stages[name])
}

func copyStage(s fakeStage) fakeStage {
	if s.canary != nil {
		c := *s.canary
		c.StageVariableOverrides = maps.Clone(c.StageVariableOverrides)
		s.canary = &c
	}
	return s
}

func (f *fakeAPIGW) find(api, stage *string) (*fakeStage, error) {
	s, ok := f.stages[aws.ToString(stage)]
	if aws.ToString(api) != f.api || !ok {
		return nil, &types.NotFoundException{Message: aws.String("Invalid stage identifier specified")}
	}
	return s, nil
}

func (f *fakeAPIGW) GetStage(_ context.Context, in *apigateway.GetStageInput, _ ...func(*apigateway.Options)) (*apigateway.GetStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("GetStage", aws.ToString(in.StageName)); err != nil {
		return nil, err
	}
	s, err := f.find(in.RestApiId, in.StageName)
	if err != nil {
		return nil, err
	}
	c := copyStage(*s)
	return &apigateway.GetStageOutput{StageName: in.StageName, DeploymentId: aws.String(c.deployment), CanarySettings: c.canary}, nil
}

func (f *fakeAPIGW) UpdateStage(_ context.Context, in *apigateway.UpdateStageInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var detail []string
	for _, op := range in.PatchOperations {
		detail = append(detail, fmt.Sprintf("%s %s=%s", op.Op, aws.ToString(op.Path), aws.ToString(op.Value)))
	}
	if err := f.log("UpdateStage", strings.Join(detail, ", ")); err != nil {
		return nil, err
	}
	s, err := f.find(in.RestApiId, in.StageName)
	if err != nil {
		return nil, err
	}
	next := copyStage(*s)
	for _, op := range in.PatchOperations {
		if err := f.patch(&next, op); err != nil {
			return nil, err
		}
	}
	if c := next.canary; c != nil && !f.deployments[aws.ToString(c.DeploymentId)] {
		return nil, badRequest("Invalid deployment identifier specified for the canary: %q", aws.ToString(c.DeploymentId))
	}
	*s = next
	return &apigateway.UpdateStageOutput{DeploymentId: aws.String(next.deployment), CanarySettings: next.canary}, nil
}

func (f *fakeAPIGW) patch(s *fakeStage, op types.PatchOperation) error {
	path, value := aws.ToString(op.Path), aws.ToString(op.Value)
	if path == "/canarySettings" && op.Op == types.OpRemove {
		s.canary = nil
		return nil
	}
	if path == "/deploymentId" && op.Op == types.OpReplace {
		if !f.deployments[value] {
			return badRequest("Invalid deployment identifier specified: %q", value)
		}
		s.deployment = value
		return nil
	}
	field, ok := strings.CutPrefix(path, "/canarySettings/")
	if !ok {
		return badRequest("Invalid patch path %s", path)
	}
	if s.canary == nil {
		s.canary = &types.CanarySettings{}
	}
	c := s.canary
	name, isVar := strings.CutPrefix(field, "stageVariableOverrides/")
	switch {
	case isVar && op.Op == types.OpRemove:
		delete(c.StageVariableOverrides, name)
	case isVar && op.Op == types.OpReplace:
		if c.StageVariableOverrides == nil {
			c.StageVariableOverrides = map[string]string{}
		}
		c.StageVariableOverrides[name] = value
	case op.Op != types.OpReplace:
		return badRequest("Invalid patch operation %s on %s", op.Op, path)
	case field == "deploymentId":
		c.DeploymentId = aws.String(value)
	case field == "useStageCache":
		c.UseStageCache = value == "true"
	case field == "percentTraffic":
		p, err := strconv.ParseFloat(value, 64)
		if err != nil || p < 0 || p > 100 {
			return badRequest("percentTraffic %q must be between 0.0 and 100.0", value)
		}
		c.PercentTraffic = p
	default:
		return badRequest("Invalid patch path %s", path)
	}
	return nil
}

func badRequest(format string, args ...any) error {
	return &types.BadRequestException{Message: aws.String(fmt.Sprintf(format, args...))}
}
