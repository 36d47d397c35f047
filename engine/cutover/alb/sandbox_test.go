package alb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// TestSandboxWeights makes an ALB of its own in the old account of a
// private sandbox: two target groups, a listener forwarding to the old
// one, and a path rule doing the same. For the rule and for the default
// action it shifts to 90/10, 50/50 and 0/100, checks each with a client
// the router never uses, and restores the snapshot: the actions end as
// they began, the new target group out of them again.
func TestSandboxWeights(t *testing.T) {
	env := sandboxtest.Isolated(t)
	cfg := env.AWS(t, "kops")
	reader := elb.NewFromConfig(cfg)
	lb := newBalancer(t, reader)
	for _, onRule := range []bool{true, false} {
		t.Run(fmt.Sprintf("rule=%v", onRule), func(t *testing.T) {
			var ops clonetest.OpLog
			rc := Config{Client: elb.NewFromConfig(ops.Config(cfg)), ListenerARN: lb.listener,
				SourceTargetGroupARN: lb.old, TargetTargetGroupARN: lb.new}
			if onRule {
				rc.RuleARN = lb.rule
			}
			r, err := New(rc)
			must(t, err)
			before := forwardOf(t, reader, rc)
			if before != "forward "+lb.old+"=1" {
				t.Fatalf("the new balancer forwards %s, want only to %s", before, lb.old)
			}
			snap, err := r.Snapshot(t.Context())
			must(t, err)
			for _, w := range []cutover.Weights{cutover.ToTarget(10), cutover.ToTarget(50), cutover.ToTarget(100)} {
				must(t, r.Set(t.Context(), w))
				want := fmt.Sprintf("forward %s=%d %s=%d", lb.old, w.Source, lb.new, w.Target)
				if got := forwardOf(t, reader, rc); got != want {
					t.Errorf("after Set(%v) the balancer holds %s, want %s", w, got, want)
				}
				if got, err := r.Read(t.Context()); err != nil || got != w {
					t.Errorf("Read after Set(%v) = %v, %v", w, got, err)
				}
				if ch, err := r.Plan(t.Context(), w); err != nil || ch.Op != runbook.OpNone {
					t.Errorf("Plan(%v) after Set = %s, %v; want none", w, ch.Op, err)
				}
			}
			must(t, r.Restore(t.Context(), snap))
			if got := forwardOf(t, reader, rc); got != before {
				t.Errorf("after Restore the balancer holds %s, want %s", got, before)
			}
			op := "ModifyListener"
			if onRule {
				op = "ModifyRule"
			}
			if w := ops.Writes(0); !slices.Equal(w, []string{op, op, op, op}) {
				t.Errorf("writes %q, want one %s a Set and one for the Restore", w, op)
			}
		})
	}
}

// balancer is the ARNs of a load balancer made for one test.
type balancer struct{ lb, listener, rule, old, new string }

// newBalancer makes an ALB with target groups orders-kops and orders-eks,
// an HTTP listener and a /shop/* rule, both forwarding to orders-kops,
// and deletes them when the test ends.
func newBalancer(t *testing.T, c *elb.Client) balancer {
	t.Helper()
	ctx := t.Context()
	var b balancer
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("orders-public"),
		Type: types.LoadBalancerTypeEnumApplication, Subnets: []string{"subnet-0a1", "subnet-0b2"}})
	must(t, err)
	b.lb = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	t.Cleanup(func() {
		_, err := c.DeleteLoadBalancer(context.Background(), &elb.DeleteLoadBalancerInput{LoadBalancerArn: &b.lb})
		cleanup(t, "load balancer", err)
	})
	for _, tg := range []struct {
		name string
		arn  *string
	}{{"orders-kops", &b.old}, {"orders-eks", &b.new}} {
		out, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(tg.name), Protocol: types.ProtocolEnumHttp,
			Port: aws.Int32(80), VpcId: aws.String("vpc-0ferry"), TargetType: types.TargetTypeEnumIp})
		must(t, err)
		*tg.arn = aws.ToString(out.TargetGroups[0].TargetGroupArn)
		t.Cleanup(func() {
			_, err := c.DeleteTargetGroup(context.Background(), &elb.DeleteTargetGroupInput{TargetGroupArn: tg.arn})
			cleanup(t, "target group", err)
		})
	}
	toOld := []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: aws.String(b.old)}}
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: &b.lb, Protocol: types.ProtocolEnumHttp,
		Port: aws.Int32(80), DefaultActions: toOld})
	must(t, err)
	b.listener = aws.ToString(l.Listeners[0].ListenerArn)
	t.Cleanup(func() {
		_, err := c.DeleteListener(context.Background(), &elb.DeleteListenerInput{ListenerArn: &b.listener})
		cleanup(t, "listener", err)
	})
	rule, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: &b.listener, Priority: aws.Int32(10), Actions: toOld,
		Conditions: []types.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/shop/*"}}}})
	must(t, err)
	b.rule = aws.ToString(rule.Rules[0].RuleArn)
	return b
}

func cleanup(t *testing.T, what string, err error) {
	if err != nil {
		t.Errorf("delete the test's %s: %v", what, err)
	}
}

// forwardOf is the forward action of the rule (or default action) rc
// names, read with plain SDK calls: "forward ARN=WEIGHT ...".
func forwardOf(t *testing.T, c *elb.Client, rc Config) string {
	t.Helper()
	var actions []types.Action
	if rc.RuleARN != "" {
		out, err := c.DescribeRules(t.Context(), &elb.DescribeRulesInput{RuleArns: []string{rc.RuleARN}})
		must(t, err)
		actions = out.Rules[0].Actions
	} else {
		out, err := c.DescribeListeners(t.Context(), &elb.DescribeListenersInput{ListenerArns: []string{rc.ListenerARN}})
		must(t, err)
		actions = out.Listeners[0].DefaultActions
	}
	if len(actions) != 1 || actions[0].Type != types.ActionTypeEnumForward {
		t.Fatalf("actions %+v, want one forward", actions)
	}
	a := actions[0]
	if a.ForwardConfig == nil || len(a.ForwardConfig.TargetGroups) == 0 {
		return "forward " + aws.ToString(a.TargetGroupArn) + "=1"
	}
	parts := []string{"forward"}
	for _, tg := range a.ForwardConfig.TargetGroups {
		parts = append(parts, fmt.Sprintf("%s=%d", aws.ToString(tg.TargetGroupArn), aws.ToInt32(tg.Weight)))
	}
	return strings.Join(parts, " ")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
