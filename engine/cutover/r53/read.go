package r53

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// state is the two weighted records as Route53 holds them now; target is
// nil while the new side has no record.
type state struct {
	zone           zone
	source, target *types.ResourceRecordSet
}

// Read returns the shares Route53 gives the two records now.
func (r *Router) Read(ctx context.Context) (cutover.Weights, error) {
	st, err := r.read(ctx)
	if err != nil {
		return cutover.Weights{}, err
	}
	return share(st.source, st.target), nil
}

// read finds the zone and both records, and checks they can be shifted:
// every record on the name is weighted, the source is there, and no
// third record takes part.
func (r *Router) read(ctx context.Context) (state, error) {
	z, err := r.resolveZone(ctx)
	if err != nil {
		return state{}, err
	}
	sets, err := r.records(ctx, z)
	if err != nil {
		return state{}, err
	}
	st := state{zone: z}
	for i := range sets {
		rs := &sets[i]
		id := aws.ToString(rs.SetIdentifier)
		switch {
		case rs.SetIdentifier == nil:
			return st, r.fail(z, "%s %s has no set identifier; make it a weighted record with SetIdentifier %s first",
				r.name, r.typ, r.cfg.SourceID)
		case rs.Weight == nil:
			return st, r.fail(z, "record set %q routes by %s, not by weight; ferry shifts weighted records only: make %q a weighted record",
				id, policy(rs), id)
		case id == r.cfg.SourceID:
			st.source = rs
		case id == r.cfg.TargetID:
			st.target = rs
		default:
			return st, r.fail(z, "a third weighted record set %q (weight %d) shares the name; ferry shifts traffic between %q and %q only: delete %q or name it in the plan",
				id, aws.ToInt64(rs.Weight), r.cfg.SourceID, r.cfg.TargetID, id)
		}
	}
	if st.source == nil {
		return st, r.fail(z, "no weighted record with SetIdentifier %s; create it for the old side (or make the existing record weighted) first",
			r.cfg.SourceID)
	}
	return st, nil
}

// policy names a record's routing policy for an error message.
func policy(rs *types.ResourceRecordSet) string {
	switch {
	case rs.Failover != "":
		return "failover"
	case rs.Region != "":
		return "latency"
	case rs.GeoLocation != nil || rs.GeoProximityLocation != nil:
		return "geography"
	case rs.CidrRoutingConfig != nil:
		return "IP range"
	case aws.ToBool(rs.MultiValueAnswer):
		return "multivalue answer"
	}
	return "an unknown policy"
}

// share is the traffic split the two records make, rounded to whole
// percents. Route53 splits evenly when every weight is 0.
func share(source, target *types.ResourceRecordSet) cutover.Weights {
	if target == nil {
		return cutover.ToTarget(0)
	}
	ws, wt := aws.ToInt64(source.Weight), aws.ToInt64(target.Weight)
	if ws+wt == 0 {
		return cutover.ToTarget(50)
	}
	return cutover.ToTarget(int((wt*200 + ws + wt) / (2 * (ws + wt))))
}

// resolveZone finds the hosted zone by id, or else by its exact name.
func (r *Router) resolveZone(ctx context.Context) (zone, error) {
	if r.cfg.ZoneID != "" {
		id := strings.TrimPrefix(r.cfg.ZoneID, "/hostedzone/")
		out, err := r.cfg.Client.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
		if err != nil {
			return zone{}, r.fail(zone{}, "hosted zone %s: %w; check the zone id and that the profile can read Route53 in that account", id, err)
		}
		return r.inZone(zone{id: id, name: fqdn(aws.ToString(out.HostedZone.Name))})
	}
	want := fqdn(r.cfg.ZoneName)
	out, err := r.cfg.Client.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{DNSName: aws.String(want)})
	if err != nil {
		return zone{}, r.fail(zone{}, "find hosted zone %s: %w; check that the profile can read Route53", want, err)
	}
	var found []zone
	for _, hz := range out.HostedZones {
		if fqdn(aws.ToString(hz.Name)) == want {
			found = append(found, zone{id: strings.TrimPrefix(aws.ToString(hz.Id), "/hostedzone/"), name: want})
		}
	}
	switch len(found) {
	case 0:
		return zone{}, r.fail(zone{}, "no hosted zone named %s in this account; check the zone name and the profile", want)
	case 1:
		return r.inZone(found[0])
	}
	return zone{}, r.fail(zone{}, "%d hosted zones are named %s (public and private?); set the zone id instead of the name", len(found), want)
}

// inZone checks that the record's name lies in z.
func (r *Router) inZone(z zone) (zone, error) {
	if r.name != z.name && !strings.HasSuffix(r.name, "."+z.name) {
		return z, r.fail(z, "the name is not in this zone; check the record name or the zone")
	}
	return z, nil
}

// records lists the record sets of the router's name and type, following
// the pages Route53 hands out from that name on.
func (r *Router) records(ctx context.Context, z zone) ([]types.ResourceRecordSet, error) {
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.id),
		StartRecordName: aws.String(r.name), StartRecordType: r.typ}
	var sets []types.ResourceRecordSet
	for {
		out, err := r.cfg.Client.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, r.fail(z, "list record sets: %w; check that the profile can read Route53 records", err)
		}
		passed := false
		for _, rs := range out.ResourceRecordSets {
			if fqdn(aws.ToString(rs.Name)) == r.name && rs.Type == r.typ {
				sets = append(sets, rs)
			} else if len(sets) > 0 {
				passed = true // pages are sorted: the name's records are behind us
			}
		}
		if passed || !out.IsTruncated || out.NextRecordName == nil {
			return sets, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier
	}
}
