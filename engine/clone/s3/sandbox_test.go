package s3

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

const (
	bulkBucket  = "acme-legacy-ferry-bulk"
	bulkMapped  = "acme-platform-ferry-bulk"
	bulkObjects = 1200
)

// countingTarget counts object writes and cancels after crashAfter.
type countingTarget struct {
	*s3.Client
	writes     atomic.Int64
	crashAfter int64
	cancel     context.CancelFunc
}

func (c *countingTarget) wrote() {
	if n := c.writes.Add(1); c.cancel != nil && n == c.crashAfter {
		c.cancel()
	}
}

func (c *countingTarget) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	out, err := c.Client.PutObject(ctx, in, o...)
	c.wrote()
	return out, err
}

func (c *countingTarget) CopyObject(ctx context.Context, in *s3.CopyObjectInput, o ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	out, err := c.Client.CopyObject(ctx, in, o...)
	c.wrote()
	return out, err
}

func (c *countingTarget) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, o ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	out, err := c.Client.CompleteMultipartUpload(ctx, in, o...)
	c.wrote()
	return out, err
}

// world is the test's two clients and how it builds steps.
type world struct {
	src, dst *s3.Client
	cfg      BucketConfig
}

func (w *world) step(name string, mod ...func(*BucketConfig)) BucketConfig {
	c := w.cfg
	c.Name = name
	for _, m := range mod {
		m(&c)
	}
	return c
}

// pathStyle addresses the emulator by path; the emulator sends no
// checksums, and validating them only logs that on every response.
func pathStyle(o *s3.Options) {
	o.UsePathStyle = true
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
}

// TestSandboxCloneBuckets clones the seeded acme-legacy-invoices and a
// 1,200-object bucket of the test's own into the new account: a crash
// mid-copy and a resume, verify, an independent read, a second apply that
// writes nothing, and rollbacks that leave the new account as it was and
// the old one untouched.
func TestSandboxCloneBuckets(t *testing.T) {
	sb := clonetest.Isolated(t)
	w := &world{src: s3.NewFromConfig(sb.OldAccount, pathStyle), dst: s3.NewFromConfig(sb.NewAccount, pathStyle)}
	w.cfg = BucketConfig{Source: w.src, Target: w.dst, Mapping: sb.Plan.Mapping, TargetLabel: sb.Plan.Target.Label, Region: "us-east-1", PageSize: 200}
	started := time.Now()
	seedBulk(t, w.src)
	t.Logf("seeded %d objects into %s in %s", bulkObjects, bulkBucket, time.Since(started).Round(time.Millisecond))
	trySettings(t, w.src)
	before := sourceState(t, w.src)
	targetBefore := bucketNames(t, w.dst)

	recs := map[string]*memRecorder{bulkBucket: w.crashAndResume(t), "acme-legacy-invoices": {}}
	inv := &countingTarget{Client: w.dst}
	started = time.Now()
	if err := NewBucketStep(w.step("acme-legacy-invoices", func(c *BucketConfig) { c.ServerSideCopy, c.Target = true, inv })).Apply(t.Context(), recs["acme-legacy-invoices"]); err != nil {
		t.Fatal(err)
	}
	t.Logf("acme-legacy-invoices (server-side copy tried): %d writes in %s; %s", inv.writes.Load(), time.Since(started).Round(time.Millisecond),
		strings.Join(recs["acme-legacy-invoices"].Messages(), " | "))
	for _, name := range []string{"acme-legacy-invoices", bulkBucket} {
		verifyOK(t, NewBucketStep(w.step(name)))
	}
	independentRead(t, s3.NewFromConfig(sb.NewAccount, pathStyle), w.src,
		map[string]string{"acme-legacy-invoices": "acme-platform-invoices", bulkBucket: bulkMapped})
	w.applyAgain(t)
	w.rollback(t, recs)
	if after := bucketNames(t, w.dst); !maps.Equal(after, targetBefore) {
		t.Errorf("the new account's buckets after the rollback: %v, before: %v", after, targetBefore)
	}
	if after := sourceState(t, w.src); after != before {
		t.Errorf("the old account changed:\n%s\nwas:\n%s", after, before)
	}
}

// seedBulk makes bulkBucket in the old account with bulkObjects small
// objects, eight writers at a time.
func seedBulk(t *testing.T, c *s3.Client) {
	t.Helper()
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bulkBucket)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < bulkObjects; i += 8 {
				body := strings.Repeat(fmt.Sprintf("object %d\n", i), 1+i%20)
				_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bulkBucket), Key: aws.String(fmt.Sprintf("data/%05d.txt", i)),
					Body: strings.NewReader(body), ContentType: aws.String("text/plain")})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// trySettings gives the bulk bucket every configuration part the clone
// carries, logging what the emulator refuses (an emulator gap, not a
// failure of the clone).
func trySettings(t *testing.T, c *s3.Client) {
	ctx, b := t.Context(), aws.String(bulkBucket)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ledger"},` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-legacy-ferry-bulk/*"}]}`
	calls := map[string]func() error{
		"versioning": func() error {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: "Enabled"}})
			return err
		},
		"policy": func() error {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)})
			return err
		},
		"lifecycle": func() error {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
				Rules: []types.LifecycleRule{{ID: aws.String("expire-tmp"), Status: "Enabled", Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
					Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)}}}}})
			return err
		},
		"cors": func() error {
			_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{
				CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://acme.example"}}}}})
			return err
		},
		"tags": func() error {
			_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{
				{Key: aws.String("owner"), Value: aws.String("arn:aws:iam::111111111111:role/ledger")}}}})
			return err
		},
		"notification": func() error {
			_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: b,
				NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
					QueueArn: aws.String("arn:aws:sqs:us-east-1:111111111111:orders-fulfillment"), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); err != nil {
			t.Logf("EMULATOR GAP: setting the %s of %s failed: %v", name, bulkBucket, err)
		}
	}
	got, err := readSettings(ctx, c, bulkBucket)
	if err != nil {
		t.Logf("EMULATOR GAP: reading back the settings of %s: %v", bulkBucket, err)
		return
	}
	for _, p := range parts {
		t.Logf("source %s %s: %s", bulkBucket, p.name, shown(got[p.name]))
	}
}

// crashAndResume cancels the bulk copy after 500 writes, as a killed ferry
// stops, then applies again with what was saved.
func (w *world) crashAndResume(t *testing.T) *memRecorder {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rec := &memRecorder{}
	crashing := &countingTarget{Client: w.dst, crashAfter: 500, cancel: cancel}
	started := time.Now()
	if err := NewBucketStep(w.step(bulkBucket, func(c *BucketConfig) { c.Target = crashing })).Apply(ctx, rec); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	partial := countObjects(t, w.dst, bulkMapped)
	t.Logf("crash: %d objects on the target after %s (%d pages saved done)", partial, time.Since(started).Round(time.Millisecond),
		len(records(rec, recordThrough)))
	if partial == 0 || partial >= bulkObjects {
		t.Errorf("%d objects on the target after the crash, want some but not all", partial)
	}
	resumed := &countingTarget{Client: w.dst}
	started = time.Now()
	if err := NewBucketStep(w.step(bulkBucket, func(c *BucketConfig) { c.Target = resumed })).Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	took := time.Since(started)
	t.Logf("resume: %d writes in %s, %.0f objects/s; %s", resumed.writes.Load(), took.Round(time.Millisecond),
		float64(resumed.writes.Load())/took.Seconds(), rec.Messages()[len(rec.Messages())-1])
	if n := resumed.writes.Load(); n+int64(partial) > bulkObjects+200 {
		t.Errorf("the resume wrote %d objects after %d were there: more than a page re-copied", n, partial)
	}
	return rec
}

// applyAgain applies both steps a second time: nothing is written.
func (w *world) applyAgain(t *testing.T) {
	for _, name := range []string{"acme-legacy-invoices", bulkBucket} {
		again := &memRecorder{}
		counting := &countingTarget{Client: w.dst}
		started := time.Now()
		if err := NewBucketStep(w.step(name, func(c *BucketConfig) { c.Target = counting })).Apply(t.Context(), again); err != nil {
			t.Fatal(err)
		}
		if n, parts := counting.writes.Load(), records(again, recordPart); n != 0 || len(parts) != 0 || len(records(again, recordBucket)) != 0 {
			t.Errorf("%s: the second apply wrote %d objects and %d parts: %+v", name, n, len(parts), parts)
		}
		t.Logf("second apply of %s took %s: %s", name, time.Since(started).Round(time.Millisecond), again.Messages()[len(again.Messages())-1])
	}
}

// rollback rolls both steps back.
func (w *world) rollback(t *testing.T, recs map[string]*memRecorder) {
	for name, rec := range recs {
		back := &memRecorder{}
		if err := NewBucketStep(w.step(name)).Rollback(t.Context(), rec.All(), back); err != nil {
			t.Fatal(err)
		}
		t.Logf("rollback %s: %s", name, strings.Join(back.Messages(), "; "))
	}
}

// independentRead checks each target bucket with a client of its own:
// count and bytes from its listing, and every 50th object read back whole
// and compared with the source's body.
func independentRead(t *testing.T, fresh, src *s3.Client, buckets map[string]string) {
	t.Helper()
	for from, to := range buckets {
		srcList, dstList := listAll(t, src, from), listAll(t, fresh, to)
		if len(srcList) != len(dstList) {
			t.Errorf("%s holds %d objects, %s %d", to, len(dstList), from, len(srcList))
		}
		var sb, db int64
		i := 0
		for key, o := range srcList {
			sb += o.Size
			db += dstList[key].Size
			if d, ok := dstList[key]; !ok || d.ETag != o.ETag {
				t.Errorf("%s/%s: ETag %q, source %q", to, key, d.ETag, o.ETag)
			}
			if i++; i%50 == 1 && !bytes.Equal(body(t, fresh, to, key), body(t, src, from, key)) {
				t.Errorf("%s/%s: body differs from the source's", to, key)
			}
		}
		if sb != db {
			t.Errorf("%s holds %d bytes, the source %d", to, db, sb)
		}
	}
}

func listAll(t *testing.T, c *s3.Client, bucket string) map[string]object {
	t.Helper()
	out := map[string]object{}
	l := newLister(c, bucket, "", 1000)
	for {
		o, ok, err := l.next(t.Context())
		if err != nil {
			t.Fatalf("list %s: %v", bucket, err)
		}
		if !ok {
			return out
		}
		out[o.Key] = o
	}
}

func countObjects(t *testing.T, c *s3.Client, bucket string) int { return len(listAll(t, c, bucket)) }

func body(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(out.Body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sourceState is both source buckets' listings and settings.
func sourceState(t *testing.T, c *s3.Client) string {
	var b strings.Builder
	for _, name := range []string{"acme-legacy-invoices", bulkBucket} {
		l := listAll(t, c, name)
		for _, k := range sortedKeys(l) {
			fmt.Fprintf(&b, "%s/%s %d %s\n", name, k, l[k].Size, l[k].ETag)
		}
		st, err := readSettings(t.Context(), c, name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%v\n", st)
	}
	return b.String()
}

func sortedKeys(m map[string]object) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func bucketNames(t *testing.T, c *s3.Client) map[string]bool {
	out, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, b := range out.Buckets {
		names[aws.ToString(b.Name)] = true
	}
	return names
}
