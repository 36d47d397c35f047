package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

const (
	bulkTable  = "ferry-bulk-legacy"
	bulkMapped = "ferry-bulk-platform"
	bulkItems  = 10_000
)

// crashingSource cancels the apply after pages Scan pages, as a killed
// ferry would stop.
type crashingSource struct {
	*dynamodb.Client
	pages  atomic.Int32
	after  int32
	cancel context.CancelFunc
}

func (c *crashingSource) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	out, err := c.Client.Scan(ctx, in, opts...)
	if c.pages.Add(1) == c.after {
		c.cancel()
	}
	return out, err
}

// sandboxWorld is the test's two clients and how it builds steps.
type sandboxWorld struct {
	src, dst *dynamodb.Client
	mapping  rewrite.Mapping
	label    string
}

func (w *sandboxWorld) cfg(name string) TableConfig {
	return TableConfig{Name: name, Source: w.src, Target: w.dst, Mapping: w.mapping, TargetLabel: w.label, Poll: 100 * time.Millisecond}
}

// TestSandboxCloneTables clones the seeded ledger-entries and a 10,000-item
// table of the test's own from the old account to the new one: a crash
// mid-copy, a resume, verify, an independent read, a second apply that
// changes nothing, and a rollback that leaves the old account as it was.
func TestSandboxCloneTables(t *testing.T) {
	sb := clonetest.Isolated(t)
	// The emulator sends no X-Amz-Crc32 header, and this SDK checks the
	// body against 0 then, warning on every response: noise, not a fault.
	noCRC := func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true }
	w := &sandboxWorld{src: dynamodb.NewFromConfig(sb.OldAccount, noCRC), dst: dynamodb.NewFromConfig(sb.NewAccount, noCRC),
		mapping: sb.Plan.Mapping, label: sb.Plan.Target.Label}
	w.mapping.Names = append(slices.Clone(w.mapping.Names), rewrite.Rename{Kind: "table", From: bulkTable, To: bulkMapped})
	started := time.Now()
	seedBulk(t, w.src)
	t.Logf("seeded %d items into %s in %s", bulkItems, bulkTable, time.Since(started).Round(time.Millisecond))
	before := w.sourceState(t)

	saved := map[string]*memRecorder{bulkTable: w.crashAndResume(t), "ledger-entries": {}}
	started = time.Now()
	if err := NewTableStep(w.cfg("ledger-entries")).Apply(t.Context(), saved["ledger-entries"]); err != nil {
		t.Fatal(err)
	}
	t.Logf("ledger-entries: 60 items in %s", time.Since(started).Round(time.Millisecond))
	for _, name := range []string{"ledger-entries", bulkTable} {
		started = time.Now()
		verifyAll(t, NewTableStep(w.cfg(name)), name)
		t.Logf("verify %s took %s", name, time.Since(started).Round(time.Millisecond))
	}
	counts := map[string]int32{"ledger-entries": 60, bulkTable: bulkItems}
	independentRead(t, sb.NewAccount, w.src, map[string]string{"ledger-entries": "ledger-entries", bulkTable: bulkMapped}, counts)
	w.applyAgain(t)
	w.rollback(t, saved)
	if after := w.sourceState(t); after != before {
		t.Errorf("the old account changed:\n%s\nwas:\n%s", after, before)
	}
}

// sourceState is both source tables' settings and counts.
func (w *sandboxWorld) sourceState(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, name := range []string{"ledger-entries", bulkTable} {
		st, err := describe(t.Context(), w.src, name)
		if err != nil || !st.exists {
			t.Fatalf("describe %s in the old account: %v", name, err)
		}
		fmt.Fprintf(&b, "%s%d items\n", st.spec.render(), countItems(t, w.src, name))
	}
	return b.String()
}

// crashAndResume cancels the bulk copy after 6 pages, as a killed ferry
// stops, then applies again with what was saved.
func (w *sandboxWorld) crashAndResume(t *testing.T) *memRecorder {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	crashing := w.cfg(bulkTable)
	crashing.Source = &crashingSource{Client: w.src, after: 6, cancel: cancel}
	crashing.PageSize = 250
	rec := &memRecorder{}
	if err := NewTableStep(crashing).Apply(ctx, rec); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	partial := countItems(t, w.dst, bulkMapped)
	if partial == 0 || partial >= bulkItems {
		t.Errorf("%d items on the target after the crash, want some but not all", partial)
	}
	resume := w.cfg(bulkTable)
	resume.PageSize = 250
	started := time.Now()
	if err := NewTableStep(resume).Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	took := time.Since(started)
	t.Logf("bulk: %d items copied before the crash; the resume copied the other %d in %s: %.0f items/s",
		partial, bulkItems-int(partial), took.Round(time.Millisecond), float64(bulkItems-int(partial))/took.Seconds())
	return rec
}

// applyAgain applies both steps a second time: no table change, same count.
func (w *sandboxWorld) applyAgain(t *testing.T) {
	for _, name := range []string{"ledger-entries", bulkTable} {
		started := time.Now()
		again := &memRecorder{}
		if err := NewTableStep(w.cfg(name)).Apply(t.Context(), again); err != nil {
			t.Fatal(err)
		}
		if tr := records(again, recordTable); len(tr) != 0 {
			t.Errorf("%s: the second apply changed the table: %+v", name, tr)
		}
		t.Logf("second apply of %s took %s: %s", name, time.Since(started).Round(time.Millisecond), again.Messages()[len(again.Messages())-1])
	}
	if got := countItems(t, w.dst, bulkMapped); got != bulkItems {
		t.Errorf("after a second apply %s holds %d items, want %d", bulkMapped, got, bulkItems)
	}
}

// rollback rolls both steps back and checks the new account lost the tables.
func (w *sandboxWorld) rollback(t *testing.T, saved map[string]*memRecorder) {
	for name, rec := range saved {
		back := &memRecorder{}
		if err := NewTableStep(w.cfg(name)).Rollback(t.Context(), rec.All(), back); err != nil {
			t.Fatal(err)
		}
		t.Logf("rollback %s: %s", name, strings.Join(back.Messages(), "; "))
	}
	for _, name := range []string{"ledger-entries", bulkMapped} {
		if _, err := w.dst.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(name)}); !notFound(err) {
			t.Errorf("%s is still in the new account after the rollback (%v)", name, err)
		}
	}
}
