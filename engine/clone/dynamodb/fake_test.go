package dynamodb

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeTable is one table of the fake account.
type fakeTable struct {
	desc      types.TableDescription
	ttl       string
	tags      map[string]string
	items     map[string]item // by canonical key
	describes int
}

func (t *fakeTable) keys() []keyElem { return keysOf(t.desc.KeySchema) }
func (t *fakeTable) keyString(it item) string {
	return string(canonical(keyOf(it, t.keys())))
}

// fakeDDB is an in-memory DynamoDB account: segmented Scan splits keys by
// an FNV hash, pages in key order; BatchWriteItem can leave items
// unprocessed on demand; calls in flight are counted.
type fakeDDB struct {
	mu      sync.Mutex
	account string
	tables  map[string]*fakeTable
	// unprocessed says how many of a BatchWriteItem call's requests to
	// leave unprocessed; call counts from 1.
	unprocessed func(call int, n int) int
	// afterScan runs after every Scan page, outside the lock.
	afterScan func(page int)
	// delay is how long each Scan and BatchWriteItem takes.
	delay time.Duration

	calls               map[string]int
	puts                int // items written
	inflight, maxFlight int
}

func newFake(account string) *fakeDDB {
	return &fakeDDB{account: account, tables: map[string]*fakeTable{}, calls: map[string]int{}}
}

func (f *fakeDDB) enter(op string) func() {
	f.mu.Lock()
	f.calls[op]++
	f.inflight++
	f.maxFlight = max(f.maxFlight, f.inflight)
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	return func() { f.mu.Lock(); f.inflight--; f.mu.Unlock() }
}

func (f *fakeDDB) table(name *string) (*fakeTable, error) {
	t, ok := f.tables[aws.ToString(name)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + aws.ToString(name) + " not found")}
	}
	return t, nil
}

func (f *fakeDDB) arn(name string) string {
	return fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/%s", f.account, name)
}

func (f *fakeDDB) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["DescribeTable"]++
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	if t.describes++; t.describes > 2 { // CREATING for two describes
		t.desc.TableStatus = types.TableStatusActive
		for i := range t.desc.GlobalSecondaryIndexes {
			t.desc.GlobalSecondaryIndexes[i].IndexStatus = types.IndexStatusActive
		}
	}
	d := t.desc
	d.ItemCount = aws.Int64(int64(len(t.items)))
	return &dynamodb.DescribeTableOutput{Table: &d}, nil
}

func (f *fakeDDB) DescribeTimeToLive(_ context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	d := &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}
	if t.ttl != "" {
		d = &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusEnabled, AttributeName: aws.String(t.ttl)}
	}
	return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

func (f *fakeDDB) ListTagsOfResource(_ context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.ResourceArn)[strings.LastIndex(aws.ToString(in.ResourceArn), "/")+1:]
	t, err := f.table(&name)
	if err != nil {
		return nil, err
	}
	out := &dynamodb.ListTagsOfResourceOutput{}
	for _, k := range slices.Sorted(maps.Keys(t.tags)) {
		out.Tags = append(out.Tags, types.Tag{Key: aws.String(k), Value: aws.String(t.tags[k])})
	}
	return out, nil
}

func (f *fakeDDB) Scan(ctx context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer f.enter("Scan")()
	f.mu.Lock()
	t, err := f.table(in.TableName)
	if err != nil {
		f.mu.Unlock()
		return nil, err
	}
	var keys []string
	for k := range t.items {
		h := fnv.New32a()
		h.Write([]byte(k))
		if int32(h.Sum32()%uint32(aws.ToInt32(in.TotalSegments))) == aws.ToInt32(in.Segment) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if in.ExclusiveStartKey != nil {
		after := t.keyString(in.ExclusiveStartKey)
		keys = slices.DeleteFunc(keys, func(k string) bool { return k <= after })
	}
	out := &dynamodb.ScanOutput{}
	limit := int(aws.ToInt32(in.Limit))
	for i, k := range keys {
		if i == limit {
			out.LastEvaluatedKey = keyOf(out.Items[len(out.Items)-1], t.keys())
			break
		}
		out.Items = append(out.Items, maps.Clone(t.items[k]))
	}
	out.Count = int32(len(out.Items))
	page := f.calls["Scan"]
	f.mu.Unlock()
	if f.afterScan != nil {
		f.afterScan(page)
	}
	return out, nil
}

func (f *fakeDDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer f.enter("BatchWriteItem")()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	for name, reqs := range in.RequestItems {
		if len(reqs) > batchSize {
			return nil, fmt.Errorf("ValidationException: %d requests, at most 25", len(reqs))
		}
		t, err := f.table(&name)
		if err != nil {
			return nil, err
		}
		skip := 0
		if f.unprocessed != nil {
			skip = f.unprocessed(f.calls["BatchWriteItem"], len(reqs))
		}
		for _, r := range reqs[:len(reqs)-skip] {
			t.items[t.keyString(r.PutRequest.Item)] = maps.Clone(r.PutRequest.Item)
			f.puts++
		}
		if skip > 0 {
			out.UnprocessedItems[name] = reqs[len(reqs)-skip:]
		}
	}
	return out, nil
}

func (f *fakeDDB) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["CreateTable"]++
	name := aws.ToString(in.TableName)
	if _, ok := f.tables[name]; ok {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + name)}
	}
	d := types.TableDescription{TableName: in.TableName, TableArn: aws.String(f.arn(name)), TableStatus: types.TableStatusCreating,
		KeySchema: in.KeySchema, AttributeDefinitions: in.AttributeDefinitions,
		BillingModeSummary: &types.BillingModeSummary{BillingMode: in.BillingMode}}
	if in.ProvisionedThroughput != nil {
		d.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: in.ProvisionedThroughput.ReadCapacityUnits,
			WriteCapacityUnits: in.ProvisionedThroughput.WriteCapacityUnits}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, gsiDesc(g.IndexName, g.KeySchema, g.Projection, g.ProvisionedThroughput))
	}
	for _, l := range in.LocalSecondaryIndexes {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, types.LocalSecondaryIndexDescription{IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection})
	}
	f.setStream(&d, in.StreamSpecification)
	t := &fakeTable{desc: d, items: map[string]item{}, tags: map[string]string{}}
	for _, tag := range in.Tags {
		t.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	f.tables[name] = t
	return &dynamodb.CreateTableOutput{TableDescription: &d}, nil
}

func gsiDesc(name *string, ks []types.KeySchemaElement, p *types.Projection, pt *types.ProvisionedThroughput) types.GlobalSecondaryIndexDescription {
	g := types.GlobalSecondaryIndexDescription{IndexName: name, KeySchema: ks, Projection: p, IndexStatus: types.IndexStatusCreating}
	if pt != nil {
		g.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits}
	}
	return g
}

func (f *fakeDDB) setStream(d *types.TableDescription, s *types.StreamSpecification) {
	if s == nil {
		return
	}
	d.StreamSpecification, d.LatestStreamArn = nil, nil
	if aws.ToBool(s.StreamEnabled) {
		d.StreamSpecification = s
		d.LatestStreamArn = aws.String(aws.ToString(d.TableArn) + "/stream/2026-01-01T00:00:00.000")
	}
}

func (f *fakeDDB) UpdateTable(_ context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["UpdateTable"]++
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	d := &t.desc
	if in.BillingMode != "" {
		d.BillingModeSummary = &types.BillingModeSummary{BillingMode: in.BillingMode}
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		d.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits}
	}
	f.setStream(d, in.StreamSpecification)
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if c := u.Create; c != nil {
			d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, gsiDesc(c.IndexName, c.KeySchema, c.Projection, c.ProvisionedThroughput))
			t.describes = 0
		}
	}
	if in.AttributeDefinitions != nil {
		d.AttributeDefinitions = in.AttributeDefinitions
	}
	return &dynamodb.UpdateTableOutput{TableDescription: d}, nil
}

func (f *fakeDDB) DeleteTable(_ context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["DeleteTable"]++
	if _, err := f.table(in.TableName); err != nil {
		return nil, err
	}
	delete(f.tables, aws.ToString(in.TableName))
	return &dynamodb.DeleteTableOutput{}, nil
}

func (f *fakeDDB) UpdateTimeToLive(_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["UpdateTimeToLive"]++
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	t.ttl = ""
	if aws.ToBool(in.TimeToLiveSpecification.Enabled) {
		t.ttl = aws.ToString(in.TimeToLiveSpecification.AttributeName)
	}
	return &dynamodb.UpdateTimeToLiveOutput{}, nil
}

func (f *fakeDDB) TagResource(_ context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["TagResource"]++
	arn := aws.ToString(in.ResourceArn)
	name := arn[strings.LastIndex(arn, "/")+1:]
	t, err := f.table(&name)
	if err != nil {
		return nil, err
	}
	for _, tag := range in.Tags {
		t.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return &dynamodb.TagResourceOutput{}, nil
}

// snapshot is a table's items as canonical JSON by key, for comparisons.
func (f *fakeDDB) snapshot(name string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	if t, ok := f.tables[name]; ok {
		for k, it := range t.items {
			out[k] = string(canonical(it))
		}
	}
	return out
}

func (f *fakeDDB) written() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.puts
}

func (f *fakeDDB) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// memRecorder keeps what a step saves and reports; Check runs at each Save.
type memRecorder = clonetest.Recorder[record]

// records are the records of a kind saved through rec or resumed from.
func records(rec *memRecorder, kind string) []record {
	return rec.Where(func(r record) bool { return r.Kind == kind })
}
