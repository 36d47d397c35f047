package r53

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"sigs.k8s.io/yaml"
)

// MinDwell is the longest TTL of the two records: resolvers may answer
// from their cache that long after a change.
func (r *Router) MinDwell(ctx context.Context) (time.Duration, error) {
	st, err := r.read(ctx)
	if err != nil {
		return 0, err
	}
	return max(ttl(st.source), ttl(st.target)), nil
}

func ttl(rs *types.ResourceRecordSet) time.Duration {
	switch {
	case rs == nil:
		return 0
	case rs.AliasTarget != nil:
		return aliasTTL
	}
	return time.Duration(aws.ToInt64(rs.TTL)) * time.Second
}

// snapshot is both records exactly as Route53 held them; a nil Target
// means there was no target record, so Restore deletes one.
type snapshot struct {
	ZoneID string                   `json:"zoneId"`
	Name   string                   `json:"name"`
	Type   types.RRType             `json:"type"`
	Source *types.ResourceRecordSet `json:"source"`
	Target *types.ResourceRecordSet `json:"target"`
}

// Snapshot captures both records for Restore.
func (r *Router) Snapshot(ctx context.Context) (json.RawMessage, error) {
	st, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(snapshot{ZoneID: st.zone.id, Name: r.name, Type: r.typ, Source: st.source, Target: st.target})
}

// Restore puts both records back as snap holds them, in one batch: the
// source and a target that existed are upserted as they were, a target
// that did not exist is deleted. Records already as snap holds them are
// left alone.
func (r *Router) Restore(ctx context.Context, snap json.RawMessage) error {
	var s snapshot
	if err := json.Unmarshal(snap, &s); err != nil || s.Source == nil {
		return fmt.Errorf("%s: the snapshot is not one of a Route53 router (%v); restore the records by hand", r.Name(), err)
	}
	z, err := r.resolveZone(ctx)
	if err != nil {
		return err
	}
	if s.ZoneID != z.id || s.Name != r.name || s.Type != r.typ {
		return r.fail(z, "the snapshot is of %s %s in zone %s; restore it with that record's router", s.Name, s.Type, s.ZoneID)
	}
	sets, err := r.records(ctx, z)
	if err != nil {
		return err
	}
	var changes []types.Change
	upsert := func(want *types.ResourceRecordSet) {
		if cur := bySetID(sets, aws.ToString(want.SetIdentifier)); cur == nil || !sameRecord(cur, want) {
			changes = append(changes, types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: want})
		}
	}
	upsert(s.Source)
	if s.Target != nil {
		upsert(s.Target)
	} else if cur := bySetID(sets, r.cfg.TargetID); cur != nil {
		changes = append(changes, types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: cur})
	}
	if len(changes) == 0 {
		return nil
	}
	return r.apply(ctx, z, "ferry cutover restore", changes)
}

func bySetID(sets []types.ResourceRecordSet, id string) *types.ResourceRecordSet {
	for i := range sets {
		if aws.ToString(sets[i].SetIdentifier) == id {
			return &sets[i]
		}
	}
	return nil
}

// sameRecord compares what a weighted record can hold.
func sameRecord(a, b *types.ResourceRecordSet) bool {
	va, vb := view(a), view(b)
	return va.Weight == vb.Weight && va.TTL == vb.TTL && va.Alias == vb.Alias && slices.Equal(va.Values, vb.Values) &&
		aws.ToString(a.HealthCheckId) == aws.ToString(b.HealthCheckId) && aws.ToBool(evaluate(a)) == aws.ToBool(evaluate(b))
}

func evaluate(rs *types.ResourceRecordSet) *bool {
	if rs.AliasTarget == nil {
		return nil
	}
	return &rs.AliasTarget.EvaluateTargetHealth
}

// recordView is one record as the plan shows it.
type recordView struct {
	Weight int64    `json:"weight"`
	TTL    int64    `json:"ttl,omitempty"`
	Values []string `json:"values,omitempty"`
	Alias  string   `json:"alias,omitempty"`
}

func view(rs *types.ResourceRecordSet) recordView {
	v := recordView{Weight: aws.ToInt64(rs.Weight), TTL: aws.ToInt64(rs.TTL)}
	for _, rr := range rs.ResourceRecords {
		v.Values = append(v.Values, aws.ToString(rr.Value))
	}
	slices.Sort(v.Values)
	if a := rs.AliasTarget; a != nil {
		v.Alias = fmt.Sprintf("%s (zone %s)", fqdn(aws.ToString(a.DNSName)), aws.ToString(a.HostedZoneId))
	}
	return v
}

// render shows both records and the split they make as small YAML; a
// missing target record shows as null.
func (r *Router) render(st state) string {
	doc := struct {
		Zone    string                 `json:"zone"`
		Traffic string                 `json:"traffic"`
		Records map[string]*recordView `json:"records"`
	}{Zone: st.zone.String(), Traffic: share(st.source, st.target).String() + " (source/target)",
		Records: map[string]*recordView{r.cfg.TargetID: nil}}
	for _, rs := range []*types.ResourceRecordSet{st.source, st.target} {
		if rs != nil {
			v := view(rs)
			doc.Records[aws.ToString(rs.SetIdentifier)] = &v
		}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Sprintf("(cannot render: %v)", err)
	}
	return strings.TrimSpace(string(out)) + "\n"
}
