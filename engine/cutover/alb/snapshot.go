package alb

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// MinDwell is 0: a load balancer applies new weights to the next request.
func (r *Router) MinDwell(context.Context) (time.Duration, error) { return 0, nil }

// snapshot is the rule's (or listener's default) actions exactly as
// described, the forward config with its weights among them.
type snapshot struct {
	ListenerARN string         `json:"listenerArn"`
	RuleARN     string         `json:"ruleArn,omitempty"`
	Actions     []types.Action `json:"actions"`
}

// Snapshot captures the actions for Restore. It does not need the forward
// action to be shiftable, so a rule in any shape can be put back.
func (r *Router) Snapshot(ctx context.Context) (json.RawMessage, error) {
	actions, err := r.actions(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(snapshot{ListenerARN: r.cfg.ListenerARN, RuleARN: r.cfg.RuleARN, Actions: actions})
}

// Restore writes the snapshot's actions back, which also takes out a
// target group added since; it writes nothing when they are unchanged.
func (r *Router) Restore(ctx context.Context, snap json.RawMessage) error {
	var s snapshot
	if err := json.Unmarshal(snap, &s); err != nil || len(s.Actions) == 0 {
		return r.fail("the snapshot is not one of an ALB router (%v); restore the actions by hand", err)
	}
	if s.ListenerARN != r.cfg.ListenerARN || s.RuleARN != r.cfg.RuleARN {
		return r.fail("the snapshot is of listener %s rule %q; restore it with that router", s.ListenerARN, s.RuleARN)
	}
	cur, err := r.actions(ctx)
	if err != nil {
		return err
	}
	a, errA := json.Marshal(cur)
	b, errB := json.Marshal(s.Actions)
	if errA == nil && errB == nil && bytes.Equal(a, b) {
		return nil
	}
	return r.write(ctx, s.Actions, "restore")
}
