package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/cutover/alb"
	"github.com/ferry-dev/ferry/engine/cutover/apigw"
	"github.com/ferry-dev/ferry/engine/cutover/r53"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/preflight"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/tui"
)

// cutoverRig is the plan's cutover as built for this session: its config
// (routers, gates, board) and its stage steps.
type cutoverRig struct {
	cfg   cutover.Config
	steps []runbook.Step
}

// cutoverSteps builds the plan's cutover stages (none without a cutover
// section) and keeps the rig on the session for the cockpit and the
// cutover commands.
func cutoverSteps(ctx context.Context, s *session) ([]runbook.Step, error) {
	c := s.plan.Cutover
	if c == nil {
		return nil, nil
	}
	routers, err := buildRouters(s, c)
	if err != nil {
		return nil, err
	}
	gates, err := buildGates(ctx, s, c)
	if err != nil {
		return nil, err
	}
	cfg := cutover.Config{Namespace: c.Namespace, Service: c.Service,
		SourceLabel: s.plan.Source.Label, TargetLabel: s.plan.Target.Label,
		Routers: routers, Gates: gates, Interval: c.Interval, Deps: []string{preflight.ID}, Board: cutover.NewBoard()}
	for _, st := range c.Steps {
		cfg.Stages = append(cfg.Stages, cutover.Stage{Percent: st.Percent, Dwell: st.Dwell, Auto: st.Auto})
	}
	steps, err := cutover.Steps(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.plan.File, err)
	}
	s.cutover = &cutoverRig{cfg: cfg, steps: steps}
	return steps, nil
}

// buildRouters makes each router of the plan with the AWS profile of the
// side the plan says reaches it.
func buildRouters(s *session, c *plan.Cutover) ([]cutover.Router, error) {
	var out []cutover.Router
	for i, pr := range c.Routers {
		cfg := s.target.AWS
		if pr.Account == "source" {
			cfg = s.source.AWS
		}
		r, err := buildRouter(cfg, pr)
		if err != nil {
			return nil, fmt.Errorf("%s: cutover.routers[%d]: %w", s.plan.File, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func buildRouter(cfg aws.Config, pr plan.Router) (cutover.Router, error) {
	switch pr.Kind {
	case plan.RouterRoute53:
		x := pr.Route53
		return r53.New(r53.Config{Client: route53.NewFromConfig(cfg), ZoneName: x.Zone, RecordName: x.Record, Type: x.Type,
			SourceID: x.SourceID, TargetID: x.TargetID, TargetValue: x.TargetValue})
	case plan.RouterALB:
		x := pr.ALB
		return alb.New(alb.Config{Client: elbv2.NewFromConfig(cfg), ListenerARN: x.Listener, RuleARN: x.Rule,
			SourceTargetGroupARN: x.SourceTargetGroup, TargetTargetGroupARN: x.TargetTargetGroup})
	case plan.RouterAPIGateway:
		x := pr.APIGateway
		return apigw.New(apigw.Config{Client: apigateway.NewFromConfig(cfg), RestAPIID: x.RestAPI, StageName: x.Stage,
			TargetDeploymentID: x.TargetDeployment, CanaryVariables: x.CanaryVariables})
	}
	return nil, fmt.Errorf("router kind %q is not built yet", pr.Kind)
}

// buildGates are the gates the plan turns on for the cutover's service.
func buildGates(ctx context.Context, s *session, c *plan.Cutover) ([]cutover.Gate, error) {
	key := cli.MapNamespaces(s.plan, []string{c.Namespace})[0] + "/" + c.Service
	var gates []cutover.Gate
	if c.Gates.Probes {
		var jobs []probeJob
		for _, svc := range s.plan.Services {
			if svc.Namespace == c.Namespace && svc.Name == c.Service {
				js, err := probeJobs(s.plan, svc, s.source, s.target)
				if err != nil {
					return nil, err
				}
				jobs = js
			}
		}
		prober, err := proberFor(s.source, s.target)
		if err != nil {
			return nil, err
		}
		gates = append(gates, probeGate(prober, jobs))
	}
	if c.Gates.ReadyPods {
		gates = append(gates, readyGate(s, key))
	}
	if e := c.Gates.ErrorRate; e != nil {
		gates = append(gates, newErrorRateGate(ctx, s, key, *e))
	}
	return gates, nil
}

// cockpitCutover is the cutover as the cockpit's screen reads it: the
// board, the stages, and a refresh that reads the routers and asks the
// gates.
type cockpitCutover struct{ rig *cutoverRig }

func (c cockpitCutover) Status() cutover.Status   { return c.rig.cfg.Board.Snapshot() }
func (c cockpitCutover) Changed() <-chan struct{} { return c.rig.cfg.Board.Changed() }

func (c cockpitCutover) Stages() []tui.CutoverStage {
	out := make([]tui.CutoverStage, 0, len(c.rig.steps))
	for _, s := range c.rig.steps {
		st := s.(cutover.StageStep)
		out = append(out, tui.CutoverStage{ID: st.ID(), Percent: st.Percent(), Dwell: st.Dwell(), Auto: st.Auto()})
	}
	return out
}

func (c cockpitCutover) Refresh(ctx context.Context) {
	cutover.Refresh(ctx, c.rig.cfg.Board, c.rig.cfg.Routers, c.rig.cfg.Gates)
}
