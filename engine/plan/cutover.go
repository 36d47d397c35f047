package plan

import (
	"maps"
	"strconv"
	"strings"
	"time"
)

// Cutover is one service's traffic shift from the source to the target: the
// routers that move it, the gates that must hold, and the stages.
type Cutover struct {
	Namespace, Service string
	// Interval is how often gates are asked during a dwell (10s by default).
	Interval time.Duration
	Routers  []Router
	Gates    Gates
	Steps    []CutoverStep
}

// Router kinds.
const (
	RouterRoute53    = "route53"
	RouterALB        = "alb"
	RouterAPIGateway = "apiGateway"
)

// Router is one traffic router; exactly one of Route53, ALB and APIGateway
// is set, as Kind says.
type Router struct {
	Kind string
	// Account is "source" or "target": whose AWS profile reaches it.
	Account    string
	Route53    *Route53Router
	ALB        *ALBRouter
	APIGateway *APIGatewayRouter
}

// Route53Router is a pair of weighted records on one name: set identifiers
// SourceID and TargetID (source and target by default). TargetValue is what
// the target's record points at when ferry must create it.
type Route53Router struct {
	Zone, Record, Type string
	TargetValue        string
	SourceID, TargetID string
}

// ALBRouter is a listener (or one of its rules) forwarding to the two sides'
// target groups by weight.
type ALBRouter struct {
	Listener, Rule                       string
	SourceTargetGroup, TargetTargetGroup string
}

// APIGatewayRouter is a REST API stage whose canary carries the target's
// share: the canary runs TargetDeployment and/or overrides the stage
// variables with CanaryVariables (e.g. backend: the new side's URL).
type APIGatewayRouter struct {
	RestAPI, Stage   string
	TargetDeployment string
	CanaryVariables  map[string]string
}

// Gates are what each stage checks before moving and while it dwells.
type Gates struct {
	Probes    bool // the service's probes pass on both sides
	ReadyPods bool // the target's pods are ready
	// ErrorRate, when set, bounds the target's error lines per second.
	ErrorRate *ErrorRateGate
}

// ErrorRateGate fails when the target logs more than Max error lines per
// second over Window, or more than the source's rate plus Margin.
type ErrorRateGate struct {
	Max, Margin float64
	Window      time.Duration
}

// CutoverStep is one stage: Percent to the target, held Dwell; Auto starts
// it without confirmation once the stage before completed.
type CutoverStep struct {
	Percent int
	Dwell   time.Duration
	Auto    bool
}

// Defaults of the cutover section.
const (
	DefaultGateInterval = 10 * time.Second
	DefaultErrorWindow  = time.Minute
)

func buildCutover(r *rawCutover) *Cutover {
	if r == nil {
		return nil
	}
	ns, name, _ := strings.Cut(r.Service, "/")
	c := &Cutover{Namespace: ns, Service: name, Interval: DefaultGateInterval, Gates: Gates{Probes: true, ReadyPods: true}}
	if d, err := time.ParseDuration(r.Interval); err == nil {
		c.Interval = d
	}
	for _, rr := range r.Routers {
		c.Routers = append(c.Routers, buildRouter(rr))
	}
	if g := r.Gates; g != nil {
		c.Gates.Probes = g.Probes == nil || *g.Probes
		c.Gates.ReadyPods = g.ReadyPods == nil || *g.ReadyPods
		if e := g.ErrorRate; e != nil {
			c.Gates.ErrorRate = &ErrorRateGate{Window: DefaultErrorWindow}
			c.Gates.ErrorRate.Max, _ = strconv.ParseFloat(e.Max, 64)
			c.Gates.ErrorRate.Margin, _ = strconv.ParseFloat(e.Margin, 64)
			if d, err := time.ParseDuration(e.Window); err == nil {
				c.Gates.ErrorRate.Window = d
			}
		}
	}
	for _, s := range r.Steps {
		d, _ := time.ParseDuration(s.Dwell)
		c.Steps = append(c.Steps, CutoverStep{Percent: s.Percent, Dwell: d, Auto: s.Auto})
	}
	return c
}

func buildRouter(r rawRouter) Router {
	switch {
	case r.Route53 != nil:
		x := r.Route53
		out := &Route53Router{Zone: x.Zone, Record: x.Record, Type: strings.ToUpper(x.Type), TargetValue: x.TargetValue,
			SourceID: x.SourceID, TargetID: x.TargetID}
		if out.SourceID == "" {
			out.SourceID = "source"
		}
		if out.TargetID == "" {
			out.TargetID = "target"
		}
		return Router{Kind: RouterRoute53, Account: x.Account, Route53: out}
	case r.ALB != nil:
		x := r.ALB
		return Router{Kind: RouterALB, Account: x.Account, ALB: &ALBRouter{Listener: x.Listener, Rule: x.Rule,
			SourceTargetGroup: x.SourceTargetGroup, TargetTargetGroup: x.TargetTargetGroup}}
	default:
		x := r.APIGateway
		return Router{Kind: RouterAPIGateway, Account: x.Account, APIGateway: &APIGatewayRouter{RestAPI: x.RestAPI, Stage: x.Stage,
			TargetDeployment: x.TargetDeployment, CanaryVariables: maps.Clone(x.CanaryVariables)}}
	}
}
