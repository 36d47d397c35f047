package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	oldBucket = "acme-legacy-invoices"
	newBucket = "acme-platform-invoices"
)

var testMapping = rewrite.Mapping{Accounts: map[string]string{"111111111111": "222222222222"},
	Names: []rewrite.Rename{{Kind: "bucket", From: "acme-legacy-*", To: "acme-platform-*"}}}

const oldPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/invoice-renderer"},` +
	`"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-legacy-invoices/*"}]}`

// seeded is a fake holding the source bucket with n objects and every
// configuration part.
func seeded(t *testing.T, n int) *fakeS3 {
	t.Helper()
	f := newFake()
	f.create(oldBucket)
	for i := range n {
		f.put(oldBucket, fmt.Sprintf("invoices/2026/%04d.pdf", i), []byte(strings.Repeat(fmt.Sprintf("invoice %d;", i), 1+i%7)), nil)
	}
	b := f.buckets[oldBucket]
	set := func(part string, v any) {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.conf[part] = string(raw)
	}
	set("versioning", "Enabled")
	set("policy", oldPolicy)
	set("lifecycle", []types.LifecycleRule{{ID: aws.String("expire-tmp"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)}}})
	set("cors", []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://acme.example"}}})
	set("tags", []types.Tag{{Key: aws.String("owner"), Value: aws.String("arn:aws:iam::111111111111:role/ledger")}})
	set("notification", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
		QueueArn: aws.String("arn:aws:sqs:us-east-1:111111111111:invoice-events"), Events: []types.Event{"s3:ObjectCreated:*"}}}})
	return f
}

func stepFor(f *fakeS3, mod ...func(*BucketConfig)) runbook.Step {
	cfg := BucketConfig{Name: oldBucket, Source: f, Target: f, Mapping: testMapping, TargetLabel: "acme-platform", Parallel: 4}
	for _, m := range mod {
		m(&cfg)
	}
	return NewBucketStep(cfg)
}

func ops(cs runbook.ChangeSet) map[string]runbook.Op {
	out := map[string]runbook.Op{}
	for _, c := range cs.Changes {
		out[c.Kind] = c.Op
	}
	return out
}

func verifyOK(t *testing.T, st runbook.Step) {
	t.Helper()
	checks, err := st.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if !c.OK {
			t.Errorf("verify: %s failed: %s", c.Name, c.Evidence)
		}
	}
}

func TestPlanApplyVerifyAgain(t *testing.T) {
	t.Parallel()
	f := seeded(t, 25)
	st := stepFor(f)
	if st.ID() != "aws/s3/"+oldBucket || st.Kind() != Kind {
		t.Errorf("ID %s kind %s", st.ID(), st.Kind())
	}
	cs, err := st.Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for kind, op := range ops(cs) {
		if op != runbook.OpCreate {
			t.Errorf("plan: %s is %s, want create", kind, op)
		}
	}
	if last := cs.Changes[len(cs.Changes)-1].After; !strings.HasPrefix(last, "copy 25 objects") || !strings.Contains(last, "skip 0") {
		t.Errorf("plan objects: %s", last)
	}
	rec := &memRecorder{}
	if err := st.Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	if got := records(rec, recordBucket); len(got) != 1 || !got[0].Created {
		t.Errorf("bucket records %+v, want one created", got)
	}
	if got := len(records(rec, recordPart)); got != len(parts) {
		t.Errorf("%d part records, want %d", got, len(parts))
	}
	verifyOK(t, st)
	if !maps.Equal(f.contents(oldBucket), f.contents(newBucket)) {
		t.Error("target objects differ from the source's")
	}
	writes := len(f.calls.Writes())
	if err := st.Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	if again := f.calls.Writes()[writes:]; len(again) != 0 {
		t.Errorf("the second apply wrote: %v", again)
	}
	cs, err = st.Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for kind, op := range ops(cs) {
		if op != runbook.OpNone {
			t.Errorf("plan after apply: %s is %s, want none", kind, op)
		}
	}
}

func TestRewritesPolicyAndNotifications(t *testing.T) {
	t.Parallel()
	f := seeded(t, 1)
	if err := stepFor(f).Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	conf := f.buckets[newBucket].conf
	for _, part := range []string{"policy", "notification", "tags"} {
		if strings.Contains(conf[part], "111111111111") {
			t.Errorf("%s still names the old account: %s", part, conf[part])
		}
		if !strings.Contains(conf[part], "222222222222") {
			t.Errorf("%s does not name the new account: %s", part, conf[part])
		}
	}
	if !strings.Contains(conf["policy"], "arn:aws:s3:::acme-platform-invoices/*") {
		t.Errorf("policy resource not renamed: %s", conf["policy"])
	}
	// A policy the target holds with an old id fails verify, naming it.
	conf["policy"] = `"` + strings.ReplaceAll(oldPolicy, `"`, `\"`) + `"`
	checks, err := stepFor(f).Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if c := checks[3]; c.OK || !strings.Contains(c.Evidence, "policy of acme-platform-invoices: arn:aws:iam::111111111111:role/invoice-renderer") {
		t.Errorf("accounts check: %+v", c)
	}
}

func TestRefusesUnchangedName(t *testing.T) {
	t.Parallel()
	f := seeded(t, 1)
	st := stepFor(f, func(c *BucketConfig) { c.Mapping = rewrite.Mapping{} })
	for name, call := range map[string]func() error{
		"plan":  func() error { _, err := st.Plan(t.Context()); return err },
		"apply": func() error { return st.Apply(t.Context(), &memRecorder{}) },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "mapping leaves its name unchanged") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(f.calls.Writes()) != 0 {
		t.Errorf("writes: %v", f.calls.Writes())
	}
}

func TestSkipsPresentObjects(t *testing.T) {
	t.Parallel()
	f := seeded(t, 30)
	f.create(newBucket)
	for k, o := range f.buckets[oldBucket].objects {
		if k < "invoices/2026/0010" {
			f.put(newBucket, k, o.body, nil)
		}
	}
	f.put(newBucket, "invoices/2026/0011.pdf", []byte("stale"), nil)
	cs, err := stepFor(f).Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.Changes[len(cs.Changes)-1].After; !strings.HasPrefix(got, "copy 20 objects") || !strings.Contains(got, "skip 10") ||
		!strings.Contains(got, "1 of the copies replace") {
		t.Errorf("plan: %s", got)
	}
	if err := stepFor(f).Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Count("PutObject"); n != 20 {
		t.Errorf("%d PutObject calls, want 20", n)
	}
	verifyOK(t, stepFor(f))
}

func TestMultipartLargeObject(t *testing.T) {
	t.Parallel()
	f := seeded(t, 3)
	big := []byte(strings.Repeat("0123456789", 250))
	f.put(oldBucket, "big/blob.bin", big, nil)
	st := stepFor(f, func(c *BucketConfig) { c.MultipartAbove, c.PartSize = 1000, 400 })
	if err := st.Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Count("UploadPart"); n != 7 {
		t.Errorf("%d parts uploaded, want 7 (2500 bytes in 400-byte parts)", n)
	}
	if etag := f.buckets[newBucket].objects["big/blob.bin"].etag; !strings.HasSuffix(etag, `-7"`) {
		t.Errorf("target ETag %s is not a multipart one", etag)
	}
	verifyOK(t, st)
	writes := len(f.calls.Writes())
	if err := st.Apply(t.Context(), &memRecorder{}); err != nil {
		t.Fatal(err)
	}
	if again := f.calls.Writes()[writes:]; len(again) != 0 {
		t.Errorf("the second apply wrote: %v", again)
	}
}

func TestServerSideCopyAndFallback(t *testing.T) {
	t.Parallel()
	for _, deny := range []bool{false, true} {
		f := seeded(t, 12)
		f.denyCopy = deny
		rec := &memRecorder{}
		if err := stepFor(f, func(c *BucketConfig) { c.ServerSideCopy = true }).Apply(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
		puts := f.calls.Count("PutObject")
		if (deny && puts != 12) || (!deny && (puts != 0 || f.calls.Count("CopyObject") != 12)) {
			t.Errorf("deny=%v: %d PutObject, %d CopyObject", deny, puts, f.calls.Count("CopyObject"))
		}
		if deny && !strings.Contains(strings.Join(rec.Messages(), "\n"), "was refused (AccessDenied): streaming") {
			t.Errorf("no fallback note in %q", rec.Messages())
		}
		verifyOK(t, stepFor(f))
	}
}

// TestCrashMidCopyResumes cancels the apply after 23 object writes, as a
// killed ferry stops, then applies again with what was saved.
func TestCrashMidCopyResumes(t *testing.T) {
	t.Parallel()
	f := seeded(t, 57)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var n atomic.Int32
	f.setOnWrite(func() {
		if n.Add(1) == 23 {
			cancel()
		}
	})
	rec := &memRecorder{}
	small := func(c *BucketConfig) { c.PageSize, c.Parallel = 10, 3 }
	if err := stepFor(f, small).Apply(ctx, rec); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	f.setOnWrite(nil)
	partial := len(f.contents(newBucket))
	through := records(rec, recordThrough)
	if partial == 0 || partial >= 57 || len(through) == 0 {
		t.Fatalf("%d objects and %d pages done after the crash, want some", partial, len(through))
	}
	before := f.calls.Count("ListObjectsV2")
	if err := stepFor(f, small).Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rec.Messages(), "\n"), "resuming the copy into acme-platform-invoices after key") {
		t.Errorf("no resume in %q", rec.Messages())
	}
	// Pages done before the crash are not listed again.
	if lists := f.calls.Count("ListObjectsV2") - before; lists > 2*(6-len(through)+1) {
		t.Errorf("the resume listed %d pages", lists)
	}
	if !maps.Equal(f.contents(oldBucket), f.contents(newBucket)) {
		t.Errorf("after the resume the target holds %d objects, the source 57, or they differ", len(f.contents(newBucket)))
	}
	verifyOK(t, stepFor(f))
}

func TestRollbackCreatedBucket(t *testing.T) {
	t.Parallel()
	f := seeded(t, 15)
	rec := &memRecorder{}
	st := stepFor(f)
	if err := st.Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	srcBefore := f.contents(oldBucket)
	back := &memRecorder{}
	if err := st.Rollback(t.Context(), rec.All(), back); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.buckets[newBucket]; ok {
		t.Error("the bucket the clone created is still there")
	}
	if !maps.Equal(srcBefore, f.contents(oldBucket)) {
		t.Error("the rollback changed the source")
	}
	if msg := back.Messages()[len(back.Messages())-1]; !strings.Contains(msg, "deleted bucket acme-platform-invoices, which the clone created") {
		t.Errorf("rollback said %q", msg)
	}
}

func TestRollbackExistingBucket(t *testing.T) {
	t.Parallel()
	f := seeded(t, 15)
	f.create(newBucket)
	f.put(newBucket, "theirs.txt", []byte("was here"), nil)
	f.buckets[newBucket].conf["cors"] = `[{"AllowedMethods":["PUT"],"AllowedOrigins":["*"]}]`
	before := f.buckets[newBucket].conf["cors"]
	rec := &memRecorder{}
	st := stepFor(f)
	if err := st.Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	back := &memRecorder{}
	if err := st.Rollback(t.Context(), rec.All(), back); err != nil {
		t.Fatal(err)
	}
	got := f.contents(newBucket)
	if len(got) != 1 || got["theirs.txt"] == "" {
		t.Errorf("after the rollback the target holds %v, want only theirs.txt", got)
	}
	conf := f.buckets[newBucket].conf
	cors, err := getCORS(t.Context(), f, newBucket)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := canonical(decode[[]types.CORSRule](before)); cors != want || conf["policy"] != "" || conf["tags"] != "" ||
		conf["versioning"] != `"Suspended"` {
		t.Errorf("configuration not restored: %v", conf)
	}
	if msg := back.Messages()[len(back.Messages())-1]; !strings.Contains(msg, "existed on acme-platform before the clone and stays") {
		t.Errorf("rollback said %q", msg)
	}
}
