package route53

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// zone is one hosted zone as read live.
type zone struct {
	id        string // bare id, without "/hostedzone/"
	name      string // with the trailing dot
	callerRef string
	private   bool
	comment   string
}

// bareID strips the "/hostedzone/" Route 53 puts in front of zone ids.
func bareID(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// findZone looks a zone up by name; nil when the account has none. Two
// zones of one name (a public and a private one) are refused: the step
// cannot tell which is meant.
func findZone(ctx context.Context, api SourceAPI, name string) (*zone, error) {
	var found []zone
	err := eachZone(ctx, api, name, func(z types.HostedZone) bool {
		if fqdn(aws.ToString(z.Name)) != name {
			return false
		}
		found = append(found, toZone(z))
		return true
	})
	switch {
	case err != nil:
		return nil, err
	case len(found) > 1:
		return nil, fmt.Errorf("%d hosted zones are named %s (ids %s, %s); delete the extra one or copy the zone by hand",
			len(found), name, found[0].id, found[1].id)
	case len(found) == 0:
		return nil, nil
	}
	return &found[0], nil
}

// zoneIDs is the set of every hosted zone id of an account.
func zoneIDs(ctx context.Context, api SourceAPI) (map[string]bool, error) {
	ids := map[string]bool{}
	err := eachZone(ctx, api, "", func(z types.HostedZone) bool {
		ids[bareID(aws.ToString(z.Id))] = true
		return true
	})
	return ids, err
}

// eachZone pages through the zones sorted by name from start on ("" for
// all), calling fn until it returns false.
func eachZone(ctx context.Context, api SourceAPI, start string, fn func(types.HostedZone) bool) error {
	in := &route53.ListHostedZonesByNameInput{}
	if start != "" {
		in.DNSName = aws.String(start)
	}
	for {
		out, err := api.ListHostedZonesByName(ctx, in)
		if err != nil {
			return fmt.Errorf("list hosted zones: %w", err)
		}
		for _, z := range out.HostedZones {
			if !fn(z) {
				return nil
			}
		}
		if !out.IsTruncated {
			return nil
		}
		in.DNSName, in.HostedZoneId = out.NextDNSName, out.NextHostedZoneId
	}
}

func toZone(z types.HostedZone) zone {
	out := zone{id: bareID(aws.ToString(z.Id)), name: fqdn(aws.ToString(z.Name)), callerRef: aws.ToString(z.CallerReference)}
	if z.Config != nil {
		out.private, out.comment = z.Config.PrivateZone, aws.ToString(z.Config.Comment)
	}
	return out
}

// listRecords reads every record set of a zone, page by page.
func listRecords(ctx context.Context, api SourceAPI, zoneID string) ([]types.ResourceRecordSet, error) {
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	var out []types.ResourceRecordSet
	for {
		page, err := api.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list the records of zone %s: %w", zoneID, err)
		}
		out = append(out, page.ResourceRecordSets...)
		if !page.IsTruncated {
			return out, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

// sides is the clone as read live: both zones (dst nil when the new
// account has none yet) and their records.
type sides struct {
	src        zone
	dst        *zone
	srcRecs    []types.ResourceRecordSet
	dstRecs    []types.ResourceRecordSet
	oldZoneIDs map[string]bool // every zone of the old account, read only when an alias needs it
	want       []types.ResourceRecordSet
	unmapped   []unmapped
}

// read reads both zones and their records and works out what the target
// should hold.
func (s *zoneStep) read(ctx context.Context) (*sides, error) {
	if err := s.checkConfig(); err != nil {
		return nil, err
	}
	src, err := findZone(ctx, s.cfg.Source, s.OldName)
	if err != nil {
		return nil, s.Fail("old account %s: %w; check that the source profile can read Route 53 there", s.SourceAccount, err)
	}
	if src == nil {
		return nil, s.Fail("no such hosted zone in the old account %s; check the name, or drop it from the plan's resources.route53", s.SourceAccount)
	}
	sd := &sides{src: *src}
	if sd.srcRecs, err = listRecords(ctx, s.cfg.Source, src.id); err != nil {
		return nil, s.Fail("old account %s: %w", s.SourceAccount, err)
	}
	if sd.dst, err = findZone(ctx, s.cfg.Target, s.NewName); err != nil {
		return nil, s.Fail("%s (account %s): %w; check that the target profile can read Route 53 there", s.TargetLabel, s.TargetAccount, err)
	}
	if sd.dst != nil {
		if sd.dstRecs, err = listRecords(ctx, s.cfg.Target, sd.dst.id); err != nil {
			return nil, s.Fail("%s (account %s): %w", s.TargetLabel, s.TargetAccount, err)
		}
	}
	if err := s.mapRecords(ctx, sd); err != nil {
		return nil, err
	}
	return sd, nil
}
