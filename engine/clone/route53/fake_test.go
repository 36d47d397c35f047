package route53

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

const (
	oldAcct = "111111111111"
	newAcct = "222222222222"
)

var testMapping = rewrite.Mapping{
	Accounts: map[string]string{oldAcct: newAcct},
	Names:    []rewrite.Rename{{Kind: "zone", From: "ZOLDAPI", To: "ZNEWAPI"}, {Kind: "lb", From: "orders-lb-old", To: "orders-lb-new"}},
}

// fakeR53 is one account's Route 53 in memory, answering as Route 53 does
// where the step can tell: every zone gets apex NS and SOA records, caller
// references are single-use, batches are checked against the limits and
// applied all-or-nothing (a DELETE must match exactly, a plain record and
// a routing policy's cannot share a name and type), a zone holding records
// cannot be deleted, and listings come in pages. Every call is logged.
type fakeR53 struct {
	mu       sync.Mutex
	zones    map[string]*fakeZone
	refs     map[string]bool
	calls    clonetest.Calls
	nextID   int
	pageSize int
	// failBatch makes the n-th ChangeResourceRecordSets call (1-based) fail
	// without writing, as a crash or an outage would cut an apply short.
	failBatch, batchCalls int
}

type fakeZone struct {
	id, name, ref string
	private       bool
	recs          []types.ResourceRecordSet
}

func newFakeR53() *fakeR53 {
	return &fakeR53{zones: map[string]*fakeZone{}, refs: map[string]bool{}, pageSize: 3}
}

// addZone puts a zone with records in place without logging a call.
func (f *fakeR53) addZone(id, name string, recs ...types.ResourceRecordSet) *fakeZone {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := &fakeZone{id: id, name: name, ref: "seed-" + id, recs: apex(name)}
	z.recs = append(z.recs, recs...)
	f.zones[id] = z
	return z
}

func apex(name string) []types.ResourceRecordSet {
	return []types.ResourceRecordSet{
		{Name: aws.String(name), Type: types.RRTypeNs, TTL: aws.Int64(172800), ResourceRecords: values("ns-1.awsdns-01.org.", "ns-2.awsdns-02.net.")},
		{Name: aws.String(name), Type: types.RRTypeSoa, TTL: aws.Int64(900), ResourceRecords: values("ns-1.awsdns-01.org. hostmaster. 1 7200 900 1209600 86400")},
	}
}

func values(vs ...string) []types.ResourceRecord {
	out := make([]types.ResourceRecord, len(vs))
	for i, v := range vs {
		out[i] = types.ResourceRecord{Value: aws.String(v)}
	}
	return out
}

// state is every zone with its records, for before/after comparisons.
func (f *fakeR53) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, z := range f.sorted() {
		fmt.Fprintf(&b, "zone %s %s\n", z.name, z.id)
		for _, r := range sortedRecs(z.recs) {
			b.WriteString("  " + canonical(r) + "\n")
		}
	}
	return b.String()
}

func (f *fakeR53) sorted() []*fakeZone {
	var zs []*fakeZone
	for _, z := range f.zones {
		zs = append(zs, z)
	}
	slices.SortFunc(zs, func(a, b *fakeZone) int { return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.id, b.id)) })
	return zs
}

func sortedRecs(recs []types.ResourceRecordSet) []types.ResourceRecordSet {
	out := slices.Clone(recs)
	slices.SortFunc(out, func(a, b types.ResourceRecordSet) int { return compareKeys(keyOf(a), keyOf(b)) })
	return out
}

func (f *fakeR53) ListHostedZonesByName(_ context.Context, in *route53.ListHostedZonesByNameInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("ListHostedZonesByName %s", aws.ToString(in.DNSName))
	out := &route53.ListHostedZonesByNameOutput{}
	for _, z := range f.sorted() {
		if in.DNSName != nil && (z.name < fqdn(*in.DNSName) || z.name == fqdn(*in.DNSName) && in.HostedZoneId != nil && z.id < *in.HostedZoneId) {
			continue
		}
		if len(out.HostedZones) == f.pageSize {
			out.IsTruncated, out.NextDNSName, out.NextHostedZoneId = true, aws.String(z.name), aws.String(z.id)
			break
		}
		hz := types.HostedZone{Id: aws.String("/hostedzone/" + z.id), Name: aws.String(z.name), CallerReference: aws.String(z.ref)}
		if z.private {
			hz.Config = &types.HostedZoneConfig{PrivateZone: true}
		}
		out.HostedZones = append(out.HostedZones, hz)
	}
	return out, nil
}

func (f *fakeR53) zone(id *string) (*fakeZone, error) {
	z := f.zones[bareID(aws.ToString(id))]
	if z == nil {
		return nil, &types.NoSuchHostedZone{Message: aws.String("no zone " + aws.ToString(id))}
	}
	return z, nil
}

func (f *fakeR53) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("ListResourceRecordSets %s", aws.ToString(in.HostedZoneId))
	z, err := f.zone(in.HostedZoneId)
	if err != nil {
		return nil, err
	}
	start := key{Name: dnsName(aws.ToString(in.StartRecordName)), Type: string(in.StartRecordType), SetID: aws.ToString(in.StartRecordIdentifier)}
	out := &route53.ListResourceRecordSetsOutput{}
	for _, r := range sortedRecs(z.recs) {
		if in.StartRecordName != nil && compareKeys(keyOf(r), start) < 0 {
			continue
		}
		if len(out.ResourceRecordSets) == f.pageSize {
			k := keyOf(r)
			out.IsTruncated, out.NextRecordName, out.NextRecordType = true, aws.String(k.Name), types.RRType(k.Type)
			if k.SetID != "" {
				out.NextRecordIdentifier = aws.String(k.SetID)
			}
			break
		}
		out.ResourceRecordSets = append(out.ResourceRecordSets, r)
	}
	return out, nil
}

func (f *fakeR53) CreateHostedZone(_ context.Context, in *route53.CreateHostedZoneInput, _ ...func(*route53.Options)) (*route53.CreateHostedZoneOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, ref := fqdn(aws.ToString(in.Name)), aws.ToString(in.CallerReference)
	f.calls.Addf("CreateHostedZone %s", name)
	if f.refs[ref] {
		return nil, &types.HostedZoneAlreadyExists{Message: aws.String("caller reference " + ref + " was used")}
	}
	f.refs[ref], f.nextID = true, f.nextID+1
	z := &fakeZone{id: fmt.Sprintf("ZNEW%d", f.nextID), name: name, ref: ref, recs: apex(name)}
	f.zones[z.id] = z
	return &route53.CreateHostedZoneOutput{HostedZone: &types.HostedZone{Id: aws.String("/hostedzone/" + z.id), Name: aws.String(name)}}, nil
}

func (f *fakeR53) DeleteHostedZone(_ context.Context, in *route53.DeleteHostedZoneInput, _ ...func(*route53.Options)) (*route53.DeleteHostedZoneOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("DeleteHostedZone %s", aws.ToString(in.Id))
	z, err := f.zone(in.Id)
	if err != nil {
		return nil, err
	}
	if len(extra(nil, z.recs, z.name)) > 0 {
		return nil, &types.HostedZoneNotEmpty{Message: aws.String("zone holds records")}
	}
	delete(f.zones, z.id)
	return &route53.DeleteHostedZoneOutput{}, nil
}

func (f *fakeR53) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var parts []string
	used := limits{}
	for _, c := range in.ChangeBatch.Changes {
		parts = append(parts, string(c.Action)+" "+keyOf(*c.ResourceRecordSet).String())
		e := edit{before: c.ResourceRecordSet}
		if c.Action != types.ChangeActionDelete {
			e.after = c.ResourceRecordSet
		}
		used = used.add(e.weight())
	}
	f.calls.Addf("ChangeResourceRecordSets %s: %s", aws.ToString(in.HostedZoneId), strings.Join(parts, ", "))
	f.batchCalls++
	if f.batchCalls == f.failBatch {
		return nil, fmt.Errorf("connection reset by peer")
	}
	if !used.within(apiLimits) {
		return nil, &types.InvalidChangeBatch{Message: aws.String(fmt.Sprintf("batch over the limits: %+v", used))}
	}
	z, err := f.zone(in.HostedZoneId)
	if err != nil {
		return nil, err
	}
	recs, err := applyBatch(slices.Clone(z.recs), in.ChangeBatch.Changes)
	if err != nil {
		return nil, err
	}
	z.recs = recs
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &types.ChangeInfo{Status: types.ChangeStatusPending}}, nil
}

// applyBatch applies changes to recs, failing on the first change Route 53
// would refuse.
func applyBatch(recs []types.ResourceRecordSet, changes []types.Change) ([]types.ResourceRecordSet, error) {
	for _, c := range changes {
		r := *c.ResourceRecordSet
		k := keyOf(r)
		i := slices.IndexFunc(recs, func(h types.ResourceRecordSet) bool { return keyOf(h) == k })
		switch c.Action {
		case types.ChangeActionDelete:
			if i < 0 || !sameRecord(recs[i], r) {
				return nil, &types.InvalidChangeBatch{Message: aws.String("delete of " + k.String() + ": not found or values differ")}
			}
			recs = slices.Delete(recs, i, i+1)
		case types.ChangeActionUpsert, types.ChangeActionCreate:
			if c, ok := conflicting(k, recs); ok {
				return nil, &types.InvalidChangeBatch{Message: aws.String(k.String() + " conflicts with " + c.String())}
			}
			if i >= 0 && c.Action == types.ChangeActionCreate {
				return nil, &types.InvalidChangeBatch{Message: aws.String(k.String() + " already exists")}
			}
			if i >= 0 {
				recs[i] = r
			} else {
				recs = append(recs, r)
			}
		}
	}
	return recs, nil
}

// memRecorder keeps undo records and progress in memory; Resume are the
// undo records of earlier applies that Saved returns first.
type memRecorder = clonetest.Recorder[undoRecord]

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Both the fake and the SDK client satisfy the consumer-side interfaces.
var (
	_ TargetAPI = (*fakeR53)(nil)
	_ TargetAPI = (*route53.Client)(nil)
)
