package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// copier copies a table's items, saving after each page where its segment
// stands so an interrupted copy resumes there.
type copier struct {
	s     *tableStep
	table string // on the target
	rec   runbook.Recorder
	total int64 // DescribeTable's estimate

	mu     sync.Mutex // guards what follows, and serializes rec
	point  resumePoint
	copied int64 // in this copy, resumed pages included
	fresh  int64 // by this apply
	start  time.Time
}

// copyItems copies every item of the source table into table, resuming an
// interrupted copy when Saved gives its records back.
func (s *tableStep) copyItems(ctx context.Context, v view, rec runbook.Recorder) error {
	c := &copier{s: s, table: v.want.Name, rec: rec, total: v.src.items(), start: time.Now()}
	c.point = s.resumePoint(ctx, v.want.Name, rec)
	for _, seg := range c.point.segs {
		c.copied += seg.items
	}
	c.progress("")
	job := scanJob{api: s.cfg.Source, table: s.cfg.Name, segments: s.cfg.Segments, pageSize: s.cfg.PageSize,
		from: c.point.segs, page: c.page}
	if err := job.run(ctx); err != nil {
		return s.fail("copy items into %s: %w; apply again to resume from the last saved page", v.want.Name, err)
	}
	if err := c.save(record{Kind: recordCopied, Table: c.table, Copy: c.point.copy, Segments: s.cfg.Segments}); err != nil {
		return s.fail("%w", err)
	}
	c.progress("done: ")
	return nil
}

// resumePoint is the unfinished copy to continue, or a new copy.
func (s *tableStep) resumePoint(ctx context.Context, table string, rec runbook.Recorder) resumePoint {
	fresh := resumePoint{copy: newCopyID(), segs: make([]segState, s.cfg.Segments)}
	saved, err := rec.Saved()
	var p resumePoint
	ok := false
	if err == nil {
		p, ok, err = resumeFrom(saved, table, s.cfg.Segments)
	}
	if err != nil {
		// Starting over is slower, never wrong: puts of the same items
		// change nothing.
		rec.Progress(runbook.Progress{Message: fmt.Sprintf("cannot resume the copy into %s (%v): copying every item again", table, err)})
		return fresh
	}
	if !ok {
		return fresh
	}
	return p
}

// page writes one page of a segment, then saves the segment's new resume
// point: a crash between the two re-copies that page, harmlessly.
func (c *copier) page(ctx context.Context, seg int, items []item, last item) error {
	if err := c.s.putAll(ctx, c.table, items); err != nil {
		return err
	}
	after, err := toWire(last)
	if err != nil {
		return fmt.Errorf("segment %d: %w", seg, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &c.point.segs[seg]
	st.items += int64(len(items))
	c.copied += int64(len(items))
	c.fresh += int64(len(items))
	r := record{Kind: recordPage, Table: c.table, Copy: c.point.copy, Segments: len(c.point.segs), Segment: seg,
		After: after, Done: len(last) == 0, Items: st.items}
	if err := c.saveLocked(r); err != nil {
		return err
	}
	c.progressLocked("")
	return nil
}

func (c *copier) save(r record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saveLocked(r)
}

func (c *copier) saveLocked(r record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode the resume record of %s: %w", c.table, err)
	}
	if err := c.rec.Save(raw); err != nil {
		return fmt.Errorf("save the resume point of %s: %w; fix the journal's storage and apply again", c.table, err)
	}
	return nil
}

func (c *copier) progress(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.progressLocked(prefix)
}

// progressLocked reports items copied of the estimate, and the rate.
func (c *copier) progressLocked(prefix string) {
	rate := float64(c.fresh) / max(time.Since(c.start).Seconds(), 1e-3)
	c.rec.Progress(runbook.Progress{Done: int(c.copied), Total: int(max(c.total, c.copied)),
		Message: fmt.Sprintf("%scopied %d of ≈%d items into %s, %.0f items/s", prefix, c.copied, c.total, c.table, rate)})
}

// newCopyID names one copy, so a resume never mixes two copies' pages.
func newCopyID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
