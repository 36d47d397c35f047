package alb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeELB is one account's load balancers in memory, answering as ELBv2
// does where the router can tell: unknown listeners, rules and target
// groups are refused; a forward config of several target groups may not
// also name one; weights are 0..999; an OIDC action needs its secret or
// UseExistingClientSecret; described actions never show the secret, and a
// single-group forward shows both the group and a forward config of weight
// 1. Every call is logged.
type fakeELB struct {
	mu           sync.Mutex
	defaults     map[string][]types.Action // listener ARN -> default actions
	rules        map[string][]types.Action // rule ARN -> actions
	defaultRules map[string]bool
	groups       map[string]bool // target group ARNs
	fail         map[string]error
	calls        clonetest.Calls
}

func newFake(groups ...string) *fakeELB {
	f := &fakeELB{defaults: map[string][]types.Action{}, rules: map[string][]types.Action{}, defaultRules: map[string]bool{},
		groups: map[string]bool{}, fail: map[string]error{}}
	for _, g := range groups {
		f.groups[g] = true
	}
	return f
}

func (f *fakeELB) log(op, arn string) error {
	f.calls.Add(op + " " + arn)
	return f.fail[op]
}

// stored returns what an ARN's actions hold, as JSON for comparing.
func (f *fakeELB) stored(arn string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.defaults[arn]
	if !ok {
		a = f.rules[arn]
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// described is actions as Describe shows them: secrets left out, the
// target group of a single-group forward named, copies throughout.
func described(actions []types.Action) []types.Action {
	var out []types.Action
	b, _ := json.Marshal(actions)
	_ = json.Unmarshal(b, &out)
	for i := range out {
		if c := out[i].AuthenticateOidcConfig; c != nil {
			c.ClientSecret, c.UseExistingClientSecret = nil, nil
		}
		if out[i].Type == types.ActionTypeEnumForward && out[i].ForwardConfig == nil {
			out[i].ForwardConfig = &types.ForwardActionConfig{
				TargetGroups:                []types.TargetGroupTuple{{TargetGroupArn: out[i].TargetGroupArn, Weight: aws.Int32(1)}},
				TargetGroupStickinessConfig: &types.TargetGroupStickinessConfig{Enabled: aws.Bool(false)}}
		}
		if fc := out[i].ForwardConfig; fc != nil && len(fc.TargetGroups) == 1 {
			out[i].TargetGroupArn = fc.TargetGroups[0].TargetGroupArn
		}
	}
	return out
}

// accept checks actions as ELBv2 does and returns them as stored.
func (f *fakeELB) accept(actions []types.Action) ([]types.Action, error) {
	for _, a := range actions {
		if c := a.AuthenticateOidcConfig; c != nil && c.ClientSecret == nil && !aws.ToBool(c.UseExistingClientSecret) {
			return nil, &types.InvalidConfigurationRequestException{Message: aws.String("ClientSecret is required")}
		}
		if a.Type != types.ActionTypeEnumForward {
			continue
		}
		ts := tuples(a)
		if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 1 && a.TargetGroupArn != nil {
			return nil, &types.InvalidConfigurationRequestException{Message: aws.String("You cannot specify both a target group ARN and a forward config with several target groups")}
		}
		for _, t := range ts {
			if !f.groups[aws.ToString(t.TargetGroupArn)] {
				return nil, &types.TargetGroupNotFoundException{Message: aws.String("One or more target groups not found: " + aws.ToString(t.TargetGroupArn))}
			}
			if w := aws.ToInt32(t.Weight); w < 0 || w > 999 {
				return nil, &types.InvalidConfigurationRequestException{Message: aws.String(fmt.Sprintf("weight %d is outside 0..999", w))}
			}
		}
	}
	return described(actions), nil
}

func (f *fakeELB) DescribeListeners(_ context.Context, in *elb.DescribeListenersInput, _ ...func(*elb.Options)) (*elb.DescribeListenersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("DescribeListeners", strings.Join(in.ListenerArns, ",")); err != nil {
		return nil, err
	}
	out := &elb.DescribeListenersOutput{}
	for _, arn := range in.ListenerArns {
		a, ok := f.defaults[arn]
		if !ok {
			return nil, &types.ListenerNotFoundException{Message: aws.String("One or more listeners not found")}
		}
		out.Listeners = append(out.Listeners, types.Listener{ListenerArn: aws.String(arn), DefaultActions: described(a)})
	}
	return out, nil
}

func (f *fakeELB) DescribeRules(_ context.Context, in *elb.DescribeRulesInput, _ ...func(*elb.Options)) (*elb.DescribeRulesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("DescribeRules", strings.Join(in.RuleArns, ",")); err != nil {
		return nil, err
	}
	out := &elb.DescribeRulesOutput{}
	for _, arn := range in.RuleArns {
		a, ok := f.rules[arn]
		if !ok {
			return nil, &types.RuleNotFoundException{Message: aws.String("One or more rules not found")}
		}
		out.Rules = append(out.Rules, types.Rule{RuleArn: aws.String(arn), Actions: described(a), IsDefault: aws.Bool(f.defaultRules[arn])})
	}
	return out, nil
}

func (f *fakeELB) ModifyListener(_ context.Context, in *elb.ModifyListenerInput, _ ...func(*elb.Options)) (*elb.ModifyListenerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.ListenerArn)
	if err := f.log("ModifyListener", arn); err != nil {
		return nil, err
	}
	if _, ok := f.defaults[arn]; !ok {
		return nil, &types.ListenerNotFoundException{Message: aws.String("One or more listeners not found")}
	}
	a, err := f.accept(in.DefaultActions)
	if err != nil {
		return nil, err
	}
	f.defaults[arn] = a
	return &elb.ModifyListenerOutput{}, nil
}

func (f *fakeELB) ModifyRule(_ context.Context, in *elb.ModifyRuleInput, _ ...func(*elb.Options)) (*elb.ModifyRuleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.RuleArn)
	if err := f.log("ModifyRule", arn); err != nil {
		return nil, err
	}
	if _, ok := f.rules[arn]; !ok {
		return nil, &types.RuleNotFoundException{Message: aws.String("One or more rules not found")}
	}
	a, err := f.accept(in.Actions)
	if err != nil {
		return nil, err
	}
	f.rules[arn] = a
	return &elb.ModifyRuleOutput{}, nil
}
