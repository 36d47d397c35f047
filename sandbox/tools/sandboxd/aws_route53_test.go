package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
)

// r53Client talks to an account through the SDK's Route53 client.
type r53Client struct {
	t    *testing.T
	c    *route53.Client
	zone *string
}

func (c r53Client) change(changes ...r53types.Change) (*route53.ChangeResourceRecordSetsOutput, error) {
	return c.c.ChangeResourceRecordSets(c.t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: c.zone, ChangeBatch: &r53types.ChangeBatch{Changes: changes}})
}

// list pages through the zone maxItems at a time and renders each record
// set as "name type set weight values".
func (c r53Client) list(maxItems int32) []string {
	c.t.Helper()
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: c.zone, MaxItems: aws.Int32(maxItems)}
	var out []string
	for page := 0; ; page++ {
		if page > 50 {
			c.t.Fatalf("paging does not end: %v", out)
		}
		resp, err := c.c.ListResourceRecordSets(c.t.Context(), in)
		if err != nil {
			c.t.Fatalf("ListResourceRecordSets: %v", err)
		}
		if len(resp.ResourceRecordSets) > int(maxItems) {
			c.t.Fatalf("page of %d record sets, want at most %d", len(resp.ResourceRecordSets), maxItems)
		}
		for _, rs := range resp.ResourceRecordSets {
			out = append(out, render(rs))
		}
		if !resp.IsTruncated {
			return out
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = resp.NextRecordName, resp.NextRecordType, resp.NextRecordIdentifier
	}
}

func render(rs r53types.ResourceRecordSet) string {
	var values []string
	for _, v := range rs.ResourceRecords {
		values = append(values, aws.ToString(v.Value))
	}
	s := aws.ToString(rs.Name) + " " + string(rs.Type)
	if rs.SetIdentifier != nil {
		s += fmt.Sprintf(" %s w=%d", *rs.SetIdentifier, aws.ToInt64(rs.Weight))
	}
	return s + " " + strings.Join(values, ",")
}

func weighted(action r53types.ChangeAction, name, set string, weight int64, value string) r53types.Change {
	return r53types.Change{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{
		Name: aws.String(name), Type: r53types.RRTypeCname, TTL: aws.Int64(60),
		SetIdentifier: aws.String(set), Weight: aws.Int64(weight),
		ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(value)}}}}
}

func simple(action r53types.ChangeAction, name string, rtype r53types.RRType, value string) r53types.Change {
	return r53types.Change{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{
		Name: aws.String(name), Type: rtype, TTL: aws.Int64(300),
		ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(value)}}}}
}

// wantBatchRefused expects InvalidChangeBatch with a message containing want.
func wantBatchRefused(t *testing.T, err error, want string) {
	t.Helper()
	var icb *r53types.InvalidChangeBatch
	if !errors.As(err, &icb) {
		t.Fatalf("error %v, want InvalidChangeBatch", err)
	}
	if !strings.Contains(strings.Join(icb.Messages, "\n"), want) {
		t.Errorf("messages %q, want one containing %q", icb.Messages, want)
	}
}

func wantInvalidInput(t *testing.T, err error) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidInput" {
		t.Errorf("error %v, want InvalidInput", err)
	}
}

func wantList(t *testing.T, c r53Client, want ...string) {
	t.Helper()
	for _, max := range []int32{1, 2, 300} {
		if got := c.list(max); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("record sets (pages of %d):\n%s\nwant:\n%s", max, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestRoute53WeightedRecords drives weighted records through the front
// and an in-process kumo with the SDK's client. Not parallel: kumo's state
// is per process, and TestAccountOldInProcess compares two inventories of
// it; the test removes its zone at the end.
func TestRoute53WeightedRecords(t *testing.T) {
	acct, err := startAccount("111111111111", "127.0.0.1:0", route53Front())
	if err != nil {
		t.Fatal(err)
	}
	defer acct.Close(0)
	ctx := t.Context()
	rc := route53.NewFromConfig(sdkConfig(acct.URL, "us-east-1"))
	z, err := rc.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("weighted.test"), CallerReference: aws.String(t.Name())})
	if err != nil {
		t.Fatal(err)
	}
	c := r53Client{t: t, c: rc, zone: z.HostedZone.Id}
	const shop = "shop.weighted.test."

	out, err := c.change(
		weighted(r53types.ChangeActionCreate, shop, "source", 100, "kops.weighted.test."),
		weighted(r53types.ChangeActionCreate, "SHOP.weighted.test", "target", 0, "eks.weighted.test."),
		simple(r53types.ChangeActionCreate, "api.weighted.test.", r53types.RRTypeA, "192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rc.GetChange(ctx, &route53.GetChangeInput{Id: out.ChangeInfo.Id})
	if err != nil || got.ChangeInfo.Status != r53types.ChangeStatusInsync {
		t.Fatalf("GetChange(%s) = %+v, %v; want INSYNC", aws.ToString(out.ChangeInfo.Id), got, err)
	}
	wantList(t, c,
		"api.weighted.test. A 192.0.2.10",
		"shop.weighted.test. CNAME source w=100 kops.weighted.test.",
		"shop.weighted.test. CNAME target w=0 eks.weighted.test.")

	_, err = c.change(weighted(r53types.ChangeActionUpsert, shop, "source", 60, "kops.weighted.test."),
		weighted(r53types.ChangeActionUpsert, shop, "target", 40, "eks.weighted.test."))
	if err != nil {
		t.Fatal(err)
	}
	after := []string{"api.weighted.test. A 192.0.2.10",
		"shop.weighted.test. CNAME source w=60 kops.weighted.test.",
		"shop.weighted.test. CNAME target w=40 eks.weighted.test."}
	wantList(t, c, after...)

	// Each refused batch changes nothing, its valid changes included.
	_, err = c.change(simple(r53types.ChangeActionUpsert, "api.weighted.test.", r53types.RRTypeA, "192.0.2.99"),
		weighted(r53types.ChangeActionCreate, shop, "source", 1, "x.weighted.test."))
	wantBatchRefused(t, err, "[name='shop.weighted.test.', type='CNAME', set-identifier='source'] but it already exists")
	_, err = c.change(weighted(r53types.ChangeActionDelete, shop, "source", 61, "kops.weighted.test."))
	wantBatchRefused(t, err, "values provided do not match")
	_, err = c.change(weighted(r53types.ChangeActionDelete, shop, "canary", 0, "kops.weighted.test."))
	wantBatchRefused(t, err, "set-identifier='canary'] but it was not found")
	_, err = c.change(simple(r53types.ChangeActionCreate, shop, r53types.RRTypeCname, "plain.weighted.test."))
	wantBatchRefused(t, err, "SetIdentifier")
	// Only one type's sets may not mix: a weighted CNAME beside a plain A is fine.
	_, err = c.change(weighted(r53types.ChangeActionCreate, "api.weighted.test.", "w", 1, "x.weighted.test."),
		simple(r53types.ChangeActionCreate, "www.weighted.test.", r53types.RRTypeA, "192.0.2.11"))
	if err != nil {
		t.Fatalf("weighted CNAME beside a plain A: %v", err)
	}
	_, err = c.change(simple(r53types.ChangeActionDelete, "www.weighted.test.", r53types.RRTypeA, "192.0.2.11"),
		weighted(r53types.ChangeActionDelete, "api.weighted.test.", "w", 1, "x.weighted.test."),
		weighted(r53types.ChangeActionCreate, shop, "canary", 300, "x.weighted.test."))
	wantInvalidInput(t, err)
	wantList(t, c, after[0], "api.weighted.test. CNAME w w=1 x.weighted.test.", after[1], after[2], "www.weighted.test. A 192.0.2.11")

	_, err = rc.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: c.zone, StartRecordType: r53types.RRTypeA})
	wantInvalidInput(t, err)
	start, err := rc.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: c.zone, MaxItems: aws.Int32(1),
		StartRecordName: aws.String(shop), StartRecordType: r53types.RRTypeCname, StartRecordIdentifier: aws.String("target")})
	if err != nil || len(start.ResourceRecordSets) != 1 || render(start.ResourceRecordSets[0]) != after[2] ||
		aws.ToString(start.NextRecordName) != "www.weighted.test." || start.NextRecordIdentifier != nil {
		t.Errorf("page from shop CNAME target: %+v, %v", start, err)
	}

	// A delete and a create of one record in one batch is how Route53
	// clients replace a record.
	_, err = c.change(weighted(r53types.ChangeActionDelete, shop, "source", 60, "kops.weighted.test."),
		weighted(r53types.ChangeActionCreate, shop, "source", 0, "kops.weighted.test."),
		weighted(r53types.ChangeActionDelete, shop, "target", 40, "eks.weighted.test."),
		weighted(r53types.ChangeActionDelete, "api.weighted.test.", "w", 1, "x.weighted.test."),
		simple(r53types.ChangeActionDelete, "www.weighted.test.", r53types.RRTypeA, "192.0.2.11"))
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, c, after[0], "shop.weighted.test. CNAME source w=0 kops.weighted.test.")

	_, err = c.change(simple(r53types.ChangeActionDelete, "api.weighted.test.", r53types.RRTypeA, "192.0.2.10"),
		weighted(r53types.ChangeActionDelete, shop, "source", 0, "kops.weighted.test."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.DeleteHostedZone(context.Background(), &route53.DeleteHostedZoneInput{Id: c.zone}); err != nil {
		t.Errorf("delete the emptied zone: %v", err)
	}
	_, err = rc.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: c.zone})
	var noZone *r53types.NoSuchHostedZone
	if !errors.As(err, &noZone) {
		t.Errorf("list a deleted zone: %v, want NoSuchHostedZone (kumo's answer, passed on)", err)
	}
}

// TestRoute53PublicZoneAcrossRestart: the old account's seed holds the
// public zone's weighted record; a second weighted record and a changed
// weight survive a restart on the same --data, and the seed, which runs
// again, neither resets nor duplicates them.
func TestRoute53PublicZoneAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := startCommand(t, "111111111111", dir, "old")
	c := publicZoneClient(t, url)
	wantList(t, c, "shop.acme.example. CNAME source w=100 kops-ingress.acme.example.")
	rs := c.firstRecordSet()
	if aws.ToInt64(rs.TTL) != 60 {
		t.Errorf("seeded TTL %d, want 60", aws.ToInt64(rs.TTL))
	}
	_, err := c.change(weighted(r53types.ChangeActionUpsert, "shop.acme.example.", "source", 90, "kops-ingress.acme.example."),
		weighted(r53types.ChangeActionCreate, "shop.acme.example.", "target", 10, "eks-ingress.acme.example."))
	if err != nil {
		t.Fatal(err)
	}
	stop()

	url, stop = startCommand(t, "111111111111", dir, "old")
	defer stop()
	wantList(t, publicZoneClient(t, url),
		"shop.acme.example. CNAME source w=90 kops-ingress.acme.example.",
		"shop.acme.example. CNAME target w=10 eks-ingress.acme.example.")
}

// publicZoneClient finds the seeded acme.example. zone of the account at url.
func publicZoneClient(t *testing.T, url string) r53Client {
	t.Helper()
	rc := route53.NewFromConfig(sdkConfig(url, "us-east-1"))
	zones, err := rc.ListHostedZonesByName(t.Context(), &route53.ListHostedZonesByNameInput{DNSName: aws.String(publicZoneName)})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zones.HostedZones {
		if aws.ToString(z.Name) == publicZoneName {
			return r53Client{t: t, c: rc, zone: z.Id}
		}
	}
	t.Fatalf("no zone %s among %d", publicZoneName, len(zones.HostedZones))
	return r53Client{}
}

func (c r53Client) firstRecordSet() r53types.ResourceRecordSet {
	c.t.Helper()
	out, err := c.c.ListResourceRecordSets(c.t.Context(), &route53.ListResourceRecordSetsInput{HostedZoneId: c.zone})
	if err != nil {
		c.t.Fatal(err)
	}
	if len(out.ResourceRecordSets) == 0 {
		c.t.Fatalf("%s holds no record sets", publicZoneName)
	}
	return out.ResourceRecordSets[0]
}
