package r53

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan says what Set(w) would write: nothing when Route53 already gives w,
// a create when the target record must be made, an update otherwise.
func (r *Router) Plan(ctx context.Context, w cutover.Weights) (runbook.Change, error) {
	if !w.Valid() {
		return runbook.Change{}, fmt.Errorf("%s: weights %s do not add up to 100", r.Name(), w)
	}
	st, err := r.read(ctx)
	if err != nil {
		return runbook.Change{}, err
	}
	after, err := r.wanted(st, w)
	if err != nil {
		return runbook.Change{}, err
	}
	ch := runbook.Change{Op: runbook.OpUpdate, Kind: ChangeKind, Name: r.name + " " + string(r.typ),
		Before: r.render(st), After: r.render(after)}
	switch {
	case after == st:
		ch.Op, ch.Before = runbook.OpNone, ""
	case st.target == nil:
		ch.Op = runbook.OpCreate
	}
	return ch, nil
}

// Set writes w as one batch of UPSERTs, creating the target record when it
// must carry traffic, and waits until the change is INSYNC.
func (r *Router) Set(ctx context.Context, w cutover.Weights) error {
	if !w.Valid() {
		return fmt.Errorf("%s: weights %s do not add up to 100", r.Name(), w)
	}
	st, err := r.read(ctx)
	if err != nil {
		return err
	}
	after, err := r.wanted(st, w)
	if err != nil || after == st {
		return err
	}
	var changes []types.Change
	for _, pair := range [][2]*types.ResourceRecordSet{{st.source, after.source}, {st.target, after.target}} {
		if pair[0] != pair[1] {
			changes = append(changes, types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: pair[1]})
		}
	}
	return r.apply(ctx, st.zone, "ferry cutover "+w.String(), changes)
}

// wanted is st with the weights of w. It returns st itself when Route53
// already gives w, and leaves a missing target record missing at 0%.
func (r *Router) wanted(st state, w cutover.Weights) (state, error) {
	if share(st.source, st.target) == w {
		return st, nil
	}
	after := st
	if aws.ToInt64(st.source.Weight) != int64(w.Source) {
		after.source = weighted(st.source, w.Source)
	}
	switch {
	case st.target == nil:
		t, err := r.newTarget(st, w.Target)
		if err != nil {
			return st, err
		}
		after.target = t
	case aws.ToInt64(st.target.Weight) != int64(w.Target):
		after.target = weighted(st.target, w.Target)
	}
	return after, nil
}

// weighted is a copy of rs with another weight.
func weighted(rs *types.ResourceRecordSet, weight int) *types.ResourceRecordSet {
	c := *rs
	c.Weight = aws.Int64(int64(weight))
	return &c
}

// newTarget is the target's record as Set creates it: the source's name,
// type and TTL, with the configured value or alias target.
func (r *Router) newTarget(st state, weight int) (*types.ResourceRecordSet, error) {
	rs := &types.ResourceRecordSet{Name: st.source.Name, Type: st.source.Type,
		SetIdentifier: aws.String(r.cfg.TargetID), Weight: aws.Int64(int64(weight))}
	switch {
	case st.source.AliasTarget != nil && r.cfg.TargetAlias == nil:
		return nil, r.fail(st.zone, "no record with SetIdentifier %s yet and the source is an alias record: set the target alias (the new load balancer's DNS name and hosted zone id) to create it",
			r.cfg.TargetID)
	case r.cfg.TargetAlias != nil:
		a := *r.cfg.TargetAlias
		rs.AliasTarget = &a
	case r.cfg.TargetValue == "":
		return nil, r.fail(st.zone, "no record with SetIdentifier %s yet and no target value to create it with: set the new side's ingress host name (or address)",
			r.cfg.TargetID)
	default:
		rs.TTL = st.source.TTL
		rs.ResourceRecords = []types.ResourceRecord{{Value: aws.String(r.cfg.TargetValue)}}
	}
	return rs, nil
}

// apply sends changes as one batch, which Route53 applies all or none, and
// waits for it to reach every Route53 name server.
func (r *Router) apply(ctx context.Context, z zone, comment string, changes []types.Change) error {
	out, err := r.cfg.Client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(z.id),
		ChangeBatch:  &types.ChangeBatch{Comment: aws.String(comment), Changes: changes},
	})
	if err != nil {
		return r.fail(z, "change record sets (%s): %w; nothing was changed, check the profile may change Route53 records", comment, err)
	}
	if out.ChangeInfo == nil || out.ChangeInfo.Status == types.ChangeStatusInsync {
		return nil
	}
	return r.waitInSync(ctx, z, aws.ToString(out.ChangeInfo.Id))
}

// waitInSync polls GetChange, waiting longer each time up to maxPoll,
// until the change is INSYNC, SyncTimeout passes or ctx ends.
func (r *Router) waitInSync(ctx context.Context, z zone, id string) error {
	deadline := time.Now().Add(r.cfg.SyncTimeout)
	delay := r.cfg.PollInterval
	for {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return r.fail(z, "change %s was accepted but is not INSYNC yet: %w; check it with aws route53 get-change --id %s", id, ctx.Err(), id)
		case <-t.C:
		}
		out, err := r.cfg.Client.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
		if err != nil {
			return r.fail(z, "change %s was accepted; reading its status: %w; check it with aws route53 get-change --id %s", id, err, id)
		}
		if out.ChangeInfo != nil && out.ChangeInfo.Status == types.ChangeStatusInsync {
			return nil
		}
		if time.Now().After(deadline) {
			return r.fail(z, "change %s was accepted but is still PENDING after %s; wait for it (aws route53 get-change --id %s) before going on",
				id, r.cfg.SyncTimeout, id)
		}
		delay = min(2*delay, max(maxPoll, r.cfg.PollInterval))
	}
}
