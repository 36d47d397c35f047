package dynamodb

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

func TestUnprocessedItemsAreRetried(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 300), newFake(newAccount)
	dst.unprocessed = func(call, n int) int {
		if call%3 != 0 {
			return min(n, 7)
		}
		return 0
	}
	if err := NewTableStep(config(src, dst)).Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(dst.snapshot("platform-ledger"), src.snapshot("legacy-ledger")) {
		t.Error("items missing after retries")
	}
	if calls, batches := dst.count("BatchWriteItem"), 300/batchSize; calls < 2*batches {
		t.Errorf("%d BatchWriteItem calls for %d batches: unprocessed items were not resent", calls, batches)
	}
}

func TestUnprocessedItemsGiveUpWithAdvice(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 30), newFake(newAccount)
	dst.unprocessed = func(int, int) int { return 1 }
	err := NewTableStep(config(src, dst)).Apply(t.Context(), &memRecorder{})
	for _, want := range []string{"clone table legacy-ledger", "1 of a batch still unprocessed after 10 attempts", "raise it", "apply again"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	t.Parallel()
	r := Retry{Base: 10 * time.Millisecond, Cap: 80 * time.Millisecond}
	seen := map[time.Duration]bool{}
	for attempt := range 64 {
		ceil := min(r.Cap, r.Base<<min(attempt, 20))
		d := r.delay(attempt)
		if d <= 0 || d > ceil {
			t.Fatalf("delay(%d) = %s, want in (0, %s]", attempt, d, ceil)
		}
		seen[d] = true
	}
	if len(seen) < 32 {
		t.Errorf("only %d distinct delays in 64: no jitter", len(seen))
	}
}

func TestConcurrencyIsBoundedBySegments(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 400), newFake(newAccount)
	src.delay, dst.delay = time.Millisecond, time.Millisecond
	cfg := config(src, dst)
	if err := NewTableStep(cfg).Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	if src.maxFlight > cfg.Segments || dst.maxFlight > cfg.Segments || src.maxFlight < 2 {
		t.Errorf("scans in flight at most %d, writes %d; want between 2 and %d", src.maxFlight, dst.maxFlight, cfg.Segments)
	}
}

// crash cancels the apply's context once the source served page pages.
func crash(src *fakeDDB, page int) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	src.afterScan = func(n int) {
		if n >= page {
			cancel()
		}
	}
	return ctx, cancel
}

func TestCrashMidCopyResumesFromSavedPages(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 1000), newFake(newAccount)
	cfg := config(src, dst)
	ctx, cancel := crash(src, 12)
	defer cancel()
	rec := &memRecorder{}
	err := NewTableStep(cfg).Apply(ctx, rec)
	if err == nil || !strings.Contains(err.Error(), "apply again to resume") {
		t.Fatalf("interrupted apply = %v", err)
	}
	resumed := map[int]int64{}
	for _, r := range records(rec, recordPage) {
		resumed[r.Segment] = r.Items
	}
	var saved int64
	for _, n := range resumed {
		saved += n
	}
	if saved == 0 || saved >= 1000 {
		t.Fatalf("%d items saved as copied before the crash, want some", saved)
	}
	src.afterScan = nil
	before := dst.written()
	again := &memRecorder{Resume: rec.All()} // what the crashed apply saved
	if err := NewTableStep(cfg).Apply(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(dst.snapshot("platform-ledger"), src.snapshot("legacy-ledger")) {
		t.Error("after the resume the target does not hold exactly the source's items")
	}
	if got := int64(dst.written() - before); got != 1000-saved {
		t.Errorf("the resumed apply wrote %d items, want %d (the ones not saved as copied)", got, 1000-saved)
	}
	if last := again.Messages()[len(again.Messages())-1]; !strings.Contains(last, "done: copied 1000 of ≈1000") {
		t.Errorf("last progress = %q", last)
	}

	// A finished copy is not resumed: the next apply copies afresh.
	before = dst.written()
	if err := NewTableStep(cfg).Apply(t.Context(), &memRecorder{Resume: again.All()}); err != nil {
		t.Fatal(err)
	}
	if got := dst.written() - before; got != 1000 || len(dst.snapshot("platform-ledger")) != 1000 {
		t.Errorf("apply after a finished copy wrote %d items, want 1000 (no duplicates: %d)", got, len(dst.snapshot("platform-ledger")))
	}
}

// preflight stands in for the runbook's preflight step.
type preflight struct{}

func (preflight) ID() string                                                          { return PreflightStep }
func (preflight) Kind() string                                                        { return "preflight" }
func (preflight) Title() string                                                       { return "preflight" }
func (preflight) Deps() []string                                                      { return nil }
func (preflight) Scope() (string, string)                                             { return "", "" }
func (preflight) Plan(context.Context) (runbook.ChangeSet, error)                     { return runbook.ChangeSet{}, nil }
func (preflight) Apply(context.Context, runbook.Recorder) error                       { return nil }
func (preflight) Verify(context.Context) ([]runbook.Check, error)                     { return nil, nil }
func (preflight) Rollback(context.Context, []json.RawMessage, runbook.Recorder) error { return nil }

// runner opens the journal at path and a runner for the table step.
func runner(t *testing.T, path string, cfg TableConfig) (*runbook.Runner, string) {
	t.Helper()
	j, err := runbook.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	st := NewTableStep(cfg)
	r, err := runbook.NewRunner(runbook.Config{Steps: []runbook.Step{preflight{}, st}, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	return r, st.ID()
}

// TestResumeThroughTheRunbookJournal crashes an apply run by the runbook,
// then a new runner on the same journal resumes it from what its recorder
// reads back (Recorder.Saved, from the journal's undo store).
func TestResumeThroughTheRunbookJournal(t *testing.T) {
	t.Parallel()
	src, dst := seedSource(t, 600), newFake(newAccount)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	cfg := config(src, dst)
	r, id := runner(t, path, cfg)
	if err := r.Skip(t.Context(), PreflightStep, "unit test"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := crash(src, 7)
	defer cancel()
	if err := r.Apply(ctx, id); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	copiedBefore := len(dst.snapshot("platform-ledger"))
	src.afterScan = nil
	before := dst.written()
	r2, _ := runner(t, path, cfg)
	if err := r2.Apply(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(dst.snapshot("platform-ledger"), src.snapshot("legacy-ledger")) {
		t.Error("the target does not hold exactly the source's items")
	}
	if wrote := dst.written() - before; wrote >= 600 || copiedBefore == 0 {
		t.Errorf("the resumed apply wrote %d of 600 items after %d were copied: it started over", wrote, copiedBefore)
	}
	if err := r2.Rollback(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if _, ok := dst.tables["platform-ledger"]; ok {
		t.Error("the rollback left the table the clone created")
	}
}

// TestDefaultPageSize: without a PageSize each segment scans
// DefaultPageSize items a page and saves one resume point a page.
func TestDefaultPageSize(t *testing.T) {
	t.Parallel()
	const items = 2*DefaultPageSize + 100
	src, dst := seedSource(t, items), newFake(newAccount)
	cfg := config(src, dst)
	cfg.Segments, cfg.PageSize = 1, 0
	rec := &memRecorder{}
	if err := NewTableStep(cfg).Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	if n, pages := src.count("Scan"), len(records(rec, recordPage)); n != 3 || pages != 3 {
		t.Errorf("%d Scan pages and %d resume points for %d items, want 3 of each (%d items a page)", n, pages, items, DefaultPageSize)
	}
	if len(dst.snapshot("platform-ledger")) != items {
		t.Errorf("%d items copied, want %d", len(dst.snapshot("platform-ledger")), items)
	}
}
