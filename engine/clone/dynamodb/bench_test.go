package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// make bench: ferry's table copy against the loop a person writes first —
// Scan the source page by page, PutItem each item, one request at a time —
// at two table sizes, on a private sandbox (the shared one stays clean).
// The sandbox starts inside the benchmark, so `go test` without -bench
// never starts it.
//
// Both copies run with every AWS request held clonetest.RoundTripMs, a
// same-region round trip: on loopback a request waits for nothing, so the
// naive loop would lose nothing by waiting for each answer in turn, as it
// does against AWS. The small table is copied at 0 ms too, loopback as is;
// the naive loop's 100,000 PutItems at 0 ms would add minutes for a figure
// that models no real account.
var tableBenchRuns = []clonetest.BenchRun{
	{Size: 10_000, Latencies: []int{0, clonetest.RoundTripMs}},
	{Size: 100_000, Latencies: []int{clonetest.RoundTripMs}},
}

// tableBench is one size's seeded source table and the clients of both
// accounts.
type tableBench struct {
	src, dst *dynamodb.Client
	table    string // in the old account
	items    int
}

// BenchmarkTableCopy copies each size's source table into fresh tables of
// the new account, once by ferry's step and once by the naive loop, at
// each latency, and reports the latency, both rates, the speedup and both
// peak RSS; ns/op is ferry's Apply (reading both accounts, creating the
// table, copying the items). Every copy must leave the source's item count
// on the target.
//
// The sandbox still bends the ratio. Its emulator re-reads and sorts the
// whole table for every Scan page (AWS reads one page), so each of ferry's
// pages (DefaultPageSize items) of the 100,000-item table costs it ~0.4 s
// of CPU, which bounds ferry's rate there; and each request costs CPU on
// the same two cores as both copies.
func BenchmarkTableCopy(b *testing.B) {
	env := clonetest.BenchSandbox(b)
	noCRC := func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true } // see TestSandboxCloneTables
	src := dynamodb.NewFromConfig(env.AWS(b, "source"), noCRC)
	dst := dynamodb.NewFromConfig(env.AWS(b, "target"), noCRC)
	clonetest.CopyBench{Unit: "items", Runs: tableBenchRuns, Source: func(b *testing.B, items int) clonetest.Copies {
		tb := tableBench{src: src, dst: dst, table: fmt.Sprintf("ferry-bench-%d", items), items: items}
		tb.seed(b)
		return clonetest.Copies{Ferry: tb.ferry, Naive: tb.naive}
	}}.Run(b, env)
}

// ferry clones the source table into a new table by the step, as the
// cockpit builds it (default segments and page size), timed.
func (tb tableBench) ferry(b *testing.B, ms, run int) clonetest.Phase {
	to := fmt.Sprintf("%s-ferry-%dms-%d", tb.table, ms, run)
	step := NewTableStep(TableConfig{Name: tb.table, Source: tb.src, Target: tb.dst, TargetLabel: "the bench account",
		Mapping: rewrite.Mapping{Names: []rewrite.Rename{{Kind: "table", From: tb.table, To: to}}}})
	p, err := clonetest.MeasureTimed(b, func() error { return step.Apply(b.Context(), clonetest.Discard{}) })
	if err != nil {
		b.Fatalf("ferry: %v", err)
	}
	tb.checkAndDrop(b, "ferry", to)
	return p
}

// naive copies the source table by naiveCopy into a table made beforehand
// with the same keys; only the copy is timed.
func (tb tableBench) naive(b *testing.B, ms, run int) clonetest.Phase {
	ctx := b.Context()
	to := fmt.Sprintf("%s-naive-%dms-%d", tb.table, ms, run)
	d, err := tb.src.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tb.table)})
	if err != nil {
		b.Fatal(err)
	}
	_, err = tb.dst.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(to), KeySchema: d.Table.KeySchema,
		AttributeDefinitions: d.Table.AttributeDefinitions, BillingMode: types.BillingModePayPerRequest})
	if err != nil {
		b.Fatalf("create %s: %v", to, err)
	}
	page := awsScanPage(bulkItem(tb.items - 1))
	p, err := clonetest.Measure(func() error { return naiveCopy(ctx, tb.src, tb.dst, tb.table, to, page) })
	if err != nil {
		b.Fatalf("naive loop: %v", err)
	}
	tb.checkAndDrop(b, "naive loop", to)
	return p
}

// naiveCopy is the copy a person writes first: the SDK's Scan paginator
// with no Limit, and one PutItem per item, one request at a time. page is
// the Limit AWS's own 1 MB cap amounts to: the emulator has no such cap
// and would hand the whole table over in one response, which no loop
// against AWS sees.
func naiveCopy(ctx context.Context, src, dst *dynamodb.Client, from, to string, page int32) error {
	pages := dynamodb.NewScanPaginator(src, &dynamodb.ScanInput{TableName: aws.String(from), Limit: aws.Int32(page)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("scan %s: %w", from, err)
		}
		for _, it := range out.Items {
			if _, err := dst.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(to), Item: it}); err != nil {
				return fmt.Errorf("put into %s: %w", to, err)
			}
		}
	}
	return nil
}

// awsScanPage is how many items like it AWS puts in a Scan page when none
// is asked for: as many as fit in 1 MB.
func awsScanPage(it item) int32 {
	n := 0
	for name, v := range it {
		n += len(name)
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			n += len(v.Value)
		case *types.AttributeValueMemberN:
			n += len(v.Value)/2 + 1 // DynamoDB stores about two digits a byte
		case *types.AttributeValueMemberSS:
			for _, s := range v.Value {
				n += len(s)
			}
		}
	}
	return int32(1 << 20 / n)
}

// checkAndDrop fails a copy that left the target with another count than
// the source's, so a fast wrong copy cannot pass, then deletes the target,
// so that every copy writes into an account of the same size.
func (tb tableBench) checkAndDrop(b *testing.B, who, table string) {
	ctx := b.Context()
	got, err := count(ctx, tb.dst, table)
	if err != nil {
		b.Fatal(err)
	}
	if got != tb.items {
		b.Fatalf("%s: %s holds %d items, the source %d", who, table, got, tb.items)
	}
	if _, err := tb.dst.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		b.Fatalf("delete %s: %v", table, err)
	}
}

// seed makes the source table and writes its items, eight BatchWriteItem
// callers at a time. A table already holding them all is reused.
func (tb tableBench) seed(b *testing.B) {
	ctx := b.Context()
	_, err := tb.src.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(tb.table),
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN}},
		BillingMode: types.BillingModePayPerRequest})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		b.Fatalf("create %s: %v", tb.table, err)
	}
	if n, err := count(ctx, tb.src, tb.table); err == nil && n == tb.items {
		return
	}
	clonetest.Seed(b, tb.table, "items", tb.items, batchSize, func(from, to int) error { return tb.seedBatch(ctx, from, to) })
}

func (tb tableBench) seedBatch(ctx context.Context, from, to int) error {
	reqs := make([]types.WriteRequest, 0, to-from)
	for i := from; i < to; i++ {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: bulkItem(i)}})
	}
	out, err := tb.src.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tb.table: reqs}})
	if err == nil && len(out.UnprocessedItems) > 0 {
		err = fmt.Errorf("%d items unprocessed", len(out.UnprocessedItems[tb.table]))
	}
	return err
}

// count counts a table's items with a Select=COUNT scan of its own.
func count(ctx context.Context, c *dynamodb.Client, table string) (int, error) {
	n := 0
	pages := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count the items of %s: %w", table, err)
		}
		n += int(out.Count)
	}
	return n, nil
}
