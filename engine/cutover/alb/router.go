// Package alb moves an Application Load Balancer's traffic between two
// target groups by the weights of one forward action: a listener rule's,
// or the listener's default action. The old side's target group and the
// new side's sit in one forward config; weights are written as the
// percentages themselves (ALB takes 0..999), in one ModifyRule or
// ModifyListener call, and take effect at once, so MinDwell is 0.
//
// Reading back, the target's share is w_t*100/(w_s+w_t) rounded; a target
// group missing from the forward config reads as 0 and Set adds it when it
// must carry traffic. A target group without a weight weighs 1, as ALB
// counts it. ALB forwards only to target groups of its own account, so the
// new side's pods are registered (as IP targets) in a target group beside
// the old one; that target group is the plan's, not the router's, to make.
package alb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// Client is the part of the ELBv2 API the router calls;
// *elasticloadbalancingv2.Client satisfies it.
type Client interface {
	DescribeListeners(ctx context.Context, in *elb.DescribeListenersInput, opts ...func(*elb.Options)) (*elb.DescribeListenersOutput, error)
	DescribeRules(ctx context.Context, in *elb.DescribeRulesInput, opts ...func(*elb.Options)) (*elb.DescribeRulesOutput, error)
	ModifyListener(ctx context.Context, in *elb.ModifyListenerInput, opts ...func(*elb.Options)) (*elb.ModifyListenerOutput, error)
	ModifyRule(ctx context.Context, in *elb.ModifyRuleInput, opts ...func(*elb.Options)) (*elb.ModifyRuleOutput, error)
}

// Config says which forward action the router shifts, and between which
// target groups.
type Config struct {
	Client Client
	// ListenerARN is the listener; RuleARN one of its rules, or empty for
	// the listener's default action.
	ListenerARN, RuleARN string
	// SourceTargetGroupARN is the old side's target group;
	// TargetTargetGroupARN the new side's.
	SourceTargetGroupARN, TargetTargetGroupARN string
}

// Change kinds of the router's planned changes.
const (
	KindListener = "AWS::ElasticLoadBalancingV2::Listener"
	KindRule     = "AWS::ElasticLoadBalancingV2::ListenerRule"
)

// Router shifts traffic between the two target groups. It holds no state
// between calls: every method reads the load balancer again.
type Router struct {
	cfg   Config
	where string // "orders-public/f2f7dc8efc522ab2 default action"
}

var _ cutover.Router = (*Router)(nil)

// New checks cfg and returns its router.
func New(cfg Config) (*Router, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("alb router: no ELBv2 client")
	case !strings.Contains(cfg.ListenerARN, ":listener/") || strings.Count(cfg.ListenerARN, "/") != 4:
		return nil, fmt.Errorf("alb router: listener ARN %q: want arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID", cfg.ListenerARN)
	case cfg.RuleARN != "" && !strings.HasPrefix(cfg.RuleARN, ruleARNPrefix(cfg.ListenerARN)):
		return nil, fmt.Errorf("alb router: rule %s is not a rule of listener %s; check both ARNs", cfg.RuleARN, cfg.ListenerARN)
	case !strings.Contains(cfg.SourceTargetGroupARN, ":targetgroup/") || !strings.Contains(cfg.TargetTargetGroupARN, ":targetgroup/"):
		return nil, fmt.Errorf("alb router for %s: source %q and target %q must both be target group ARNs", cfg.ListenerARN,
			cfg.SourceTargetGroupARN, cfg.TargetTargetGroupARN)
	case cfg.SourceTargetGroupARN == cfg.TargetTargetGroupARN:
		return nil, fmt.Errorf("alb router for %s: source and target are the same target group %s", cfg.ListenerARN, cfg.SourceTargetGroupARN)
	}
	parts := strings.Split(cfg.ListenerARN, "/") // listener, app, NAME, LB ID, listener ID
	r := &Router{cfg: cfg, where: parts[2] + "/" + parts[4] + " default action"}
	if cfg.RuleARN != "" {
		r.where = parts[2] + "/" + parts[4] + " rule " + cfg.RuleARN[strings.LastIndex(cfg.RuleARN, "/")+1:]
	}
	return r, nil
}

// ruleARNPrefix is what the ARNs of a listener's rules start with.
func ruleARNPrefix(listenerARN string) string {
	return strings.Replace(listenerARN, ":listener/", ":listener-rule/", 1) + "/"
}

// Name is "alb orders-public/f2f7dc8efc522ab2 rule 9683b2d02a6f681a", or
// "... default action" for the listener's own.
func (r *Router) Name() string { return "alb " + r.where }

// Kind is "alb".
func (r *Router) Kind() string { return "alb" }

// fail prefixes an error with what the router shifts.
func (r *Router) fail(format string, args ...any) error {
	return fmt.Errorf(r.Name()+": "+format, args...)
}

// tgName is a target group's name from its ARN, for people.
func tgName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return arn
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}
