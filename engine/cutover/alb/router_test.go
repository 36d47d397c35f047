package alb

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	listener = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/orders-public/50dc6c495c0c9188/f2f7dc8efc522ab2"
	rule     = "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/orders-public/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6f681a"
	tgOld    = "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/orders-kops/73e2d6bc24d8a067"
	tgNew    = "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/orders-eks/2453ed029918f21f"
	tgThird  = "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/orders-blue/aaaaaaaaaaaaaaaa"
	ruleName = "alb orders-public/f2f7dc8efc522ab2 rule 9683b2d02a6f681a: "
	lisName  = "alb orders-public/f2f7dc8efc522ab2 default action: "
)

// forward is a forward action over target group ARNs and weights, given
// in pairs.
func forward(pairs ...any) types.Action {
	fc := &types.ForwardActionConfig{}
	for i := 0; i < len(pairs); i += 2 {
		fc.TargetGroups = append(fc.TargetGroups, types.TargetGroupTuple{TargetGroupArn: aws.String(pairs[i].(string)), Weight: aws.Int32(int32(pairs[i+1].(int)))})
	}
	return types.Action{Type: types.ActionTypeEnumForward, ForwardConfig: fc}
}

// simple is a forward action naming one target group, without a config.
func simple(arn string) types.Action {
	return types.Action{Type: types.ActionTypeEnumForward, TargetGroupArn: aws.String(arn)}
}

// unsticky is a with the stickiness ELB describes for a single target
// group: disabled.
func unsticky(a types.Action) types.Action {
	a.ForwardConfig.TargetGroupStickinessConfig = &types.TargetGroupStickinessConfig{Enabled: aws.Bool(false)}
	return a
}

func oidc() types.Action {
	return types.Action{Type: types.ActionTypeEnumAuthenticateOidc, Order: aws.Int32(1), AuthenticateOidcConfig: &types.AuthenticateOidcActionConfig{
		Issuer: aws.String("https://idp.acme.example"), ClientId: aws.String("shop"), ClientSecret: aws.String("s3cret"),
		AuthorizationEndpoint: aws.String("https://idp.acme.example/auth"), TokenEndpoint: aws.String("https://idp.acme.example/token"),
		UserInfoEndpoint: aws.String("https://idp.acme.example/userinfo")}}
}

func config(f *fakeELB, onRule bool) Config {
	c := Config{Client: f, ListenerARN: listener, SourceTargetGroupARN: tgOld, TargetTargetGroupARN: tgNew}
	if onRule {
		c.RuleARN = rule
	}
	return c
}

// setup is a fake whose listener's default action and rule both hold
// actions, and a router on the rule or the default action.
func setup(t *testing.T, onRule bool, actions ...types.Action) (*fakeELB, *Router) {
	t.Helper()
	f := newFake(tgOld, tgNew, tgThird)
	f.defaults[listener] = described(actions)
	f.rules[rule] = described(actions)
	r, err := New(config(f, onRule))
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		edit       func(*Config)
	}{
		{"no client", "alb router: no ELBv2 client", func(c *Config) { c.Client = nil }},
		{"listener", `alb router: listener ARN "orders": want arn:aws:elasticloadbalancing:`, func(c *Config) { c.ListenerARN = "orders" }},
		{"rule of another listener", "alb router: rule arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/orders-public/50dc6c495c0c9188/0000/1 is not a rule of listener",
			func(c *Config) { c.RuleARN = strings.Replace(rule, "f2f7dc8efc522ab2/9683b2d02a6f681a", "0000/1", 1) }},
		{"not a target group", `source "i-123" and target`, func(c *Config) { c.SourceTargetGroupARN = "i-123" }},
		{"same target group", "source and target are the same target group", func(c *Config) { c.TargetTargetGroupARN = tgOld }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(newFake(), true)
			tc.edit(&cfg)
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestNameKind(t *testing.T) {
	t.Parallel()
	_, onRule := setup(t, true, simple(tgOld))
	_, onListener := setup(t, false, simple(tgOld))
	if onRule.Name()+": " != ruleName || onListener.Name()+": " != lisName || onRule.Kind() != "alb" {
		t.Errorf("names %q, %q, kind %q", onRule.Name(), onListener.Name(), onRule.Kind())
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	unweighted := forward(tgOld, 0, tgNew, 0)
	unweighted.ForwardConfig.TargetGroups[0].Weight, unweighted.ForwardConfig.TargetGroups[1].Weight = nil, nil
	redirect := types.Action{Type: types.ActionTypeEnumRedirect, RedirectConfig: &types.RedirectActionConfig{StatusCode: types.RedirectActionStatusCodeEnumHttp301}}
	for _, tc := range []struct {
		name    string
		actions []types.Action
		want    cutover.Weights
		err     string
	}{
		{"one target group", []types.Action{simple(tgOld)}, cutover.ToTarget(0), ""},
		{"90/10", []types.Action{forward(tgOld, 90, tgNew, 10)}, cutover.ToTarget(10), ""},
		{"relative", []types.Action{forward(tgNew, 999, tgOld, 1)}, cutover.ToTarget(100), ""},
		{"target at 0", []types.Action{forward(tgOld, 3, tgNew, 0)}, cutover.ToTarget(0), ""},
		{"no weights weigh 1", []types.Action{unweighted}, cutover.ToTarget(50), ""},
		{"after authentication", []types.Action{oidc(), forward(tgOld, 50, tgNew, 50)}, cutover.ToTarget(50), ""},
		{"both 0", []types.Action{forward(tgOld, 0, tgNew, 0)}, cutover.Weights{},
			"both target groups weigh 0, so the share is undefined"},
		{"no forward", []types.Action{redirect}, cutover.Weights{},
			"no forward action (actions: [redirect]); ferry shifts the target groups of a forward action: make the last action forward to orders-kops"},
		{"third target group", []types.Action{forward(tgOld, 90, tgThird, 10)}, cutover.Weights{},
			"also forwards to a third target group " + tgThird + " (weight 10); ferry shifts between orders-kops and orders-eks only: remove orders-blue"},
		{"no source", []types.Action{simple(tgNew)}, cutover.Weights{},
			"does not forward to the source target group " + tgOld + "; check the target group ARNs in the plan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, onRule := range []bool{true, false} {
				_, r := setup(t, onRule, tc.actions...)
				got, err := r.Read(t.Context())
				prefix := lisName
				if onRule {
					prefix = ruleName
				}
				if tc.err != "" {
					if err == nil || !strings.HasPrefix(err.Error(), prefix+tc.err) {
						t.Errorf("Read = %v, %v; want error %q", got, err, prefix+tc.err)
					}
				} else if err != nil || got != tc.want {
					t.Errorf("Read = %v, %v; want %v", got, err, tc.want)
				}
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		onRule bool
		edit   func(*fakeELB)
		err    string
	}{
		{"rule gone", true, func(f *fakeELB) { delete(f.rules, rule) },
			ruleName + "describe rule " + rule + ": operation error"},
		{"default rule", true, func(f *fakeELB) { f.defaultRules[rule] = true },
			ruleName + "rule " + rule + " is the listener's default rule: leave the rule out of the plan"},
		{"listener gone", false, func(f *fakeELB) { delete(f.defaults, listener) },
			lisName + "describe listener " + listener + ": operation error"},
		{"denied", false, func(f *fakeELB) { f.fail["DescribeListeners"] = errors.New("AccessDenied") },
			lisName + "describe listener " + listener + ": AccessDenied; check the listener ARN and that the profile can read ELB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, r := setup(t, tc.onRule, simple(tgOld))
			tc.edit(f)
			// The fake's not-found errors are typed, not wrapped in an
			// operation error as the SDK's are: compare up to the cause.
			want, _, _ := strings.Cut(tc.err, ": operation error")
			if _, err := r.Read(t.Context()); err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Read: %v, want %q", err, want)
			}
		})
	}
}

// TestSet drives the weights from a shape of actions and checks the one
// write and the actions stored after.
func TestSet(t *testing.T) {
	t.Parallel()
	sticky := forward(tgOld, 1)
	sticky.ForwardConfig.TargetGroupStickinessConfig = &types.TargetGroupStickinessConfig{Enabled: aws.Bool(true), DurationSeconds: aws.Int32(300)}
	stickyAfter := forward(tgOld, 90, tgNew, 10)
	stickyAfter.ForwardConfig.TargetGroupStickinessConfig = sticky.ForwardConfig.TargetGroupStickinessConfig
	for _, tc := range []struct {
		name   string
		before []types.Action
		w      cutover.Weights
		writes bool
		after  []types.Action
	}{
		{"adds the target group", []types.Action{simple(tgOld)}, cutover.ToTarget(10), true, []types.Action{unsticky(forward(tgOld, 90, tgNew, 10))}},
		{"shifts", []types.Action{forward(tgOld, 90, tgNew, 10)}, cutover.ToTarget(50), true, []types.Action{forward(tgOld, 50, tgNew, 50)}},
		{"all to target", []types.Action{forward(tgNew, 1, tgOld, 1)}, cutover.ToTarget(100), true, []types.Action{forward(tgOld, 0, tgNew, 100)}},
		{"keeps stickiness", []types.Action{sticky}, cutover.ToTarget(10), true, []types.Action{stickyAfter}},
		{"keeps authentication", []types.Action{oidc(), simple(tgOld)}, cutover.ToTarget(10), true, []types.Action{oidc(), unsticky(forward(tgOld, 90, tgNew, 10))}},
		{"from both 0", []types.Action{forward(tgOld, 0, tgNew, 0)}, cutover.ToTarget(0), true, []types.Action{forward(tgOld, 100, tgNew, 0)}},
		{"already so", []types.Action{forward(tgOld, 180, tgNew, 20)}, cutover.ToTarget(10), false, []types.Action{forward(tgOld, 180, tgNew, 20)}},
		{"no target at 0", []types.Action{simple(tgOld)}, cutover.ToTarget(0), false, []types.Action{simple(tgOld)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, onRule := range []bool{true, false} {
				f, r := setup(t, onRule, tc.before...)
				arn, op := listener, "ModifyListener "+listener
				if onRule {
					arn, op = rule, "ModifyRule "+rule
				}
				if err := r.Set(t.Context(), tc.w); err != nil {
					t.Fatal(err)
				}
				var want []string
				if tc.writes {
					want = []string{op}
				}
				if got := f.calls.Writes(); !slices.Equal(got, want) {
					t.Errorf("writes %q, want %q", got, want)
				}
				wantStored, _ := json.Marshal(described(tc.after))
				if got := f.stored(arn); got != string(wantStored) {
					t.Errorf("stored\n%s\nwant\n%s", got, wantStored)
				}
				if got, err := r.Read(t.Context()); err != nil || got != tc.w {
					t.Errorf("Read after Set = %v, %v; want %v", got, err, tc.w)
				}
				if err := r.Set(t.Context(), tc.w); err != nil || len(f.calls.Writes()) != len(want) {
					t.Errorf("second Set: %v, writes %q", err, f.calls.Writes())
				}
			}
		})
	}
}

func TestSetErrors(t *testing.T) {
	t.Parallel()
	f, r := setup(t, true, simple(tgOld))
	if err := r.Set(t.Context(), cutover.Weights{Source: 10, Target: 10}); err == nil ||
		err.Error() != ruleName+"weights 10/10 do not add up to 100" {
		t.Errorf("Set of bad weights: %v", err)
	}
	f.fail["ModifyRule"] = errors.New("AccessDenied")
	want := ruleName + "set 90/10: modify rule " + rule + ": AccessDenied; nothing was changed, check the profile may modify ELB rules"
	if err := r.Set(t.Context(), cutover.ToTarget(10)); err == nil || err.Error() != want {
		t.Errorf("Set: %v, want %q", err, want)
	}
	delete(f.groups, tgNew)
	delete(f.fail, "ModifyRule")
	if err := r.Set(t.Context(), cutover.ToTarget(10)); err == nil || !strings.Contains(err.Error(), "One or more target groups not found: "+tgNew) {
		t.Errorf("Set to a missing target group: %v", err)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	f, r := setup(t, true, simple(tgOld))
	ch, err := r.Plan(t.Context(), cutover.ToTarget(10))
	if err != nil {
		t.Fatal(err)
	}
	want := runbook.Change{Op: runbook.OpCreate, Kind: KindRule, Name: "orders-public/f2f7dc8efc522ab2 rule 9683b2d02a6f681a",
		Before: `forward:
  source:
    targetGroup: orders-kops
    weight: 1
  target:
    targetGroup: orders-eks
    weight: null
traffic: 100/0 (source/target)
`, After: `forward:
  source:
    targetGroup: orders-kops
    weight: 90
  target:
    targetGroup: orders-eks
    weight: 10
traffic: 90/10 (source/target)
`}
	if ch != want || len(f.calls.Writes()) != 0 {
		t.Errorf("Plan =\n%+v\nwant\n%+v\nwrites %q", ch, want, f.calls.Writes())
	}
	for _, tc := range []struct {
		actions []types.Action
		w       cutover.Weights
		op      runbook.Op
	}{
		{[]types.Action{forward(tgOld, 90, tgNew, 10)}, cutover.ToTarget(50), runbook.OpUpdate},
		{[]types.Action{forward(tgOld, 90, tgNew, 10)}, cutover.ToTarget(10), runbook.OpNone},
		{[]types.Action{simple(tgOld)}, cutover.ToTarget(0), runbook.OpNone},
	} {
		_, r := setup(t, false, tc.actions...)
		ch, err := r.Plan(t.Context(), tc.w)
		if err != nil || ch.Op != tc.op || ch.Kind != KindListener {
			t.Errorf("Plan %v = %s %s, %v; want %s", tc.w, ch.Op, ch.Kind, err, tc.op)
		}
	}
}

func TestMinDwell(t *testing.T) {
	t.Parallel()
	_, r := setup(t, true, simple(tgOld))
	if d, err := r.MinDwell(t.Context()); d != 0 || err != nil {
		t.Errorf("MinDwell = %v, %v", d, err)
	}
}
