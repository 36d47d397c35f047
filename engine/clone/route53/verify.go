package route53

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckZone     = "zone exists"
	CheckRecords  = "records copied"
	CheckAccounts = "no old-account ids"
)

// shownKeys caps the record names an evidence lists when all is well.
const shownKeys = 20

// Verify checks the target zone record by record: the zone exists; every
// mapped source record set is there with the mapped value (one line of
// evidence per record that is missing, differs or could not be copied);
// no record of the zone names an old account.
func (s *zoneStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if sd.dst == nil {
		return s.Missing(CheckZone, CheckRecords, CheckAccounts), nil
	}
	zc := s.Found(CheckZone, fmt.Sprintf("id %s, %d record sets", sd.dst.id, len(sd.dstRecs)))
	return []runbook.Check{zc, recordsCheck(sd), s.accountsCheck(sd.dstRecs)}, nil
}

// recordsCheck compares each wanted record set with the target's.
func recordsCheck(sd *sides) runbook.Check {
	have := index(sd.dstRecs)
	_, conflicts := diff(sd.want, sd.dstRecs)
	var bad, good []string
	for _, w := range sd.want {
		k := keyOf(w)
		switch h, ok := have[k]; {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: missing, want %s", k, render(w)))
		case !sameRecord(h, w):
			bad = append(bad, fmt.Sprintf("%s: want %s, have %s", k, render(w), render(h)))
		default:
			good = append(good, k.String())
		}
	}
	for _, u := range append(sd.unmapped, conflicts...) {
		bad = append(bad, "not copied: "+u.String())
	}
	return awsstep.Check(CheckRecords, bad, fmt.Sprintf("%d of %d record sets present with the mapped values: %s", len(good), len(sd.want), capped(good)))
}

// capped lists names, the first shownKeys of them.
func capped(names []string) string {
	if len(names) <= shownKeys {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shownKeys], ", "), len(names)-shownKeys)
}

// accountsCheck scans every record set of the target zone — name, values,
// alias target, health check and CIDR collection — for old account ids,
// naming the record and field of each.
func (s *zoneStep) accountsCheck(recs []types.ResourceRecordSet) runbook.Check {
	f := s.Findings()
	for _, r := range recs {
		k := keyOf(r)
		scan := func(field, v string) { f.Scan(k.String()+" "+field, v) }
		scan("name", aws.ToString(r.Name))
		for _, v := range r.ResourceRecords {
			scan("value", aws.ToString(v.Value))
		}
		if a := r.AliasTarget; a != nil {
			scan("alias zone", aws.ToString(a.HostedZoneId))
			scan("alias DNS name", aws.ToString(a.DNSName))
		}
		scan("health check", aws.ToString(r.HealthCheckId))
		if c := r.CidrRoutingConfig; c != nil {
			scan("CIDR collection", aws.ToString(c.CollectionId))
		}
	}
	return f.Check(CheckAccounts, fmt.Sprintf("the %d record sets of zone %s", len(recs), s.NewName))
}
