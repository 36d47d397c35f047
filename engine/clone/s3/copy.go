package s3

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// copier copies a bucket's objects page by page: it compares a page of the
// source's listing with the target's, saves the keys it is about to write,
// copies them with bounded parallelism, then saves the page's last key as
// done. A crash re-copies at most one page.
type copier struct {
	s     *bucketStep
	rec   runbook.Recorder
	point resumePoint
	start time.Time

	serverSideOK atomic.Bool

	// Counters of this apply; point holds the copy's, resumes included.
	listed, skipped, extra int64
	copied, bytes          atomic.Int64

	batch []object // the page's objects to copy
	last  string   // the page's last source key
	seen  int      // source objects in the page
}

// copyObjects copies every object the target lacks (or holds differently)
// into the target bucket, resuming an interrupted copy when Saved gives
// its records back.
func (s *bucketStep) copyObjects(ctx context.Context, rec runbook.Recorder) error {
	c := &copier{s: s, rec: rec, point: s.resumePoint(ctx, rec), start: time.Now()}
	c.serverSideOK.Store(s.cfg.ServerSideCopy)
	if c.point.after != "" {
		c.note(fmt.Sprintf("resuming the copy into %s after key %q (%d objects copied before)", s.target, c.point.after, c.point.objects))
	}
	src := newLister(s.cfg.Source, s.cfg.Name, c.point.after, s.cfg.PageSize)
	dst := newLister(s.cfg.Target, s.target, c.point.after, s.cfg.PageSize)
	err := merge(ctx, src, dst, func(p pair) error { return c.add(ctx, p) }, func(object) { c.extra++ })
	if err == nil {
		err = c.flush(ctx)
	}
	if err != nil {
		return s.fail("copy objects into %s: %w; apply again to resume after the last saved page", s.target, err)
	}
	if err := s.save(rec, record{Kind: recordCopied, Bucket: s.target, Copy: c.point.copy}); err != nil {
		return err
	}
	c.progress("done: ")
	return nil
}

// add takes one compared source object into the page.
func (c *copier) add(ctx context.Context, p pair) error {
	c.listed++
	c.seen++
	c.last = p.src.Key
	same, err := c.s.same(ctx, p)
	if err != nil {
		return err
	}
	if same {
		c.skipped++
	} else {
		c.batch = append(c.batch, p.src)
	}
	if c.seen >= c.s.cfg.PageSize {
		return c.flush(ctx)
	}
	return nil
}

// flush copies the page's objects and saves the page as done.
func (c *copier) flush(ctx context.Context) error {
	if c.seen == 0 {
		return nil
	}
	if len(c.batch) > 0 {
		keys := make([]string, len(c.batch))
		for i, o := range c.batch {
			keys[i] = o.Key
		}
		if err := c.s.save(c.rec, record{Kind: recordIntent, Bucket: c.s.target, Copy: c.point.copy, Keys: keys}); err != nil {
			return err
		}
		if err := c.copyAll(ctx, c.batch); err != nil {
			return err
		}
	}
	c.point.after = c.last
	c.point.objects += int64(len(c.batch))
	for _, o := range c.batch {
		c.point.bytes += o.Size
	}
	c.batch, c.seen = c.batch[:0], 0
	if err := c.s.save(c.rec, record{Kind: recordThrough, Bucket: c.s.target, Copy: c.point.copy, After: c.point.after,
		Objects: c.point.objects, Bytes: c.point.bytes}); err != nil {
		return err
	}
	c.progress("")
	return nil
}

// copyAll copies objs with at most Parallel in flight; the first failure
// stops the rest.
func (c *copier) copyAll(ctx context.Context, objs []object) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan object)
	var wg sync.WaitGroup
	for range min(c.s.cfg.Parallel, len(objs)) {
		wg.Go(func() {
			for o := range work {
				if err := c.copyOne(ctx, o); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	for _, o := range objs {
		select {
		case work <- o:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// copyOne copies one object server-side when it can, else streamed.
func (c *copier) copyOne(ctx context.Context, o object) error {
	done, err := c.serverSide(ctx, o)
	if err == nil && !done {
		err = c.stream(ctx, o)
	}
	if err != nil {
		return err
	}
	c.copied.Add(1)
	c.bytes.Add(o.Size)
	return nil
}

// note reports something the operator should know, as progress.
func (c *copier) note(msg string) { c.rec.Progress(runbook.Progress{Message: msg}) }

// progress reports objects and bytes copied by this apply, and the rate.
func (c *copier) progress(prefix string) {
	secs := max(time.Since(c.start).Seconds(), 1e-3)
	n, b := c.copied.Load(), c.bytes.Load()
	c.rec.Progress(runbook.Progress{Done: int(c.listed), Total: int(c.listed),
		Message: fmt.Sprintf("%scopied %d objects (%s) into %s, skipped %d already present, %.0f objects/s, %s/s",
			prefix, n, sizeText(b), c.s.target, c.skipped, float64(n)/secs, sizeText(int64(float64(b)/secs)))})
}

// sizeText is a byte count for people.
func sizeText(b int64) string {
	return humanize.IBytes(uint64(max(b, 0)))
}
