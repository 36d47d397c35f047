package dynamodb

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// seedBulk makes bulkTable in the old account with bulkItems items and
// every setting the clone carries: provisioned capacity, a global index
// with an INCLUDE projection, a local index, a stream, TTL and tags.
func seedBulk(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	ctx := t.Context()
	key := func(name string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: kt}
	}
	attr := func(name string, at types.ScalarAttributeType) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: at}
	}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String(bulkTable),
		KeySchema:             []types.KeySchemaElement{key("pk", types.KeyTypeHash), key("sk", types.KeyTypeRange)},
		AttributeDefinitions:  []types.AttributeDefinition{attr("pk", "S"), attr("sk", "N"), attr("region", "S"), attr("kind", "S")},
		BillingMode:           types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(50), WriteCapacityUnits: aws.Int64(40)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("by-region"),
			KeySchema:             []types.KeySchemaElement{key("region", types.KeyTypeHash), key("sk", types.KeyTypeRange)},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"amount"}},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(10)}}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("by-kind"),
			KeySchema:  []types.KeySchemaElement{key("pk", types.KeyTypeHash), key("kind", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ledger")},
			{Key: aws.String("owner"), Value: aws.String("arn:aws:iam::111111111111:role/ledger")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteTable(t.Context(), &dynamodb.DeleteTableInput{TableName: aws.String(bulkTable)})
	})
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(bulkTable),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires_at"), Enabled: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	for start := 0; start < bulkItems; start += batchSize {
		var reqs []types.WriteRequest
		for i := start; i < min(start+batchSize, bulkItems); i++ {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: bulkItem(i)}})
		}
		out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{bulkTable: reqs}})
		if err != nil || len(out.UnprocessedItems) > 0 {
			t.Fatalf("seed %s: %v (%d unprocessed)", bulkTable, err, len(out.UnprocessedItems[bulkTable]))
		}
	}
}

func bulkItem(i int) item {
	it := item{"pk": s(fmt.Sprintf("cust-%04d", i%500)), "sk": n(i), "region": s([]string{"eu", "us", "ap"}[i%3]),
		"kind": s([]string{"order", "refund"}[i%2]), "amount": n(i*13 - 4000),
		"note": s(strings.Repeat(fmt.Sprintf("entry %d ", i), 8)),
		"tags": &types.AttributeValueMemberSS{Value: []string{"bulk", fmt.Sprintf("g%d", i%10)}}}
	if i%2 == 0 {
		it["expires_at"] = n(4102444800) // 2100: the emulator's TTL reaper must leave it
	}
	return it
}

// countItems counts a table's items with its own Select=COUNT scan.
func countItems(t *testing.T, c *dynamodb.Client, table string) int32 {
	t.Helper()
	var total int32
	var start map[string]types.AttributeValue
	for {
		out, err := c.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount, ExclusiveStartKey: start})
		if notFound(err) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		total += out.Count
		if start = out.LastEvaluatedKey; len(start) == 0 {
			return total
		}
	}
}

// verifyAll verifies a step driven directly and wants its four checks.
func verifyAll(t *testing.T, st runbook.Step, name string) {
	t.Helper()
	if checks := clonetest.StepVerified(t, st); len(checks) != 4 {
		t.Errorf("verify %s: %d checks, want 4", name, len(checks))
	}
}

// independentRead checks the target with a client of its own: settings,
// counts, and a few items read back by key.
func independentRead(t *testing.T, cfg aws.Config, src *dynamodb.Client, tables map[string]string, counts map[string]int32) {
	t.Helper()
	fresh := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true })
	for from, to := range tables {
		d, err := fresh.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(to)})
		if err != nil {
			t.Fatal(err)
		}
		if arn := aws.ToString(d.Table.TableArn); !strings.Contains(arn, ":222222222222:table/"+to) {
			t.Errorf("%s: ARN %s is not the new account's", to, arn)
		}
		if got := countItems(t, fresh, to); got != counts[from] {
			t.Errorf("%s holds %d items, the source %d", to, got, counts[from])
		}
		page, err := src.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(from), Limit: aws.Int32(5)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			k := keyOf(it, keysOf(d.Table.KeySchema))
			got, err := fresh.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(to), Key: k, ConsistentRead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			if string(canonical(got.Item)) != string(canonical(it)) {
				t.Errorf("%s item %s:\n got %s\nwant %s", to, canonical(k), canonical(got.Item), canonical(it))
			}
		}
	}
}
