package dynamodb

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	oldAccount = "111111111111"
	newAccount = "222222222222"
)

var testMapping = rewrite.Mapping{
	Accounts: map[string]string{oldAccount: newAccount},
	Names:    []rewrite.Rename{{Kind: "table", From: "legacy-*", To: "platform-*"}},
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// seedSource makes legacy-ledger in the old account: provisioned, a global
// index with an INCLUDE projection, a local index, a stream, TTL, tags (one
// naming the old account) and count items of every attribute type.
func seedSource(t *testing.T, count int) *fakeDDB {
	t.Helper()
	f := newFake(oldAccount)
	key := func(name string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: kt}
	}
	attr := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	_, err := f.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:             aws.String("legacy-ledger"),
		KeySchema:             []types.KeySchemaElement{key("account_id", types.KeyTypeHash), key("entry_id", types.KeyTypeRange)},
		AttributeDefinitions:  []types.AttributeDefinition{attr("account_id"), attr("entry_id"), attr("created_date"), attr("kind")},
		BillingMode:           types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(20)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("by-created"),
			KeySchema:             []types.KeySchemaElement{key("created_date", types.KeyTypeHash)},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"amount", "currency"}},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("by-kind"),
			KeySchema:  []types.KeySchemaElement{key("account_id", types.KeyTypeHash), key("kind", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")},
			{Key: aws.String("owner"), Value: aws.String("arn:aws:iam::" + oldAccount + ":role/ledger")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tbl := f.tables["legacy-ledger"]
	tbl.desc.TableStatus = types.TableStatusActive
	tbl.ttl = "expires_at"
	for i := range count {
		it := item{"account_id": s(fmt.Sprintf("acct-%03d", i%7)), "entry_id": s(fmt.Sprintf("entry-%05d", i)),
			"created_date": s(fmt.Sprintf("2026-01-%02d", i%28+1)), "kind": s([]string{"debit", "credit"}[i%2]),
			"amount": n(i*37 - 500), "settled": &types.AttributeValueMemberBOOL{Value: i%3 == 0},
			"labels": &types.AttributeValueMemberSS{Value: []string{"z", "a", fmt.Sprint(i % 5)}},
			"meta":   &types.AttributeValueMemberM{Value: item{"src": s("seed"), "seq": &types.AttributeValueMemberL{Value: []types.AttributeValue{n(i), &types.AttributeValueMemberNULL{Value: true}}}}},
			"blob":   &types.AttributeValueMemberB{Value: []byte{byte(i), 0, 255}}}
		tbl.items[tbl.keyString(it)] = it
	}
	return f
}

func config(src, dst *fakeDDB) TableConfig {
	return TableConfig{Name: "legacy-ledger", Source: src, Target: dst, Mapping: testMapping, TargetLabel: "acme-platform",
		Segments: 3, PageSize: 40, Poll: time.Millisecond, Retry: Retry{Base: time.Microsecond, Cap: 10 * time.Microsecond}}
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	st := NewTableStep(TableConfig{Name: "legacy-ledger", Mapping: testMapping, TargetLabel: "acme-platform", Deps: []string{"x"}})
	ns, svc := st.Scope()
	got := []string{st.ID(), st.Kind(), st.Title(), strings.Join(st.Deps(), ","), ns + svc}
	want := []string{"aws/dynamodb/legacy-ledger", "clone-dynamodb", "Clone DynamoDB table legacy-ledger to acme-platform as platform-ledger", "preflight,x", ""}
	if !slices.Equal(got, want) {
		t.Errorf("identity = %q, want %q", got, want)
	}
}

func TestPlanCreateCarriesEverySetting(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 120), newFake(newAccount)
	cs, err := NewTableStep(config(src, dst)).Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Changes) != 2 || cs.Changes[0].Op != runbook.OpCreate || cs.Changes[1].Kind != ChangeItems {
		t.Fatalf("changes = %+v, want a table create and an items copy", cs.Changes)
	}
	after := cs.Changes[0].After
	for _, want := range []string{"name: platform-ledger", "name: by-created", "- amount", "projection: INCLUDE", "name: by-kind",
		"projection: KEYS_ONLY", "billing: PROVISIONED", "readCapacity: 10", "writeCapacity: 20", "stream: NEW_AND_OLD_IMAGES",
		"ttlAttribute: expires_at", "owner: arn:aws:iam::" + newAccount + ":role/ledger", "team: payments"} {
		if !strings.Contains(after, want) {
			t.Errorf("create lacks %q:\n%s", want, after)
		}
	}
	if strings.Contains(after, oldAccount) {
		t.Errorf("the planned table names the old account:\n%s", after)
	}
	if !strings.Contains(cs.Changes[1].After, "copy ≈120 items (size not reported) from legacy-ledger by 3 parallel Scan segments") {
		t.Errorf("items change = %q", cs.Changes[1].After)
	}
	if dst.count("CreateTable") != 0 {
		t.Error("Plan created the table")
	}
}

func TestPlanNativeAboveThreshold(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 10), newFake(newAccount)
	src.tables["legacy-ledger"].desc.TableSizeBytes = aws.Int64(3 << 30)
	cfg := config(src, dst)
	cfg.NativeThreshold = 1 << 30
	st := NewTableStep(cfg)
	cs, err := st.Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cs.Changes[1].Kind != ChangeExport || !strings.Contains(cs.Changes[1].After, "ExportTableToPointInTime") {
		t.Errorf("changes = %+v, want the export/import", cs.Changes)
	}
	note := strings.Join(cs.Notes, "\n")
	for _, want := range []string{"3.0 GiB, above the native threshold of 1.0 GiB", "ImportTable", "kumo", "only plans"} {
		if !strings.Contains(note, want) {
			t.Errorf("notes lack %q:\n%s", want, note)
		}
	}
	err = st.Apply(t.Context(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "raise the threshold") || dst.count("CreateTable") != 0 {
		t.Errorf("Apply above the threshold = %v, want a refusal that changed nothing", err)
	}
}

func TestApplySavesFirstCopiesIsIdempotentAndRollsBack(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 250), newFake(newAccount)
	st := NewTableStep(config(src, dst))
	before := src.snapshot("legacy-ledger")
	rec := &memRecorder{Check: func(r record) {
		if _, exists := dst.tables[r.Table]; r.Kind == recordTable && exists {
			t.Errorf("the table record was saved after CreateTable")
		}
	}}
	if err := st.Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	if tr := records(rec, recordTable); len(tr) != 1 || !tr[0].Created || tr[0].Table != "platform-ledger" {
		t.Errorf("table records = %+v, want one created platform-ledger", tr)
	}
	got := dst.snapshot("platform-ledger")
	if !maps.Equal(got, before) {
		t.Errorf("target has %d items, source %d, or they differ", len(got), len(before))
	}
	progress := strings.Join(rec.Messages(), "\n")
	for _, want := range []string{"waiting for table platform-ledger: table CREATING", "done: copied 250 of ≈250 items into platform-ledger"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	checks, err := st.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	assertChecks(t, checks, true)

	cs, err := st.Plan(t.Context())
	if err != nil || cs.Changes[0].Op != runbook.OpNone || cs.Changes[1].Op != runbook.OpNone {
		t.Errorf("plan after apply = %+v, %v; want nothing to change", cs.Changes, err)
	}
	again := &memRecorder{}
	if err := st.Apply(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	if len(records(again, recordTable)) != 0 || dst.count("CreateTable")+dst.count("UpdateTable") != 1 || !maps.Equal(dst.snapshot("platform-ledger"), before) {
		t.Errorf("the second apply changed the table or its items")
	}

	back := &memRecorder{}
	if err := st.Rollback(t.Context(), append(rec.All(), again.All()...), back); err != nil {
		t.Fatal(err)
	}
	if _, ok := dst.tables["platform-ledger"]; ok || !strings.Contains(back.Messages()[0], "deleted table platform-ledger") {
		t.Errorf("rollback left the table: %q", back.Messages())
	}
	if !maps.Equal(src.snapshot("legacy-ledger"), before) || src.count("DeleteTable")+src.count("BatchWriteItem") != 0 {
		t.Error("the old account was written to")
	}
}

func assertChecks(t *testing.T, checks []runbook.Check, ok bool) {
	t.Helper()
	if len(checks) < 3 {
		t.Fatalf("checks = %+v, want them all", checks)
	}
	for _, c := range checks {
		if c.OK != ok {
			t.Errorf("check %s ok=%v, want %v: %s", c.Name, c.OK, ok, c.Evidence)
		}
	}
}

func TestUpdateExistingTableAndRollbackLeavesIt(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 30), newFake(newAccount)
	cfg := config(src, dst)
	want := mapSpec(testMapping, specOf(&src.tables["legacy-ledger"].desc, "expires_at", nil))
	want.Billing, want.GSIs, want.Stream, want.TTL = string(types.BillingModePayPerRequest), nil, "", ""
	if _, err := dst.CreateTable(t.Context(), want.createInput()); err != nil {
		t.Fatal(err)
	}
	dst.tables["platform-ledger"].tags["extra"] = "kept"
	st := NewTableStep(cfg)
	cs, err := st.Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cs.Changes[0].Op != runbook.OpUpdate || !strings.Contains(strings.Join(cs.Notes, "\n"), "left as they are on acme-platform (the source has none): tag extra") {
		t.Errorf("plan = %+v notes %q, want an update leaving the extra tag", cs.Changes[0].Op, cs.Notes)
	}
	rec := &memRecorder{}
	if err := st.Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	checks, err := st.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	assertChecks(t, checks, true)
	if tr := records(rec, recordTable); len(tr) != 1 || tr[0].Created || tr[0].Prior == nil || tr[0].Prior.Billing != "PAY_PER_REQUEST" {
		t.Errorf("table records = %+v, want one holding the prior settings", tr)
	}
	back := &memRecorder{}
	if err := st.Rollback(t.Context(), rec.All(), back); err != nil {
		t.Fatal(err)
	}
	if _, ok := dst.tables["platform-ledger"]; !ok || !strings.Contains(back.Messages()[0], "existed on acme-platform before the clone: left in place") {
		t.Errorf("rollback of a table that existed: %q", back.Messages())
	}
}

func TestApplyRefusesDifferentKeySchema(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 5), newFake(newAccount)
	_, _ = dst.CreateTable(t.Context(), &dynamodb.CreateTableInput{TableName: aws.String("platform-ledger"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeN}}})
	st := NewTableStep(config(src, dst))
	cs, _ := st.Plan(t.Context())
	if !strings.Contains(strings.Join(cs.Notes, "\n"), "key schema (HASH id N) on the target, (HASH account_id S, RANGE entry_id S) wanted") {
		t.Errorf("notes = %q", cs.Notes)
	}
	err := st.Apply(t.Context(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "clone table legacy-ledger") || !strings.Contains(err.Error(), "delete it there") || dst.puts != 0 {
		t.Errorf("Apply = %v (puts %d), want a refusal before any write", err, dst.puts)
	}
}

func TestVerifyFindsMissingChangedAndOldAccount(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 200), newFake(newAccount)
	st := NewTableStep(config(src, dst))
	if err := st.Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	tbl := dst.tables["platform-ledger"]
	keys := slices.Sorted(maps.Keys(tbl.items))
	changed := ""
	for _, k := range keys { // change a sampled item, delete an unsampled one
		if sampled(tbl.items[k], tbl.keys()) && changed == "" {
			changed = k
			tbl.items[k]["amount"] = n(1)
		} else if !sampled(tbl.items[k], tbl.keys()) && len(tbl.items) == 200 {
			delete(tbl.items, k)
		}
	}
	tbl.desc.LatestStreamArn = aws.String("arn:aws:dynamodb:us-east-1:" + oldAccount + ":table/platform-ledger/stream/x")
	checks, err := st.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 4 || !checks[0].OK {
		t.Fatalf("checks = %+v, want 4 with the settings as wanted", checks)
	}
	assertChecks(t, checks[1:], false)
	if !strings.Contains(checks[1].Evidence, "source 200 items, target 199 items") ||
		!strings.Contains(checks[3].Evidence, "arn:aws:dynamodb:us-east-1:"+oldAccount+":table/platform-ledger/stream/x (old account "+oldAccount+")") {
		t.Errorf("evidence:\n%s\n%s", checks[1].Evidence, checks[3].Evidence)
	}
}

func TestRollbackRefusesOldAccountAndForeignRecords(t *testing.T) {
	t.Parallel()
	src := seedSource(t, 1)
	cfg := config(src, src) // the target profile points at the old account
	cfg.Name, cfg.Mapping = "legacy-ledger", rewrite.Mapping{Accounts: testMapping.Accounts}
	rec, _ := json.Marshal(record{Kind: recordTable, Table: "legacy-ledger", Created: true})
	err := NewTableStep(cfg).Rollback(t.Context(), []json.RawMessage{rec}, &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "in the old account 111111111111") || src.tables["legacy-ledger"] == nil {
		t.Errorf("rollback against the old account = %v", err)
	}
	foreign, _ := json.Marshal(record{Kind: recordTable, Table: "other", Created: true})
	err = NewTableStep(config(src, newFake(newAccount))).Rollback(t.Context(), []json.RawMessage{foreign}, &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), `names table "other", not platform-ledger`) {
		t.Errorf("foreign record = %v", err)
	}
}
