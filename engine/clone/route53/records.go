package route53

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// key identifies a record set in a zone: Route 53 keys record sets by
// name, type and, for routing policies (weighted, latency, failover, ...),
// set identifier.
type key struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	SetID string `json:"setIdentifier,omitempty"`
}

func keyOf(r types.ResourceRecordSet) key {
	return key{Name: dnsName(aws.ToString(r.Name)), Type: string(r.Type), SetID: aws.ToString(r.SetIdentifier)}
}

// String is how people see a record: "orders.acme.internal. CNAME", with
// " [set-id]" for a routing policy's member.
func (k key) String() string {
	if k.SetID != "" {
		return fmt.Sprintf("%s %s [%s]", k.Name, k.Type, k.SetID)
	}
	return k.Name + " " + k.Type
}

// group is the part of a key that routing policies share: members of one
// weighted set, and a plain record of the same name and type, conflict.
func (k key) group() key { return key{Name: k.Name, Type: k.Type} }

func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type), cmp.Compare(a.SetID, b.SetID))
}

// dnsName is a record name as Route 53 compares it: lower case, trailing
// dot, and the "\052" it answers for "*" turned back into "*".
func dnsName(name string) string { return fqdn(strings.ReplaceAll(name, `\052`, "*")) }

// isApexNSOrSOA says whether a record is one of those Route 53 makes for
// every zone, which belong to the zone and are never copied.
func isApexNSOrSOA(r types.ResourceRecordSet, zoneName string) bool {
	return (r.Type == types.RRTypeNs || r.Type == types.RRTypeSoa) && dnsName(aws.ToString(r.Name)) == zoneName
}

// canonical is a record set as text that two equal record sets share:
// names normalized, values sorted, the zone id of an alias bare.
func canonical(r types.ResourceRecordSet) string {
	r.Name = aws.String(dnsName(aws.ToString(r.Name)))
	values := make([]types.ResourceRecord, len(r.ResourceRecords))
	copy(values, r.ResourceRecords)
	slices.SortFunc(values, func(a, b types.ResourceRecord) int { return cmp.Compare(aws.ToString(a.Value), aws.ToString(b.Value)) })
	r.ResourceRecords = values
	if a := r.AliasTarget; a != nil {
		r.AliasTarget = &types.AliasTarget{HostedZoneId: aws.String(bareID(aws.ToString(a.HostedZoneId))),
			DNSName: aws.String(fqdn(aws.ToString(a.DNSName))), EvaluateTargetHealth: a.EvaluateTargetHealth}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Sprintf("%+v", r) // unreachable: the type holds only plain fields
	}
	return string(b)
}

func sameRecord(a, b types.ResourceRecordSet) bool { return canonical(a) == canonical(b) }

// render is one line per record for a change set: name, type, routing,
// TTL, then the values or the alias target.
func render(r types.ResourceRecordSet) string {
	var b strings.Builder
	b.WriteString(keyOf(r).String())
	for _, p := range routing(r) {
		b.WriteString(" " + p)
	}
	if r.TTL != nil {
		fmt.Fprintf(&b, " ttl=%d", *r.TTL)
	}
	if a := r.AliasTarget; a != nil {
		fmt.Fprintf(&b, " alias=%s/%s evaluateTargetHealth=%t", bareID(aws.ToString(a.HostedZoneId)), aws.ToString(a.DNSName), a.EvaluateTargetHealth)
	}
	for _, v := range r.ResourceRecords {
		b.WriteString(" " + aws.ToString(v.Value))
	}
	return b.String()
}

// routing lists a record's routing policy fields, "weight=90" and so on.
func routing(r types.ResourceRecordSet) []string {
	var out []string
	add := func(name, v string) {
		if v != "" {
			out = append(out, name+"="+v)
		}
	}
	if r.Weight != nil {
		add("weight", fmt.Sprint(*r.Weight))
	}
	add("region", string(r.Region))
	add("failover", string(r.Failover))
	if g := r.GeoLocation; g != nil {
		add("geo", strings.Trim(aws.ToString(g.ContinentCode)+"/"+aws.ToString(g.CountryCode)+"/"+aws.ToString(g.SubdivisionCode), "/"))
	}
	if g := r.GeoProximityLocation; g != nil {
		b, _ := json.Marshal(g)
		add("geoproximity", string(b))
	}
	if c := r.CidrRoutingConfig; c != nil {
		add("cidr", aws.ToString(c.CollectionId)+"/"+aws.ToString(c.LocationName))
	}
	if r.MultiValueAnswer != nil {
		add("multivalue", fmt.Sprint(*r.MultiValueAnswer))
	}
	add("healthCheck", aws.ToString(r.HealthCheckId))
	add("trafficPolicyInstance", aws.ToString(r.TrafficPolicyInstanceId))
	return out
}

// valueChars is what a record's values weigh against the batch limit on
// characters.
func valueChars(r types.ResourceRecordSet) int {
	n := 0
	for _, v := range r.ResourceRecords {
		n += len(aws.ToString(v.Value))
	}
	return n
}

// index maps record sets by key.
func index(recs []types.ResourceRecordSet) map[key]types.ResourceRecordSet {
	out := make(map[key]types.ResourceRecordSet, len(recs))
	for _, r := range recs {
		out[keyOf(r)] = r
	}
	return out
}
