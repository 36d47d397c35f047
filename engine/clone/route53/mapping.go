package route53

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// newZoneID stands for the new zone's id in a plan made before the zone
// exists: a same-zone alias will point at it.
const newZoneID = "(the new zone's id)"

// unmapped is a source record the mapping cannot carry into the new
// account, and why.
type unmapped struct {
	key key
	why string
}

func (u unmapped) String() string { return u.key.String() + ": " + u.why }

// mapRecords computes the records the target zone should hold: every
// source record but the apex NS and SOA, through the mapping, sorted by
// key. Records that cannot be mapped go to sd.unmapped instead.
func (s *zoneStep) mapRecords(ctx context.Context, sd *sides) error {
	sd.want, sd.unmapped = nil, nil
	dstID := newZoneID
	if sd.dst != nil {
		dstID = sd.dst.id
	}
	for _, r := range sd.srcRecs {
		if isApexNSOrSOA(r, s.OldName) {
			continue
		}
		m, why, err := s.mapRecord(ctx, sd, r, dstID)
		if err != nil {
			return err
		}
		if why != "" {
			sd.unmapped = append(sd.unmapped, unmapped{key: keyOf(r), why: why})
			continue
		}
		sd.want = append(sd.want, m)
	}
	slices.SortFunc(sd.want, func(a, b types.ResourceRecordSet) int { return compareKeys(keyOf(a), keyOf(b)) })
	return nil
}

// mapRecord maps one record, or says why it cannot be.
func (s *zoneStep) mapRecord(ctx context.Context, sd *sides, r types.ResourceRecordSet, dstID string) (types.ResourceRecordSet, string, error) {
	m := s.Mapping
	name := rewrite.String(m, dnsName(aws.ToString(r.Name)))
	if name != s.NewName && !strings.HasSuffix(name, "."+s.NewName) {
		return r, fmt.Sprintf("its name maps to %s, outside zone %s; fix the mapping's renames", name, s.NewName), nil
	}
	if id := aws.ToString(r.TrafficPolicyInstanceId); id != "" {
		return r, fmt.Sprintf("traffic policy instance %s made it; recreate the traffic policy in the new account", id), nil
	}
	out := r
	out.Name = aws.String(name)
	out.ResourceRecords = make([]types.ResourceRecord, len(r.ResourceRecords))
	for i, v := range r.ResourceRecords {
		out.ResourceRecords[i] = types.ResourceRecord{Value: aws.String(rewrite.String(m, aws.ToString(v.Value)))}
	}
	if id := aws.ToString(r.HealthCheckId); id != "" {
		to := rewrite.String(m, id)
		if to == id {
			return r, fmt.Sprintf("health check %s is the old account's; create one in the new account and add a rename from %s to its id to the mapping", id, id), nil
		}
		out.HealthCheckId = aws.String(to)
	}
	if c := r.CidrRoutingConfig; c != nil {
		to := rewrite.String(m, aws.ToString(c.CollectionId))
		if to == aws.ToString(c.CollectionId) {
			return r, fmt.Sprintf("CIDR collection %s is the old account's; create one in the new account and add a rename from its id to the new one to the mapping", to), nil
		}
		out.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: aws.String(to), LocationName: c.LocationName}
	}
	if r.AliasTarget == nil {
		return out, "", nil
	}
	a, why, err := s.mapAlias(ctx, sd, *r.AliasTarget, dstID)
	out.AliasTarget = &a
	return out, why, err
}

// mapAlias maps an alias target. A target in the zone being copied follows
// it; a zone id or DNS name the mapping renames is renamed; an AWS
// service's target (CloudFront, S3 website, API Gateway) is kept. Another
// zone of the old account, or a load balancer (which lives in the old
// account) the mapping does not rename, cannot be mapped.
func (s *zoneStep) mapAlias(ctx context.Context, sd *sides, a types.AliasTarget, dstID string) (types.AliasTarget, string, error) {
	m := s.Mapping
	zid, dns := bareID(aws.ToString(a.HostedZoneId)), aws.ToString(a.DNSName)
	out := types.AliasTarget{HostedZoneId: aws.String(zid), DNSName: aws.String(rewrite.String(m, dns)), EvaluateTargetHealth: a.EvaluateTargetHealth}
	if zid == sd.src.id {
		out.HostedZoneId = aws.String(dstID)
		return out, "", nil
	}
	if to := rewrite.String(m, zid); to != zid {
		out.HostedZoneId = aws.String(to)
		return out, "", nil
	}
	if aws.ToString(out.DNSName) != dns {
		return out, "", nil
	}
	if sd.oldZoneIDs == nil {
		ids, err := zoneIDs(ctx, s.cfg.Source)
		if err != nil {
			return out, "", s.Fail("old account %s: %w", s.SourceAccount, err)
		}
		sd.oldZoneIDs = ids
	}
	switch {
	case sd.oldZoneIDs[zid]:
		return out, fmt.Sprintf("alias to %s in zone %s of the old account; copy that zone and add a rename from %s to the new zone's id to the mapping", dns, zid, zid), nil
	case isLoadBalancer(dns):
		return out, fmt.Sprintf("alias to load balancer %s of the old account; add a rename from its name to the new load balancer's to the mapping", dns), nil
	}
	return out, "", nil
}

// isLoadBalancer says whether a DNS name is an Elastic Load Balancing
// one: "name-123.us-east-1.elb.amazonaws.com" (ALB, classic) or
// "name-123.elb.us-east-1.amazonaws.com" (NLB), maybe "dualstack."-prefixed.
func isLoadBalancer(dns string) bool {
	d := strings.TrimSuffix(strings.ToLower(dns), ".")
	return strings.HasSuffix(d, ".amazonaws.com") && strings.Contains(d, ".elb.")
}
