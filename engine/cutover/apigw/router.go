// Package apigw moves a REST API stage's traffic (API Gateway v1) from the
// old backend to the new one with the stage's canary: the stage's own
// deployment calls the old side, the canary calls the new side, and the
// canary's percentTraffic is the target's share. The canary either runs a
// deployment whose integrations call the new backend (TargetDeploymentID),
// or the stage's own deployment with stage variables overridden to point
// at it (CanaryVariables, e.g. backend=https://eks-ingress...), or both.
//
// At 100% the canary keeps carrying all traffic at percentTraffic 100.0:
// the router does not promote it (move the stage's deployment and drop the
// canary), so every step back, and Restore, is one more patch of the same
// stage. Promoting is a decommission act, once the old side is gone. An
// all-or-nothing switch by rewriting the stage's own variables is not
// offered: a canary at 100 does the same and is reversible in one call.
package apigw

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// Client is the part of the API Gateway API the router calls;
// *apigateway.Client satisfies it.
type Client interface {
	GetStage(ctx context.Context, in *apigateway.GetStageInput, opts ...func(*apigateway.Options)) (*apigateway.GetStageOutput, error)
	UpdateStage(ctx context.Context, in *apigateway.UpdateStageInput, opts ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error)
}

// Config says which stage the router shifts and what its canary runs.
type Config struct {
	Client Client
	// RestAPIID and StageName name the stage, e.g. "a1b2c3d4e5" and "prod".
	RestAPIID, StageName string
	// TargetDeploymentID is the deployment calling the new backend that
	// the canary runs; empty to run the stage's own deployment.
	TargetDeploymentID string
	// CanaryVariables are the stage variables the canary overrides to
	// reach the new backend. Plans show their names, never their values.
	CanaryVariables map[string]string
}

// ChangeKind is the kind of the router's planned changes.
const ChangeKind = "AWS::ApiGateway::Stage"

// Router shifts a stage's traffic with its canary. It holds no state
// between calls: every method reads the stage again.
type Router struct {
	cfg Config
}

var _ cutover.Router = (*Router)(nil)

// New checks cfg and returns its router.
func New(cfg Config) (*Router, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("apigateway router: no API Gateway client")
	case cfg.RestAPIID == "" || cfg.StageName == "":
		return nil, fmt.Errorf("apigateway router: REST API %q stage %q: name both", cfg.RestAPIID, cfg.StageName)
	case cfg.TargetDeploymentID == "" && len(cfg.CanaryVariables) == 0:
		return nil, fmt.Errorf("apigateway router %s/%s: the canary would run the old backend; set the target deployment, or the stage variables pointing at the new backend",
			cfg.RestAPIID, cfg.StageName)
	}
	return &Router{cfg: cfg}, nil
}

// Name is "apigateway a1b2c3d4e5/prod".
func (r *Router) Name() string { return "apigateway " + r.cfg.RestAPIID + "/" + r.cfg.StageName }

// Kind is "apigateway".
func (r *Router) Kind() string { return "apigateway" }

// fail prefixes an error with the stage.
func (r *Router) fail(format string, args ...any) error {
	return fmt.Errorf(r.Name()+": "+format, args...)
}
