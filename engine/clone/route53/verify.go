package route53

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
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
	zc := runbook.Check{Name: CheckZone, OK: sd.dst != nil}
	if sd.dst == nil {
		zc.Evidence = fmt.Sprintf("no zone %s in %s (account %s); apply the step", s.target, s.cfg.TargetLabel, s.cfg.TargetAccount)
		absent := "the zone is absent"
		return []runbook.Check{zc, {Name: CheckRecords, Evidence: absent}, {Name: CheckAccounts, Evidence: absent}}, nil
	}
	zc.Evidence = fmt.Sprintf("%s in %s: id %s, %d record sets", s.target, s.cfg.TargetLabel, sd.dst.id, len(sd.dstRecs))
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
	c := runbook.Check{Name: CheckRecords, OK: len(bad) == 0, Evidence: strings.Join(bad, "\n")}
	if c.OK {
		c.Evidence = fmt.Sprintf("%d of %d record sets present with the mapped values: %s", len(good), len(sd.want), capped(good))
	}
	return c
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
	old := rewrite.OldAccounts(s.cfg.Mapping, s.cfg.SourceAccount)
	var lines []string
	for _, r := range recs {
		k := keyOf(r)
		scan := func(field, v string) {
			for _, loc := range rewrite.Locators(v, old) {
				lines = append(lines, fmt.Sprintf("%s %s: %s", k, field, loc))
			}
		}
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
	c := runbook.Check{Name: CheckAccounts, OK: len(lines) == 0, Evidence: strings.Join(lines, "\n")}
	if c.OK {
		c.Evidence = fmt.Sprintf("none of %s in the %d record sets of zone %s", strings.Join(old, ", "), len(recs), s.target)
	}
	return c
}
