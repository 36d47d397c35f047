package r53

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	zoneID = "Z0ACME"
	shop   = "shop.acme.example."
	prefix = "route53 shop.acme.example. CNAME in zone acme.example. (Z0ACME): "
)

// weighted record of shop.acme.example. (CNAME, TTL 60).
func rec(id string, weight int64, value string) types.ResourceRecordSet {
	return types.ResourceRecordSet{Name: aws.String(shop), Type: types.RRTypeCname, TTL: aws.Int64(60),
		SetIdentifier: aws.String(id), Weight: aws.Int64(weight),
		ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}
}

func src(weight int64) types.ResourceRecordSet {
	return rec("source", weight, "kops-ingress.acme.example.")
}
func tgt(weight int64) types.ResourceRecordSet {
	return rec("target", weight, "eks-ingress.acme.example.")
}

// other records around shop's, so listing has something to skip.
func others() []types.ResourceRecordSet {
	return []types.ResourceRecordSet{
		{Name: aws.String("acme.example."), Type: types.RRTypeNs, TTL: aws.Int64(172800),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("ns-1.awsdns-1.org.")}}},
		{Name: aws.String("api.acme.example."), Type: types.RRTypeCname, TTL: aws.Int64(300),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("api.internal.")}}},
		{Name: aws.String(shop), Type: types.RRTypeA, TTL: aws.Int64(300),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.1")}}},
		{Name: aws.String("zz.acme.example."), Type: types.RRTypeCname, TTL: aws.Int64(300),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("zz.internal.")}}},
	}
}

func config(f *fakeRoute53) Config {
	return Config{Client: f, ZoneName: "acme.example", RecordName: "Shop.acme.example", Type: "cname",
		TargetValue: "eks-ingress.acme.example.", PollInterval: time.Millisecond, SyncTimeout: time.Second}
}

// setup is a fake with the acme.example. zone holding others() and
// records, and a router for shop's CNAME.
func setup(t *testing.T, records ...types.ResourceRecordSet) (*fakeRoute53, *Router) {
	t.Helper()
	f := newFake()
	f.addZone(zoneID, "acme.example.", append(others(), records...)...)
	r, err := New(config(f))
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		edit       func(*Config)
	}{
		{"no client", "no Route53 client", func(c *Config) { c.Client = nil }},
		{"no name", "no record name", func(c *Config) { c.RecordName = "" }},
		{"type", `type "TXT": want CNAME, A or AAAA`, func(c *Config) { c.Type = "TXT" }},
		{"no zone", "no hosted zone; set the zone id or the zone name", func(c *Config) { c.ZoneName = "" }},
		{"value and alias", "both a target value and a target alias", func(c *Config) { c.TargetAlias = &types.AliasTarget{} }},
		{"same ids", `source and target share the set identifier "blue"`, func(c *Config) { c.SourceID, c.TargetID = "blue", "blue" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(newFake())
			tc.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestNameKind(t *testing.T) {
	t.Parallel()
	_, r := setup(t)
	if r.Name() != "route53 shop.acme.example. CNAME" || r.Kind() != "route53" {
		t.Errorf("Name %q Kind %q", r.Name(), r.Kind())
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	notWeighted := src(1)
	notWeighted.SetIdentifier, notWeighted.Weight = nil, nil
	latency := tgt(1)
	latency.Weight, latency.Region = nil, types.ResourceRecordSetRegionUsEast1
	for _, tc := range []struct {
		name    string
		records []types.ResourceRecordSet
		want    cutover.Weights
		err     string
	}{
		{"no target record", []types.ResourceRecordSet{src(100)}, cutover.ToTarget(0), ""},
		{"90/10", []types.ResourceRecordSet{src(90), tgt(10)}, cutover.ToTarget(10), ""},
		{"all to target", []types.ResourceRecordSet{src(0), tgt(5)}, cutover.ToTarget(100), ""},
		{"relative weights round", []types.ResourceRecordSet{src(1), tgt(2)}, cutover.ToTarget(67), ""},
		{"255 and 1", []types.ResourceRecordSet{src(255), tgt(1)}, cutover.ToTarget(0), ""},
		{"both 0 split evenly", []types.ResourceRecordSet{src(0), tgt(0)}, cutover.ToTarget(50), ""},
		{"source 0 alone", []types.ResourceRecordSet{src(0)}, cutover.ToTarget(0), ""},
		{"not weighted", []types.ResourceRecordSet{notWeighted}, cutover.Weights{},
			prefix + "shop.acme.example. CNAME has no set identifier; make it a weighted record with SetIdentifier source first"},
		{"latency", []types.ResourceRecordSet{src(1), latency}, cutover.Weights{},
			prefix + `record set "target" routes by latency, not by weight`},
		{"third set", []types.ResourceRecordSet{src(1), tgt(1), rec("blue", 0, "blue.")}, cutover.Weights{},
			prefix + `a third weighted record set "blue" (weight 0) shares the name; ferry shifts traffic between "source" and "target" only: delete "blue" or name it in the plan`},
		{"no source", []types.ResourceRecordSet{tgt(1)}, cutover.Weights{},
			prefix + "no weighted record with SetIdentifier source; create it for the old side"},
		{"no record", nil, cutover.Weights{}, prefix + "no weighted record with SetIdentifier source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, page := range []int{100, 1} {
				f, r := setup(t, tc.records...)
				f.pageSize = page
				got, err := r.Read(t.Context())
				if tc.err != "" {
					if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
						t.Errorf("page %d: Read = %v, %v; want error %q", page, got, err, tc.err)
					}
					continue
				}
				if err != nil || got != tc.want {
					t.Errorf("page %d: Read = %v, %v; want %v", page, got, err, tc.want)
				}
			}
		})
	}
}

// TestReadStopsAfterTheName: with one record a page, listing starts at
// shop's name and stops at the first record past it.
func TestReadStopsAfterTheName(t *testing.T) {
	t.Parallel()
	f, r := setup(t, src(90), tgt(10))
	f.pageSize = 1
	if _, err := r.Read(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Count("ListResourceRecordSets"); n != 3 {
		t.Errorf("ListResourceRecordSets called %d times, want 3 (source, target, the next name)", n)
	}
}

func TestZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*fakeRoute53, *Config)
		err  string
	}{
		{"by id", func(_ *fakeRoute53, c *Config) { c.ZoneID, c.ZoneName = "/hostedzone/"+zoneID, "" }, ""},
		{"unknown id", func(_ *fakeRoute53, c *Config) { c.ZoneID = "ZNOPE" },
			"route53 shop.acme.example. CNAME: hosted zone ZNOPE: NoSuchHostedZone"},
		{"no zone of the name", func(_ *fakeRoute53, c *Config) { c.ZoneName = "other.example." },
			"route53 shop.acme.example. CNAME: no hosted zone named other.example. in this account; check the zone name and the profile"},
		{"two zones of the name", func(f *fakeRoute53, _ *Config) { f.addZone("Z0PRIVATE", "acme.example.") },
			"route53 shop.acme.example. CNAME: 2 hosted zones are named acme.example. (public and private?); set the zone id"},
		{"name outside the zone", func(f *fakeRoute53, c *Config) { f.addZone("Z0OTHER", "other.example."); c.ZoneName = "other.example." },
			"route53 shop.acme.example. CNAME in zone other.example. (Z0OTHER): the name is not in this zone"},
		{"list fails", func(f *fakeRoute53, _ *Config) { f.fail["ListResourceRecordSets"] = errors.New("AccessDenied") },
			prefix + "list record sets: AccessDenied; check that the profile can read Route53 records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.addZone(zoneID, "acme.example.", src(90), tgt(10))
			cfg := config(f)
			tc.edit(f, &cfg)
			r, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Read(t.Context())
			if tc.err == "" {
				if err != nil || got != cutover.ToTarget(10) {
					t.Errorf("Read = %v, %v", got, err)
				}
			} else if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("Read: %v, want %q", err, tc.err)
			}
		})
	}
}

// TestSet drives the weights from a state and checks the one batch it
// writes and what the zone holds after.
func TestSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		records []types.ResourceRecordSet
		w       cutover.Weights
		writes  []string
		after   []types.ResourceRecordSet
	}{
		{"creates the target", []types.ResourceRecordSet{src(100)}, cutover.ToTarget(10),
			[]string{"ChangeResourceRecordSets UPSERT source=90 UPSERT target=10"}, []types.ResourceRecordSet{src(90), tgt(10)}},
		{"shifts both", []types.ResourceRecordSet{src(90), tgt(10)}, cutover.ToTarget(50),
			[]string{"ChangeResourceRecordSets UPSERT source=50 UPSERT target=50"}, []types.ResourceRecordSet{src(50), tgt(50)}},
		{"all to target", []types.ResourceRecordSet{src(50), tgt(50)}, cutover.ToTarget(100),
			[]string{"ChangeResourceRecordSets UPSERT source=0 UPSERT target=100"}, []types.ResourceRecordSet{src(0), tgt(100)}},
		{"only what differs", []types.ResourceRecordSet{src(100), tgt(50)}, cutover.ToTarget(0),
			[]string{"ChangeResourceRecordSets UPSERT target=0"}, []types.ResourceRecordSet{src(100), tgt(0)}},
		{"already so", []types.ResourceRecordSet{src(90), tgt(10)}, cutover.ToTarget(10), nil, []types.ResourceRecordSet{src(90), tgt(10)}},
		{"relative weights already so", []types.ResourceRecordSet{src(180), tgt(20)}, cutover.ToTarget(10), nil,
			[]types.ResourceRecordSet{src(180), tgt(20)}},
		{"no target at 0", []types.ResourceRecordSet{src(100)}, cutover.ToTarget(0), nil, []types.ResourceRecordSet{src(100)}},
		{"0/0 is 50/50", []types.ResourceRecordSet{src(0), tgt(0)}, cutover.ToTarget(50), nil, []types.ResourceRecordSet{src(0), tgt(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, r := setup(t, tc.records...)
			if err := r.Set(t.Context(), tc.w); err != nil {
				t.Fatal(err)
			}
			if got := f.calls.Writes(); !slices.Equal(got, tc.writes) {
				t.Errorf("writes %q, want %q", got, tc.writes)
			}
			want := append(others(), tc.after...)
			sortRecords(want)
			assertRecords(t, f.recordsOf(zoneID), want)
			if got, err := r.Read(t.Context()); err != nil || got != tc.w {
				t.Errorf("Read after Set = %v, %v; want %v", got, err, tc.w)
			}
			n := len(f.calls.Writes())
			if err := r.Set(t.Context(), tc.w); err != nil || len(f.calls.Writes()) != n {
				t.Errorf("second Set: %v, writes %q", err, f.calls.Writes()[n:])
			}
		})
	}
}

func assertRecords(t *testing.T, got, want []types.ResourceRecordSet) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("zone holds %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if sortKey(got[i]) != sortKey(want[i]) || !sameRecord(&got[i], &want[i]) {
			t.Errorf("record %d = %s %+v, want %s %+v", i, sortKey(got[i]), view(&got[i]), sortKey(want[i]), view(&want[i]))
		}
	}
}

func TestSetAlias(t *testing.T) {
	t.Parallel()
	alias := func(id string, weight int64, dns string) types.ResourceRecordSet {
		return types.ResourceRecordSet{Name: aws.String(shop), Type: types.RRTypeA, SetIdentifier: aws.String(id), Weight: aws.Int64(weight),
			AliasTarget: &types.AliasTarget{DNSName: aws.String(dns), HostedZoneId: aws.String("Z35SXDOTRQ7X7K"), EvaluateTargetHealth: true}}
	}
	f := newFake()
	f.addZone(zoneID, "acme.example.", alias("source", 100, "old-alb.us-east-1.elb.amazonaws.com."))
	cfg := config(f)
	cfg.Type, cfg.TargetValue = "A", ""
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Set(t.Context(), cutover.ToTarget(10))
	want := "route53 shop.acme.example. A in zone acme.example. (Z0ACME): no record with SetIdentifier target yet and the source is an alias record: set the target alias"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Set without a target alias: %v, want %q", err, want)
	}
	cfg.TargetAlias = alias("", 0, "new-alb.us-east-1.elb.amazonaws.com.").AliasTarget
	if r, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.Set(t.Context(), cutover.ToTarget(10)); err != nil {
		t.Fatal(err)
	}
	assertRecords(t, f.recordsOf(zoneID), []types.ResourceRecordSet{
		alias("source", 90, "old-alb.us-east-1.elb.amazonaws.com."), alias("target", 10, "new-alb.us-east-1.elb.amazonaws.com.")})
	if d, err := r.MinDwell(t.Context()); err != nil || d != time.Minute {
		t.Errorf("MinDwell of alias records = %v, %v; want 1m", d, err)
	}
}

func TestSetErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*fakeRoute53, *Config)
		w    cutover.Weights
		err  string
	}{
		{"invalid weights", nil, cutover.Weights{Source: 60, Target: 60}, "route53 shop.acme.example. CNAME: weights 60/60 do not add up to 100"},
		{"no target value", func(_ *fakeRoute53, c *Config) { c.TargetValue = "" }, cutover.ToTarget(10),
			prefix + "no record with SetIdentifier target yet and no target value to create it with"},
		{"change refused", func(f *fakeRoute53, _ *Config) { f.fail["ChangeResourceRecordSets"] = errors.New("AccessDenied") }, cutover.ToTarget(10),
			prefix + "change record sets (ferry cutover 90/10): AccessDenied; nothing was changed"},
		{"status unreadable", func(f *fakeRoute53, _ *Config) { f.pending, f.fail["GetChange"] = 1, errors.New("Throttling") }, cutover.ToTarget(10),
			prefix + "change /change/C1 was accepted; reading its status: Throttling"},
		{"never in sync", func(f *fakeRoute53, c *Config) { f.pending, c.SyncTimeout = 1000, 20*time.Millisecond }, cutover.ToTarget(10),
			prefix + "change /change/C1 was accepted but is still PENDING after 20ms; wait for it (aws route53 get-change --id /change/C1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.addZone(zoneID, "acme.example.", src(100))
			cfg := config(f)
			if tc.edit != nil {
				tc.edit(f, &cfg)
			}
			r, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Set(t.Context(), tc.w); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("Set: %v, want %q", err, tc.err)
			}
		})
	}
}

// TestSetWaitsForInSync: Set returns only after GetChange says INSYNC, and
// gives up when ctx ends first.
func TestSetWaitsForInSync(t *testing.T) {
	t.Parallel()
	f, r := setup(t, src(100))
	f.pending = 3
	if err := r.Set(t.Context(), cutover.ToTarget(10)); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Count("GetChange"); n != 4 {
		t.Errorf("GetChange called %d times, want 4 (3 PENDING, then INSYNC)", n)
	}
	f.pending = 1000
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	err := r.Set(ctx, cutover.ToTarget(50))
	want := prefix + "change /change/C2 was accepted but is not INSYNC yet: context deadline exceeded"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Set with a short ctx: %v, want %q", err, want)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	_, r := setup(t, src(100))
	ch, err := r.Plan(t.Context(), cutover.ToTarget(10))
	if err != nil {
		t.Fatal(err)
	}
	before := `records:
  source:
    ttl: 60
    values:
    - kops-ingress.acme.example.
    weight: 100
  target: null
traffic: 100/0 (source/target)
zone: acme.example. (Z0ACME)
`
	after := `records:
  source:
    ttl: 60
    values:
    - kops-ingress.acme.example.
    weight: 90
  target:
    ttl: 60
    values:
    - eks-ingress.acme.example.
    weight: 10
traffic: 90/10 (source/target)
zone: acme.example. (Z0ACME)
`
	want := runbook.Change{Op: runbook.OpCreate, Kind: ChangeKind, Name: "shop.acme.example. CNAME", Before: before, After: after}
	if ch != want {
		t.Errorf("Plan =\n%+v\nwant\n%+v", ch, want)
	}
	for _, tc := range []struct {
		records []types.ResourceRecordSet
		w       cutover.Weights
		op      runbook.Op
	}{
		{[]types.ResourceRecordSet{src(90), tgt(10)}, cutover.ToTarget(50), runbook.OpUpdate},
		{[]types.ResourceRecordSet{src(90), tgt(10)}, cutover.ToTarget(10), runbook.OpNone},
		{[]types.ResourceRecordSet{src(100)}, cutover.ToTarget(0), runbook.OpNone},
	} {
		f, r := setup(t, tc.records...)
		ch, err := r.Plan(t.Context(), tc.w)
		if err != nil || ch.Op != tc.op || len(f.calls.Writes()) != 0 {
			t.Errorf("Plan %v from %d records = %s, %v; writes %q", tc.w, len(tc.records), ch.Op, err, f.calls.Writes())
		}
		if tc.op == runbook.OpUpdate && (!strings.Contains(ch.Before, "weight: 90") || !strings.Contains(ch.After, "weight: 50")) {
			t.Errorf("update plan:\n%s\n->\n%s", ch.Before, ch.After)
		}
	}
}

func TestMinDwell(t *testing.T) {
	t.Parallel()
	long := tgt(10)
	long.TTL = aws.Int64(300)
	for _, tc := range []struct {
		records []types.ResourceRecordSet
		want    time.Duration
	}{
		{[]types.ResourceRecordSet{src(100)}, time.Minute},
		{[]types.ResourceRecordSet{src(90), long}, 5 * time.Minute},
	} {
		_, r := setup(t, tc.records...)
		if got, err := r.MinDwell(t.Context()); err != nil || got != tc.want {
			t.Errorf("MinDwell = %v, %v; want %v", got, err, tc.want)
		}
	}
}
