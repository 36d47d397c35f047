package alb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// state is the rule's (or listener's) actions as the load balancer holds
// them, with the forward action's two weights picked out; target is -1
// while the target group is not in the forward config.
type state struct {
	actions        []types.Action
	fwd            int // index of the forward action
	source, target int32
}

// Read returns the shares the forward action gives the two target groups.
func (r *Router) Read(ctx context.Context) (cutover.Weights, error) {
	st, err := r.read(ctx)
	if err != nil {
		return cutover.Weights{}, err
	}
	w, ok := st.share()
	if !ok {
		return w, r.fail("both target groups weigh 0, so the share is undefined; Set puts a weight on one of them")
	}
	return w, nil
}

// read fetches the actions and checks the forward action can be shifted:
// it forwards to the source target group and to no third one.
func (r *Router) read(ctx context.Context) (state, error) {
	actions, err := r.actions(ctx)
	if err != nil {
		return state{}, err
	}
	st := state{actions: actions, fwd: -1, source: -1, target: -1}
	var kinds []types.ActionTypeEnum
	for i, a := range actions {
		kinds = append(kinds, a.Type)
		if a.Type == types.ActionTypeEnumForward {
			st.fwd = i
		}
	}
	if st.fwd < 0 {
		return st, r.fail("no forward action (actions: %v); ferry shifts the target groups of a forward action: make the last action forward to %s",
			kinds, tgName(r.cfg.SourceTargetGroupARN))
	}
	for _, t := range tuples(actions[st.fwd]) {
		arn, weight := aws.ToString(t.TargetGroupArn), aws.ToInt32(t.Weight)
		if t.Weight == nil {
			weight = 1 // ALB's default weight
		}
		switch arn {
		case r.cfg.SourceTargetGroupARN:
			st.source = weight
		case r.cfg.TargetTargetGroupARN:
			st.target = weight
		default:
			return st, r.fail("also forwards to a third target group %s (weight %d); ferry shifts between %s and %s only: remove %s from the forward action or name it in the plan",
				arn, weight, tgName(r.cfg.SourceTargetGroupARN), tgName(r.cfg.TargetTargetGroupARN), tgName(arn))
		}
	}
	if st.source < 0 {
		return st, r.fail("does not forward to the source target group %s; check the target group ARNs in the plan", r.cfg.SourceTargetGroupARN)
	}
	return st, nil
}

// tuples are a forward action's target groups: its forward config, or the
// one target group it names.
func tuples(a types.Action) []types.TargetGroupTuple {
	if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 {
		return a.ForwardConfig.TargetGroups
	}
	if a.TargetGroupArn != nil {
		return []types.TargetGroupTuple{{TargetGroupArn: a.TargetGroupArn, Weight: aws.Int32(1)}}
	}
	return nil
}

// share is the split the weights make, rounded to whole percents; false
// when both weigh 0.
func (st state) share() (cutover.Weights, bool) {
	if st.target < 0 {
		return cutover.ToTarget(0), true
	}
	ws, wt := int(st.source), int(st.target)
	if ws+wt == 0 {
		return cutover.Weights{}, false
	}
	return cutover.ToTarget((wt*200 + ws + wt) / (2 * (ws + wt))), true
}

// actions are the rule's actions, or the listener's default actions.
func (r *Router) actions(ctx context.Context) ([]types.Action, error) {
	if r.cfg.RuleARN != "" {
		out, err := r.cfg.Client.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{r.cfg.RuleARN}})
		if err != nil {
			return nil, r.fail("describe rule %s: %w; check the rule ARN and that the profile can read ELB", r.cfg.RuleARN, err)
		}
		if len(out.Rules) != 1 {
			return nil, r.fail("rule %s not found; check the rule ARN", r.cfg.RuleARN)
		}
		if aws.ToBool(out.Rules[0].IsDefault) {
			return nil, r.fail("rule %s is the listener's default rule: leave the rule out of the plan to shift the default action", r.cfg.RuleARN)
		}
		return out.Rules[0].Actions, nil
	}
	out, err := r.cfg.Client.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{r.cfg.ListenerARN}})
	if err != nil {
		return nil, r.fail("describe listener %s: %w; check the listener ARN and that the profile can read ELB", r.cfg.ListenerARN, err)
	}
	if len(out.Listeners) != 1 {
		return nil, r.fail("listener %s not found; check the listener ARN", r.cfg.ListenerARN)
	}
	return out.Listeners[0].DefaultActions, nil
}
