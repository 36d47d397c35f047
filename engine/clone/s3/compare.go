package s3

import (
	"context"
	"fmt"
	"strings"
)

// maxShown bounds the keys a comparison names.
const maxShown = 10

// objectDiff is what comparing both sides' listings found.
type objectDiff struct {
	srcObjects, srcBytes int64
	dstObjects, dstBytes int64
	missing, differing   int64 // source objects absent on the target, or unequal
	copyBytes            int64 // bytes of the missing and differing objects
	extra                int64 // target objects the source lacks
	shown                []string
}

// compareObjects streams both listings side by side, a page of each in
// memory at a time. A target bucket that does not exist is empty.
func (s *bucketStep) compareObjects(ctx context.Context, exists bool) (objectDiff, error) {
	var d objectDiff
	src := newLister(s.cfg.Source, s.cfg.Name, "", s.cfg.PageSize)
	dst := newLister(s.cfg.Target, s.target, "", s.cfg.PageSize)
	dst.done = !exists
	err := merge(ctx, src, dst, func(p pair) error {
		d.srcObjects++
		d.srcBytes += p.src.Size
		if p.dst.Key != "" {
			d.dstObjects++
			d.dstBytes += p.dst.Size
		}
		same, err := s.same(ctx, p)
		switch {
		case err != nil:
			return err
		case same:
			return nil
		case p.dst.Key == "":
			d.missing++
			d.show(fmt.Sprintf("%s: missing", p.src.Key))
		default:
			d.differing++
			d.show(fmt.Sprintf("%s: size %d etag %s on the source, size %d etag %s on the target", p.src.Key, p.src.Size, p.src.ETag, p.dst.Size, p.dst.ETag))
		}
		d.copyBytes += p.src.Size
		return nil
	}, func(o object) {
		d.extra++
		d.dstObjects++
		d.dstBytes += o.Size
		d.show(fmt.Sprintf("%s: only on the target", o.Key))
	})
	if err != nil {
		return d, s.fail("compare the objects of %s and %s: %w; check both profiles may list them", s.cfg.Name, s.target, err)
	}
	return d, nil
}

func (d *objectDiff) show(line string) {
	if len(d.shown) < maxShown {
		d.shown = append(d.shown, line)
	}
}

// equal is true when the target holds exactly the source's objects.
func (d objectDiff) equal() bool { return d.missing+d.differing+d.extra == 0 }

// summary is the plan's line: what a copy would do.
func (d objectDiff) summary() string {
	n := d.missing + d.differing
	line := fmt.Sprintf("copy %d objects (%s), skip %d already present", n, sizeText(d.copyBytes), d.srcObjects-n)
	if d.differing > 0 {
		line += fmt.Sprintf("; %d of the copies replace a different object of the same key", d.differing)
	}
	if d.extra > 0 {
		line += fmt.Sprintf("; %d objects only on the target stay", d.extra)
	}
	return line
}

// evidence is the verify check's text.
func (d objectDiff) evidence() string {
	head := fmt.Sprintf("source %d objects (%d bytes), target %d objects (%d bytes)", d.srcObjects, d.srcBytes, d.dstObjects, d.dstBytes)
	if d.equal() {
		return head + "; every key, size and ETag equal"
	}
	head += fmt.Sprintf("; %d missing, %d different, %d only on the target", d.missing, d.differing, d.extra)
	more := ""
	if n := d.missing + d.differing + d.extra; n > int64(len(d.shown)) {
		more = fmt.Sprintf("\n… and %d more", n-int64(len(d.shown)))
	}
	return head + ":\n" + strings.Join(d.shown, "\n") + more + "\napply the step again to copy what is missing"
}
