package r53

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeRoute53 is one account's Route53 in memory, answering as Route53
// does where the router can tell: records sorted by name, type and set
// identifier, listed in pages from a start record; a change batch applied
// whole or not at all; DELETE only of a record exactly as it is; weighted
// and simple records never mixed on one name; changes PENDING for a few
// GetChange calls. Every call is logged.
type fakeRoute53 struct {
	mu       sync.Mutex
	zones    map[string]*fakeZone // by id
	pageSize int
	pending  int // GetChange calls that answer PENDING before INSYNC
	changes  map[string]int
	fail     map[string]error // by operation
	calls    clonetest.Calls
}

type fakeZone struct {
	name    string
	records []types.ResourceRecordSet
}

func newFake() *fakeRoute53 {
	return &fakeRoute53{zones: map[string]*fakeZone{}, pageSize: 100, changes: map[string]int{}, fail: map[string]error{}}
}

// addZone puts a zone in place without logging a call.
func (f *fakeRoute53) addZone(id, name string, records ...types.ResourceRecordSet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zones[id] = &fakeZone{name: name, records: records}
	sortRecords(f.zones[id].records)
}

// recordsOf is a copy of a zone's records.
func (f *fakeRoute53) recordsOf(id string) []types.ResourceRecordSet {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.zones[id].records)
}

func (f *fakeRoute53) log(op, detail string) error {
	f.calls.Add(strings.TrimSpace(op + " " + detail))
	return f.fail[op]
}

func sortRecords(rs []types.ResourceRecordSet) {
	slices.SortFunc(rs, func(a, b types.ResourceRecordSet) int { return cmp.Compare(sortKey(a), sortKey(b)) })
}

func sortKey(rs types.ResourceRecordSet) string {
	return aws.ToString(rs.Name) + "\x00" + string(rs.Type) + "\x00" + aws.ToString(rs.SetIdentifier)
}

func (f *fakeRoute53) GetHostedZone(_ context.Context, in *route53.GetHostedZoneInput, _ ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("GetHostedZone", aws.ToString(in.Id)); err != nil {
		return nil, err
	}
	z, ok := f.zones[aws.ToString(in.Id)]
	if !ok {
		return nil, &types.NoSuchHostedZone{Message: aws.String("No hosted zone found with ID: " + aws.ToString(in.Id))}
	}
	return &route53.GetHostedZoneOutput{HostedZone: &types.HostedZone{Id: aws.String("/hostedzone/" + aws.ToString(in.Id)), Name: aws.String(z.name)}}, nil
}

func (f *fakeRoute53) ListHostedZonesByName(_ context.Context, in *route53.ListHostedZonesByNameInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("ListHostedZonesByName", aws.ToString(in.DNSName)); err != nil {
		return nil, err
	}
	out := &route53.ListHostedZonesByNameOutput{}
	for id, z := range f.zones {
		if z.name >= aws.ToString(in.DNSName) {
			out.HostedZones = append(out.HostedZones, types.HostedZone{Id: aws.String("/hostedzone/" + id), Name: aws.String(z.name)})
		}
	}
	slices.SortFunc(out.HostedZones, func(a, b types.HostedZone) int { return cmp.Compare(*a.Name+*a.Id, *b.Name+*b.Id) })
	return out, nil
}

func (f *fakeRoute53) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("ListResourceRecordSets", aws.ToString(in.StartRecordName)); err != nil {
		return nil, err
	}
	z, ok := f.zones[aws.ToString(in.HostedZoneId)]
	if !ok {
		return nil, &types.NoSuchHostedZone{Message: aws.String("no zone " + aws.ToString(in.HostedZoneId))}
	}
	start := sortKey(types.ResourceRecordSet{Name: in.StartRecordName, Type: in.StartRecordType, SetIdentifier: in.StartRecordIdentifier})
	out := &route53.ListResourceRecordSetsOutput{}
	for _, rs := range z.records {
		if sortKey(rs) < start {
			continue
		}
		if len(out.ResourceRecordSets) == f.pageSize {
			out.IsTruncated, out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier = true, rs.Name, rs.Type, rs.SetIdentifier
			break
		}
		out.ResourceRecordSets = append(out.ResourceRecordSets, rs)
	}
	return out, nil
}

func (f *fakeRoute53) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var detail []string
	for _, c := range in.ChangeBatch.Changes {
		rs := c.ResourceRecordSet
		detail = append(detail, fmt.Sprintf("%s %s=%d", c.Action, aws.ToString(rs.SetIdentifier), aws.ToInt64(rs.Weight)))
	}
	if err := f.log("ChangeResourceRecordSets", strings.Join(detail, " ")); err != nil {
		return nil, err
	}
	z, ok := f.zones[aws.ToString(in.HostedZoneId)]
	if !ok {
		return nil, &types.NoSuchHostedZone{Message: aws.String("no zone " + aws.ToString(in.HostedZoneId))}
	}
	records, err := applyBatch(z.records, in.ChangeBatch.Changes)
	if err != nil {
		return nil, err
	}
	z.records = records
	id := fmt.Sprintf("/change/C%d", len(f.changes)+1)
	f.changes[id] = f.pending
	status := types.ChangeStatusPending
	if f.pending == 0 {
		status = types.ChangeStatusInsync
	}
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &types.ChangeInfo{Id: aws.String(id), Status: status}}, nil
}

// applyBatch returns records with every change made, or an error and no
// change at all.
func applyBatch(records []types.ResourceRecordSet, changes []types.Change) ([]types.ResourceRecordSet, error) {
	out := slices.Clone(records)
	for _, c := range changes {
		rs := *c.ResourceRecordSet
		if w := aws.ToInt64(rs.Weight); rs.Weight != nil && (w < 0 || w > 255) {
			return nil, invalid("weight %d is outside 0..255", w)
		}
		i := slices.IndexFunc(out, func(o types.ResourceRecordSet) bool { return sortKey(o) == sortKey(rs) })
		switch {
		case c.Action == types.ChangeActionDelete && (i < 0 || !sameRecord(&out[i], &rs)):
			return nil, invalid("Tried to delete resource record set [name='%s', type='%s', set-identifier='%s'] but the values provided do not match the current values",
				aws.ToString(rs.Name), rs.Type, aws.ToString(rs.SetIdentifier))
		case c.Action == types.ChangeActionDelete:
			out = slices.Delete(out, i, i+1)
		case c.Action == types.ChangeActionCreate && i >= 0:
			return nil, invalid("Tried to create resource record set %s but it already exists", sortKey(rs))
		case i >= 0:
			out[i] = rs
		default:
			out = append(out, rs)
		}
	}
	for _, a := range out {
		for _, b := range out {
			if aws.ToString(a.Name) == aws.ToString(b.Name) && a.Type == b.Type && (a.SetIdentifier == nil) != (b.SetIdentifier == nil) {
				return nil, invalid("RRSet with DNS name %s and type %s cannot be created as a non-weighted set exists with the same name and type",
					aws.ToString(a.Name), a.Type)
			}
		}
	}
	sortRecords(out)
	return out, nil
}

func invalid(format string, args ...any) error {
	return &types.InvalidChangeBatch{Message: aws.String(fmt.Sprintf(format, args...))}
}

func (f *fakeRoute53) GetChange(_ context.Context, in *route53.GetChangeInput, _ ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := aws.ToString(in.Id)
	if err := f.log("GetChange", id); err != nil {
		return nil, err
	}
	left, ok := f.changes[id]
	if !ok {
		return nil, &types.NoSuchChange{Message: aws.String("no change " + id)}
	}
	status := types.ChangeStatusInsync
	if left > 0 {
		f.changes[id] = left - 1
		status = types.ChangeStatusPending
	}
	return &route53.GetChangeOutput{ChangeInfo: &types.ChangeInfo{Id: in.Id, Status: status}}, nil
}
