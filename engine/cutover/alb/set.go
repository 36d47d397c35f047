package alb

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"sigs.k8s.io/yaml"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan says what Set(w) would write: nothing when the forward action
// already gives w, a create when the target group joins it, an update
// otherwise.
func (r *Router) Plan(ctx context.Context, w cutover.Weights) (runbook.Change, error) {
	if !w.Valid() {
		return runbook.Change{}, r.fail("weights %s do not add up to 100", w)
	}
	st, err := r.read(ctx)
	if err != nil {
		return runbook.Change{}, err
	}
	ch := runbook.Change{Op: runbook.OpUpdate, Kind: KindListener, Name: r.where, Before: r.render(st)}
	if r.cfg.RuleARN != "" {
		ch.Kind = KindRule
	}
	after, changed := r.wanted(st, w)
	switch {
	case !changed:
		ch.Op, ch.Before = runbook.OpNone, ""
	case st.target < 0:
		ch.Op = runbook.OpCreate
	}
	ch.After = r.render(after)
	return ch, nil
}

// Set writes w into the forward action, adding the target group when it
// must carry traffic, in one call; the rest of the actions stay as they
// are.
func (r *Router) Set(ctx context.Context, w cutover.Weights) error {
	if !w.Valid() {
		return r.fail("weights %s do not add up to 100", w)
	}
	st, err := r.read(ctx)
	if err != nil {
		return err
	}
	after, changed := r.wanted(st, w)
	if !changed {
		return nil
	}
	return r.write(ctx, after.actions, "set "+w.String())
}

// wanted is st with the weights of w, and whether that changes anything.
// A target group missing at 0% stays missing.
func (r *Router) wanted(st state, w cutover.Weights) (state, bool) {
	if cur, ok := st.share(); ok && cur == w {
		return st, false
	}
	after := st
	after.actions = append([]types.Action(nil), st.actions...)
	after.source, after.target = int32(w.Source), int32(w.Target)
	a := after.actions[st.fwd]
	fc := &types.ForwardActionConfig{TargetGroups: []types.TargetGroupTuple{
		{TargetGroupArn: aws.String(r.cfg.SourceTargetGroupARN), Weight: aws.Int32(after.source)},
		{TargetGroupArn: aws.String(r.cfg.TargetTargetGroupARN), Weight: aws.Int32(after.target)},
	}}
	if a.ForwardConfig != nil {
		fc.TargetGroupStickinessConfig = a.ForwardConfig.TargetGroupStickinessConfig
	}
	a.ForwardConfig, a.TargetGroupArn = fc, nil
	after.actions[st.fwd] = a
	return after, true
}

// write replaces the rule's actions, or the listener's default actions.
func (r *Router) write(ctx context.Context, actions []types.Action, what string) error {
	actions = writable(actions)
	if r.cfg.RuleARN != "" {
		_, err := r.cfg.Client.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: aws.String(r.cfg.RuleARN), Actions: actions})
		if err != nil {
			return r.fail("%s: modify rule %s: %w; nothing was changed, check the profile may modify ELB rules", what, r.cfg.RuleARN, err)
		}
		return nil
	}
	_, err := r.cfg.Client.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(r.cfg.ListenerARN), DefaultActions: actions})
	if err != nil {
		return r.fail("%s: modify listener %s: %w; nothing was changed, check the profile may modify ELB listeners", what, r.cfg.ListenerARN, err)
	}
	return nil
}

// writable turns actions as described into actions ELB accepts back: a
// forward config of several target groups names no single one, and an
// OIDC action, whose secret is never described, keeps the secret it has.
func writable(actions []types.Action) []types.Action {
	out := make([]types.Action, len(actions))
	for i, a := range actions {
		if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 1 {
			a.TargetGroupArn = nil
		}
		if a.AuthenticateOidcConfig != nil && a.AuthenticateOidcConfig.ClientSecret == nil {
			oidc := *a.AuthenticateOidcConfig
			oidc.UseExistingClientSecret = aws.Bool(true)
			a.AuthenticateOidcConfig = &oidc
		}
		out[i] = a
	}
	return out
}

// tgView is one target group as the plan shows it.
type tgView struct {
	TargetGroup string `json:"targetGroup"`
	Weight      *int32 `json:"weight"` // nil: not in the forward config
}

// render shows the forward action's two target groups and the split they
// make as small YAML.
func (r *Router) render(st state) string {
	traffic := "undefined (both weigh 0)"
	if w, ok := st.share(); ok {
		traffic = w.String() + " (source/target)"
	}
	weight := func(v int32) *int32 {
		if v < 0 {
			return nil
		}
		return &v
	}
	doc := map[string]any{
		"forward": map[string]tgView{
			"source": {TargetGroup: tgName(r.cfg.SourceTargetGroupARN), Weight: weight(st.source)},
			"target": {TargetGroup: tgName(r.cfg.TargetTargetGroupARN), Weight: weight(st.target)},
		},
		"traffic": traffic,
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Sprintf("(cannot render: %v)", err)
	}
	return strings.TrimSpace(string(out)) + "\n"
}
