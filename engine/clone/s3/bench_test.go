package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// make bench: ferry's bucket copy against the loop a person writes first —
// list the source, then GetObject and PutObject each object, one at a
// time — at two bucket sizes of 1 KiB objects, on a private sandbox (the
// shared one stays clean). The sandbox starts inside the benchmark, so
// `go test` without -bench never starts it.
//
// Both copies run with every AWS request held clonetest.RoundTripMs, a
// same-region round trip: on loopback a request waits for nothing, so the
// naive loop would lose nothing by waiting for each answer in turn, as it
// does against AWS. The small bucket is copied at 0 ms too, loopback as is.
var bucketBenchRuns = []clonetest.BenchRun{
	{Size: 1_000, Latencies: []int{0, clonetest.RoundTripMs}},
	{Size: 10_000, Latencies: []int{clonetest.RoundTripMs}},
}

// benchObjectSize is every object's size in bytes.
const benchObjectSize = 1 << 10

// bucketBench is one size's seeded source bucket and the clients of both
// accounts.
type bucketBench struct {
	src, dst *s3.Client
	bucket   string // in the old account
	objects  int
}

// BenchmarkBucketCopy copies each size's source bucket into fresh buckets
// of the new account, once by ferry's step (with ServerSideCopy on, as the
// cockpit builds it: the sandbox's accounts cannot read each other, so it
// falls back to streaming after the first refusals) and once by the naive
// loop, at each latency, and reports the latency, both rates, the speedup
// and both peak RSS; ns/op is ferry's Apply. Every copy must leave the
// source's object count and bytes on the target.
//
// On the sandbox each request also costs about 1 ms of CPU (SDK, proxy,
// the emulator's blob file) on the same two cores as both copies, which
// bounds how much of the latency ferry's eight streams can overlap.
func BenchmarkBucketCopy(b *testing.B) {
	env := clonetest.BenchSandbox(b)
	src, dst := s3.NewFromConfig(env.AWS(b, "source"), pathStyle), s3.NewFromConfig(env.AWS(b, "target"), pathStyle)
	clonetest.CopyBench{Unit: "objects", Detail: fmt.Sprintf(" of %d B", benchObjectSize), Runs: bucketBenchRuns,
		Source: func(b *testing.B, objects int) clonetest.Copies {
			bb := bucketBench{src: src, dst: dst, bucket: fmt.Sprintf("acme-legacy-bench-%d", objects), objects: objects}
			bb.seed(b)
			return clonetest.Copies{Ferry: bb.ferry, Naive: bb.naive}
		}}.Run(b, env)
}

// ferry clones the source bucket into a new bucket by the step, as the
// cockpit builds it (default parallelism and page size), timed.
func (bb bucketBench) ferry(b *testing.B, ms, run int) clonetest.Phase {
	to := fmt.Sprintf("acme-platform-bench-%d-ferry-%dms-%d", bb.objects, ms, run)
	step := NewBucketStep(BucketConfig{Name: bb.bucket, Source: bb.src, Target: bb.dst, TargetLabel: "the bench account",
		Region: "us-east-1", ServerSideCopy: true,
		Mapping: rewrite.Mapping{Names: []rewrite.Rename{{Kind: "bucket", From: bb.bucket, To: to}}}})
	p, err := clonetest.MeasureTimed(b, func() error { return step.Apply(b.Context(), clonetest.Discard{}) })
	if err != nil {
		b.Fatalf("ferry: %v", err)
	}
	bb.checkAndDrop(b, "ferry", to)
	return p
}

// naive copies the source bucket by naiveCopy into a bucket made
// beforehand; only the copy is timed.
func (bb bucketBench) naive(b *testing.B, ms, run int) clonetest.Phase {
	to := fmt.Sprintf("acme-platform-bench-%d-naive-%dms-%d", bb.objects, ms, run)
	if _, err := bb.dst.CreateBucket(b.Context(), &s3.CreateBucketInput{Bucket: aws.String(to)}); err != nil {
		b.Fatalf("create %s: %v", to, err)
	}
	p, err := clonetest.Measure(func() error { return naiveCopy(b.Context(), bb.src, bb.dst, bb.bucket, to) })
	if err != nil {
		b.Fatalf("naive loop: %v", err)
	}
	bb.checkAndDrop(b, "naive loop", to)
	return p
}

// naiveCopy is the copy a person writes first: the SDK's ListObjectsV2
// paginator, and for each object a GetObject read whole, then a PutObject
// with its content type, one object at a time.
func naiveCopy(ctx context.Context, src, dst *s3.Client, from, to string) error {
	pages := s3.NewListObjectsV2Paginator(src, &s3.ListObjectsV2Input{Bucket: aws.String(from)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", from, err)
		}
		for _, o := range out.Contents {
			got, err := src.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(from), Key: o.Key})
			if err != nil {
				return fmt.Errorf("get %s/%s: %w", from, aws.ToString(o.Key), err)
			}
			body, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil {
				return fmt.Errorf("read %s/%s: %w", from, aws.ToString(o.Key), err)
			}
			_, err = dst.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(to), Key: o.Key, Body: bytes.NewReader(body),
				ContentType: got.ContentType})
			if err != nil {
				return fmt.Errorf("put %s/%s: %w", to, aws.ToString(o.Key), err)
			}
		}
	}
	return nil
}

// checkAndDrop fails a copy that left the target with another object count
// or byte total than the source's, so a fast wrong copy cannot pass, then
// empties and deletes the target.
func (bb bucketBench) checkAndDrop(b *testing.B, who, bucket string) {
	ctx := b.Context()
	keys, size, err := listing(ctx, bb.dst, bucket)
	if err != nil {
		b.Fatal(err)
	}
	if want := int64(bb.objects * benchObjectSize); len(keys) != bb.objects || size != want {
		b.Fatalf("%s: %s holds %d objects, %d bytes; the source %d, %d", who, bucket, len(keys), size, bb.objects, want)
	}
	for from := 0; from < len(keys); from += 1000 {
		del := &types.Delete{Quiet: aws.Bool(true)}
		for _, k := range keys[from:min(from+1000, len(keys))] {
			del.Objects = append(del.Objects, types.ObjectIdentifier{Key: aws.String(k)})
		}
		if _, err := bb.dst.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: del}); err != nil {
			b.Fatalf("empty %s: %v", bucket, err)
		}
	}
	if _, err := bb.dst.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatalf("delete %s: %v", bucket, err)
	}
}

// seed makes the source bucket and writes its objects, eight PutObject
// callers at a time. A bucket already holding them all is reused.
func (bb bucketBench) seed(b *testing.B) {
	ctx := b.Context()
	_, err := bb.src.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bb.bucket)})
	if err != nil && errCode(err) != "BucketAlreadyOwnedByYou" {
		b.Fatalf("create %s: %v", bb.bucket, err)
	}
	if keys, _, err := listing(ctx, bb.src, bb.bucket); err == nil && len(keys) == bb.objects {
		return
	}
	clonetest.Seed(b, bb.bucket, "objects", bb.objects, 1, func(i, _ int) error {
		_, err := bb.src.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bb.bucket), Key: aws.String(fmt.Sprintf("data/%06d.bin", i)),
			Body: bytes.NewReader(benchBody(i)), ContentType: aws.String("application/octet-stream")})
		return err
	})
}

// benchBody is object i's body: benchObjectSize bytes that differ per
// object, so no two share an ETag.
func benchBody(i int) []byte {
	line := fmt.Appendf(nil, "object %06d\n", i)
	return bytes.Repeat(line, benchObjectSize/len(line)+1)[:benchObjectSize]
}

// listing is a bucket's keys and their total size, from a lister of its own.
func listing(ctx context.Context, c *s3.Client, bucket string) ([]string, int64, error) {
	var keys []string
	var size int64
	l := newLister(c, bucket, "", 1000)
	for {
		o, ok, err := l.next(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("list %s: %w", bucket, err)
		}
		if !ok {
			return keys, size, nil
		}
		keys, size = append(keys, o.Key), size+o.Size
	}
}
