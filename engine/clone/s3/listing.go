package s3

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// object is one listed object: what two sides compare.
type object struct {
	Key  string
	Size int64
	ETag string
}

// lister streams a bucket's listing one page at a time, so memory holds a
// page whatever the bucket's size. S3 lists keys in UTF-8 byte order, the
// order Go compares strings in.
type lister struct {
	api      SourceAPI
	bucket   string
	pageSize int
	page     []object
	token    *string
	after    string // StartAfter of the first request
	started  bool
	done     bool
}

func newLister(api SourceAPI, bucket, after string, pageSize int) *lister {
	return &lister{api: api, bucket: bucket, after: after, pageSize: pageSize}
}

// fill fetches the next page when the current one is used up.
func (l *lister) fill(ctx context.Context) error {
	for len(l.page) == 0 && !l.done {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), MaxKeys: aws.Int32(int32(l.pageSize)), ContinuationToken: l.token}
		if !l.started && l.after != "" {
			in.StartAfter = aws.String(l.after)
		}
		out, err := l.api.ListObjectsV2(ctx, in)
		if err != nil {
			return err
		}
		l.started = true
		for _, o := range out.Contents {
			l.page = append(l.page, object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)})
		}
		l.token = out.NextContinuationToken
		l.done = !aws.ToBool(out.IsTruncated) || l.token == nil
	}
	return nil
}

// peek is the next object without taking it; ok is false at the end.
func (l *lister) peek(ctx context.Context) (object, bool, error) {
	if err := l.fill(ctx); err != nil {
		return object{}, false, err
	}
	if len(l.page) == 0 {
		return object{}, false, nil
	}
	return l.page[0], true, nil
}

// next takes the next object.
func (l *lister) next(ctx context.Context) (object, bool, error) {
	o, ok, err := l.peek(ctx)
	if ok {
		l.page = l.page[1:]
	}
	return o, ok, err
}

// pair is a source object and the target's object of the same key (Key ""
// when the target has none).
type pair struct {
	src, dst object
}

// merge walks two sorted listings together and calls each for every source
// object, with its target twin, and extra for target-only objects.
func merge(ctx context.Context, src, dst *lister, each func(pair) error, extra func(object)) error {
	for {
		o, ok, err := src.next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return drain(ctx, dst, extra)
		}
		p := pair{src: o}
		for {
			d, ok, err := dst.peek(ctx)
			if err != nil {
				return err
			}
			if !ok || d.Key > o.Key {
				break
			}
			dst.page = dst.page[1:]
			if d.Key == o.Key {
				p.dst = d
				break
			}
			extra(d)
		}
		if err := each(p); err != nil {
			return err
		}
	}
}

func drain(ctx context.Context, l *lister, extra func(object)) error {
	for {
		d, ok, err := l.next(ctx)
		if err != nil || !ok {
			return err
		}
		extra(d)
	}
}

// multipartETag says an ETag is a multipart upload's ("<md5>-<parts>"),
// not the MD5 of the body: two copies of one body may differ in it.
func multipartETag(etag string) bool { return strings.Contains(etag, "-") }

// sourceETagMeta is the user metadata key a streamed copy stores the
// source's ETag under, so an object whose ETag differs only because of how
// it was uploaded is still known to be the same.
const sourceETagMeta = "ferry-source-etag"
