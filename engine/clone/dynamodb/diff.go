package dynamodb

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableDiff is what stands between the target's table and the wanted one.
type tableDiff struct {
	// fixed are differences no update can make go: key schema, local
	// indexes, a global index's keys or projection.
	fixed []string
	// changes are the differences Apply makes go, for people.
	changes []string
	// extra are things on the target the source lacks; left alone.
	extra []string
	calls []*dynamodb.UpdateTableInput
	ttl   []*dynamodb.UpdateTimeToLiveInput
	tags  map[string]string // to set: missing or different on the target
}

// empty is true when Apply has nothing to change.
func (d tableDiff) empty() bool { return len(d.calls) == 0 && len(d.ttl) == 0 && len(d.tags) == 0 }

// diffSpecs compares the wanted spec with the target's.
func diffSpecs(want, have tableSpec) tableDiff {
	var d tableDiff
	if !slices.Equal(want.Keys, have.Keys) || !sameKeyTypes(want, have) {
		d.fixed = append(d.fixed, fmt.Sprintf("key schema %s on the target, %s wanted", keysText(have), keysText(want)))
	}
	if !slices.EqualFunc(want.LSIs, have.LSIs, sameIndex) {
		d.fixed = append(d.fixed, "local secondary indexes differ (they can only be set when a table is created)")
	}
	d.billing(want, have)
	d.stream(want, have)
	d.globalIndexes(want, have)
	d.timeToLive(want, have)
	d.tagsOf(want, have)
	return d
}

func (d *tableDiff) billing(want, have tableSpec) {
	if want.Billing == have.Billing && (!want.provisioned() || want.Read == have.Read && want.Write == have.Write) {
		return
	}
	in := &dynamodb.UpdateTableInput{TableName: aws.String(want.Name), BillingMode: types.BillingMode(want.Billing)}
	if want.provisioned() {
		in.ProvisionedThroughput = throughput(want.Read, want.Write)
	}
	d.calls = append(d.calls, in)
	d.changes = append(d.changes, fmt.Sprintf("billing %s -> %s", capacityText(have), capacityText(want)))
}

func (d *tableDiff) stream(want, have tableSpec) {
	if want.Stream == have.Stream {
		return
	}
	if have.Stream != "" { // a view type cannot change in place: off first
		d.calls = append(d.calls, &dynamodb.UpdateTableInput{TableName: aws.String(want.Name),
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}})
	}
	if want.Stream != "" {
		d.calls = append(d.calls, &dynamodb.UpdateTableInput{TableName: aws.String(want.Name),
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(want.Stream)}})
	}
	d.changes = append(d.changes, fmt.Sprintf("stream %s -> %s", orOff(have.Stream), orOff(want.Stream)))
}

// globalIndexes creates missing indexes (one per call, as DynamoDB wants)
// and updates provisioned capacity; a differing index is reported.
func (d *tableDiff) globalIndexes(want, have tableSpec) {
	for _, g := range want.GSIs {
		i := slices.IndexFunc(have.GSIs, func(h indexSpec) bool { return h.Name == g.Name })
		switch {
		case i < 0:
			in := &dynamodb.UpdateTableInput{TableName: aws.String(want.Name), AttributeDefinitions: want.createInput().AttributeDefinitions}
			gi := want.gsiInput(g)
			in.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: gi.IndexName, KeySchema: gi.KeySchema, Projection: gi.Projection, ProvisionedThroughput: gi.ProvisionedThroughput}}}
			d.calls = append(d.calls, in)
			d.changes = append(d.changes, "create global index "+g.Name)
		case !sameIndex(g, have.GSIs[i]):
			d.fixed = append(d.fixed, fmt.Sprintf("global index %s has other keys or projection on the target; delete it there and apply again", g.Name))
		case want.provisioned() && (g.Read != have.GSIs[i].Read || g.Write != have.GSIs[i].Write):
			d.calls = append(d.calls, &dynamodb.UpdateTableInput{TableName: aws.String(want.Name),
				GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Update: &types.UpdateGlobalSecondaryIndexAction{
					IndexName: aws.String(g.Name), ProvisionedThroughput: throughput(g.Read, g.Write)}}}})
			d.changes = append(d.changes, fmt.Sprintf("global index %s capacity %d/%d -> %d/%d", g.Name, have.GSIs[i].Read, have.GSIs[i].Write, g.Read, g.Write))
		}
	}
	for _, h := range have.GSIs {
		if !slices.ContainsFunc(want.GSIs, func(g indexSpec) bool { return g.Name == h.Name }) {
			d.extra = append(d.extra, "global index "+h.Name)
		}
	}
}

func (d *tableDiff) timeToLive(want, have tableSpec) {
	if want.TTL == have.TTL {
		return
	}
	d.ttl = ttlCalls(want.Name, have.TTL, want.TTL)
	d.changes = append(d.changes, fmt.Sprintf("TTL %s -> %s", orOff(have.TTL), orOff(want.TTL)))
}

// ttlCalls move TTL from one attribute ("" is off) to another: off first,
// as DynamoDB turns it on for one attribute only.
func ttlCalls(table, from, to string) []*dynamodb.UpdateTimeToLiveInput {
	set := func(attr string, on bool) *dynamodb.UpdateTimeToLiveInput {
		return &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(table),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attr), Enabled: aws.Bool(on)}}
	}
	var out []*dynamodb.UpdateTimeToLiveInput
	if from != "" {
		out = append(out, set(from, false))
	}
	if to != "" {
		out = append(out, set(to, true))
	}
	return out
}

func (d *tableDiff) tagsOf(want, have tableSpec) {
	for _, k := range slices.Sorted(maps.Keys(want.Tags)) {
		if v, ok := have.Tags[k]; !ok || v != want.Tags[k] {
			if d.tags == nil {
				d.tags = map[string]string{}
			}
			d.tags[k] = want.Tags[k]
			d.changes = append(d.changes, "tag "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(have.Tags)) {
		if _, ok := want.Tags[k]; !ok {
			d.extra = append(d.extra, "tag "+k)
		}
	}
}

// sameKeyTypes compares the types of the table's key attributes.
func sameKeyTypes(want, have tableSpec) bool {
	for _, k := range want.Keys {
		if want.Attributes[k.Name] != have.Attributes[k.Name] {
			return false
		}
	}
	return true
}

// sameIndex compares keys and projection; capacity is updatable.
func sameIndex(a, b indexSpec) bool {
	return a.Name == b.Name && slices.Equal(a.Keys, b.Keys) && a.Projection == b.Projection && slices.Equal(a.NonKey, b.NonKey)
}

func keysText(s tableSpec) string {
	out := ""
	for i, k := range s.Keys {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s %s %s", k.Type, k.Name, s.Attributes[k.Name])
	}
	return "(" + out + ")"
}

func capacityText(s tableSpec) string {
	if s.provisioned() {
		return fmt.Sprintf("%s %d/%d", s.Billing, s.Read, s.Write)
	}
	return s.Billing
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}
