package r53

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// TestSandboxWeights shifts the old account's seeded shop.acme.example.
// (weighted CNAME, set identifier source, TTL 60, no target record) to
// 90/10, 50/50 and 0/100, checks each with a client the router never uses,
// and restores the snapshot: the zone ends exactly as it began, the target
// record gone again.
func TestSandboxWeights(t *testing.T) {
	sb := clonetest.Isolated(t)
	ops := &sb.SourceOps // the router works in the old account alone
	r, err := New(Config{Client: route53.NewFromConfig(sb.Source()), ZoneName: "acme.example.",
		RecordName: "shop.acme.example.", Type: "CNAME", TargetValue: "eks-ingress.acme.example.",
		PollInterval: 100 * time.Millisecond, SyncTimeout: time.Minute})
	must(t, err)
	reader := route53.NewFromConfig(sb.OldAccount)
	zoneID := findZone(t, reader, "acme.example.")
	before := zoneRecords(t, reader, zoneID)
	if got, err := r.Read(t.Context()); err != nil || got != cutover.ToTarget(0) {
		t.Fatalf("Read of the seeded record = %v, %v; want 100/0 (is shop.acme.example. seeded in the old account?)", got, err)
	}
	snap, err := r.Snapshot(t.Context())
	must(t, err)

	for _, w := range []cutover.Weights{cutover.ToTarget(10), cutover.ToTarget(50), cutover.ToTarget(100)} {
		must(t, r.Set(t.Context(), w))
		recs := zoneRecords(t, reader, zoneID)
		wantSource := fmt.Sprintf("shop.acme.example. CNAME source weight=%d ttl=60 [kops-ingress.acme.example.]", w.Source)
		wantTarget := fmt.Sprintf("shop.acme.example. CNAME target weight=%d ttl=60 [eks-ingress.acme.example.]", w.Target)
		if !slices.Contains(recs, wantSource) || !slices.Contains(recs, wantTarget) {
			t.Errorf("after Set(%v) the zone holds\n%s\nwant %q and %q", w, strings.Join(recs, "\n"), wantSource, wantTarget)
		}
		if got, err := r.Read(t.Context()); err != nil || got != w {
			t.Errorf("Read after Set(%v) = %v, %v", w, got, err)
		}
		if ch, err := r.Plan(t.Context(), w); err != nil || ch.Op != runbook.OpNone {
			t.Errorf("Plan(%v) after Set = %s, %v; want none", w, ch.Op, err)
		}
	}
	if d, err := r.MinDwell(t.Context()); err != nil || d != time.Minute {
		t.Errorf("MinDwell = %v, %v; want the records' TTL, 1m", d, err)
	}
	n := ops.Len()
	must(t, r.Set(t.Context(), cutover.ToTarget(100)))
	if w := ops.Writes(n); len(w) != 0 {
		t.Errorf("Set of the weights already held wrote %q", w)
	}

	must(t, r.Restore(t.Context(), snap))
	if after := zoneRecords(t, reader, zoneID); !slices.Equal(after, before) {
		t.Errorf("after Restore the zone holds\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	want := []string{"ChangeResourceRecordSets", "ChangeResourceRecordSets", "ChangeResourceRecordSets", "ChangeResourceRecordSets"}
	if w := ops.Writes(0); !slices.Equal(w, want) {
		t.Errorf("writes %q, want one batch a Set and one for the Restore: %q", w, want)
	}
}

// findZone is the id of the zone named name, by plain SDK calls.
func findZone(t *testing.T, c *route53.Client, name string) string {
	t.Helper()
	out, err := c.ListHostedZonesByName(t.Context(), &route53.ListHostedZonesByNameInput{DNSName: aws.String(name)})
	must(t, err)
	for _, z := range out.HostedZones {
		if aws.ToString(z.Name) == name {
			return strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
		}
	}
	t.Fatalf("no zone %s in the old account; the sandbox seed should make it", name)
	return ""
}

// zoneRecords is every record set of the zone, one line each, sorted,
// listed with plain SDK calls page by page.
func zoneRecords(t *testing.T, c *route53.Client, zoneID string) []string {
	t.Helper()
	var out []string
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	for {
		page, err := c.ListResourceRecordSets(t.Context(), in)
		must(t, err)
		for _, rs := range page.ResourceRecordSets {
			var values []string
			for _, rr := range rs.ResourceRecords {
				values = append(values, aws.ToString(rr.Value))
			}
			line := fmt.Sprintf("%s %s", aws.ToString(rs.Name), rs.Type)
			if rs.SetIdentifier != nil {
				line += fmt.Sprintf(" %s weight=%d", aws.ToString(rs.SetIdentifier), aws.ToInt64(rs.Weight))
			}
			out = append(out, fmt.Sprintf("%s ttl=%d %v", line, aws.ToInt64(rs.TTL), values))
		}
		if !page.IsTruncated {
			break
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
	slices.Sort(out)
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
