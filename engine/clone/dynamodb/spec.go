package dynamodb

import (
	"cmp"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// tableSpec is a table's settings as the clone compares them: what
// CreateTable takes, plus TTL and tags, which have calls of their own.
type tableSpec struct {
	Name       string            `json:"name"`
	Keys       []keyElem         `json:"keys"`
	Attributes map[string]string `json:"attributes"`
	Billing    string            `json:"billing"`
	Read       int64             `json:"readCapacity,omitempty"`
	Write      int64             `json:"writeCapacity,omitempty"`
	GSIs       []indexSpec       `json:"globalIndexes,omitempty"`
	LSIs       []indexSpec       `json:"localIndexes,omitempty"`
	Stream     string            `json:"stream,omitempty"` // view type; "" is off
	TTL        string            `json:"ttlAttribute,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// keyElem is one key attribute: HASH or RANGE.
type keyElem struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// indexSpec is a secondary index. Read and Write are zero on local indexes
// and on on-demand tables.
type indexSpec struct {
	Name       string    `json:"name"`
	Keys       []keyElem `json:"keys"`
	Projection string    `json:"projection"`
	NonKey     []string  `json:"nonKeyAttributes,omitempty"`
	Read       int64     `json:"readCapacity,omitempty"`
	Write      int64     `json:"writeCapacity,omitempty"`
}

// specOf turns what DescribeTable, DescribeTimeToLive and ListTagsOfResource
// said into a spec.
func specOf(d *types.TableDescription, ttl string, tags map[string]string) tableSpec {
	s := tableSpec{Name: aws.ToString(d.TableName), Keys: keysOf(d.KeySchema), Attributes: map[string]string{},
		Billing: string(types.BillingModeProvisioned), TTL: ttl, Tags: tags}
	for _, a := range d.AttributeDefinitions {
		s.Attributes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	if d.BillingModeSummary != nil && d.BillingModeSummary.BillingMode != "" {
		s.Billing = string(d.BillingModeSummary.BillingMode)
	}
	provisioned := s.Billing == string(types.BillingModeProvisioned)
	if provisioned && d.ProvisionedThroughput != nil {
		s.Read, s.Write = aws.ToInt64(d.ProvisionedThroughput.ReadCapacityUnits), aws.ToInt64(d.ProvisionedThroughput.WriteCapacityUnits)
	}
	for _, g := range d.GlobalSecondaryIndexes {
		ix := indexOf(aws.ToString(g.IndexName), g.KeySchema, g.Projection)
		if provisioned && g.ProvisionedThroughput != nil {
			ix.Read, ix.Write = aws.ToInt64(g.ProvisionedThroughput.ReadCapacityUnits), aws.ToInt64(g.ProvisionedThroughput.WriteCapacityUnits)
		}
		s.GSIs = append(s.GSIs, ix)
	}
	for _, l := range d.LocalSecondaryIndexes {
		s.LSIs = append(s.LSIs, indexOf(aws.ToString(l.IndexName), l.KeySchema, l.Projection))
	}
	byName := func(a, b indexSpec) int { return cmp.Compare(a.Name, b.Name) }
	slices.SortFunc(s.GSIs, byName)
	slices.SortFunc(s.LSIs, byName)
	if d.StreamSpecification != nil && aws.ToBool(d.StreamSpecification.StreamEnabled) {
		s.Stream = string(d.StreamSpecification.StreamViewType)
	}
	return s
}

func keysOf(ks []types.KeySchemaElement) []keyElem {
	out := make([]keyElem, 0, len(ks))
	for _, k := range ks {
		out = append(out, keyElem{Name: aws.ToString(k.AttributeName), Type: string(k.KeyType)})
	}
	return out
}

func indexOf(name string, ks []types.KeySchemaElement, p *types.Projection) indexSpec {
	ix := indexSpec{Name: name, Keys: keysOf(ks), Projection: string(types.ProjectionTypeAll)}
	if p != nil {
		ix.Projection = string(p.ProjectionType)
		ix.NonKey = slices.Sorted(slices.Values(p.NonKeyAttributes))
	}
	return ix
}

// mapSpec passes the source spec's names through the plan's mapping, as
// rewrite does for Kubernetes objects: the table's and indexes' names get
// their renames, tag keys and values their renames, account ids and ARNs.
// Attribute names stay: the items are copied verbatim and must still fit
// the key schema.
func mapSpec(m rewrite.Mapping, s tableSpec) tableSpec {
	names := func(ix []indexSpec) []any {
		out := make([]any, len(ix))
		for i, x := range ix {
			out[i] = x.Name
		}
		return out
	}
	tagKeys := slices.Sorted(maps.Keys(s.Tags))
	tagValues := make([]any, len(tagKeys))
	keys := make([]any, len(tagKeys))
	for i, k := range tagKeys {
		keys[i], tagValues[i] = k, s.Tags[k]
	}
	body := map[string]any{"name": s.Name, "gsi": names(s.GSIs), "lsi": names(s.LSIs), "tagKeys": keys, "tagValues": tagValues}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "ferry.dev/v1", "kind": "DynamoDBTable", "spec": body}}
	mapped := rewrite.ApplyToSource(m, obj).Object["spec"].(map[string]any)
	out := s
	out.Name = mapped["name"].(string)
	out.GSIs, out.LSIs = renamed(s.GSIs, mapped["gsi"]), renamed(s.LSIs, mapped["lsi"])
	if s.Tags != nil {
		keys, values := mapped["tagKeys"].([]any), mapped["tagValues"].([]any)
		out.Tags = make(map[string]string, len(keys))
		for i := range keys {
			out.Tags[keys[i].(string)] = values[i].(string)
		}
	}
	return out
}

func renamed(ix []indexSpec, names any) []indexSpec {
	out := slices.Clone(ix)
	for i, n := range names.([]any) {
		out[i].Name = n.(string)
	}
	slices.SortFunc(out, func(a, b indexSpec) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// mapName is a table's name in the new account.
func mapName(m rewrite.Mapping, name string) string {
	return mapSpec(m, tableSpec{Name: name}).Name
}

// render is a spec as YAML, for a change's before and after.
func (s tableSpec) render() string {
	b, err := yaml.Marshal(s)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// createInput is the CreateTable call that makes s (TTL and tags aside:
// tags go in too, TTL needs its own call).
func (s tableSpec) createInput() *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{TableName: aws.String(s.Name), KeySchema: schemaOf(s.Keys),
		BillingMode: types.BillingMode(s.Billing)}
	for _, name := range slices.Sorted(maps.Keys(s.Attributes)) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(name), AttributeType: types.ScalarAttributeType(s.Attributes[name])})
	}
	if s.provisioned() {
		in.ProvisionedThroughput = throughput(s.Read, s.Write)
	}
	for _, g := range s.GSIs {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, s.gsiInput(g))
	}
	for _, l := range s.LSIs {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(l.Name), KeySchema: schemaOf(l.Keys), Projection: projectionOf(l)})
	}
	if s.Stream != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(s.Stream)}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(s.Tags[k])})
	}
	return in
}

func (s tableSpec) provisioned() bool { return s.Billing == string(types.BillingModeProvisioned) }

func (s tableSpec) gsiInput(g indexSpec) types.GlobalSecondaryIndex {
	out := types.GlobalSecondaryIndex{IndexName: aws.String(g.Name), KeySchema: schemaOf(g.Keys), Projection: projectionOf(g)}
	if s.provisioned() {
		out.ProvisionedThroughput = throughput(g.Read, g.Write)
	}
	return out
}

func schemaOf(keys []keyElem) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(k.Name), KeyType: types.KeyType(k.Type)})
	}
	return out
}

func projectionOf(ix indexSpec) *types.Projection {
	return &types.Projection{ProjectionType: types.ProjectionType(ix.Projection), NonKeyAttributes: ix.NonKey}
}

func throughput(read, write int64) *types.ProvisionedThroughput {
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(max(read, 1)), WriteCapacityUnits: aws.Int64(max(write, 1))}
}
