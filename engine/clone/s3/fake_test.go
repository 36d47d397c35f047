package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeObject is one stored object.
type fakeObject struct {
	body []byte
	etag string
	meta map[string]string
}

// fakeBucket is one bucket: objects and configuration parts.
type fakeBucket struct {
	objects map[string]fakeObject
	conf    map[string]string // versioning, policy, lifecycle, cors, tags, notification (as JSON)
}

// fakeS3 is an in-memory S3 both accounts share, as the emulator does. It
// logs every call ("Method bucket"), and onWrite runs after each object
// write.
type fakeS3 struct {
	mu       sync.Mutex
	buckets  map[string]*fakeBucket
	calls    clonetest.Calls
	denyCopy bool
	uploads  map[string][][]byte
	upMeta   map[string]map[string]string
	onWrite  func()
}

func newFake() *fakeS3 {
	return &fakeS3{buckets: map[string]*fakeBucket{}, uploads: map[string][][]byte{}, upMeta: map[string]map[string]string{}}
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func md5ETag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func (f *fakeS3) log(method string, bucket *string) {
	f.calls.Add(method + " " + aws.ToString(bucket))
}

// bucket logs the call and returns the bucket, locked; unlock after.
func (f *fakeS3) bucket(method string, name *string) (*fakeBucket, error) {
	f.mu.Lock()
	f.log(method, name)
	b := f.buckets[aws.ToString(name)]
	if b == nil {
		f.mu.Unlock()
		return nil, apiErr("NoSuchBucket")
	}
	return b, nil
}

func (f *fakeS3) put(bucket, key string, body []byte, meta map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buckets[bucket].objects[key] = fakeObject{body: body, etag: md5ETag(body), meta: meta}
}

func (f *fakeS3) create(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buckets[name] = &fakeBucket{objects: map[string]fakeObject{}, conf: map[string]string{}}
}

func (f *fakeS3) wrote() {
	f.mu.Lock()
	hook := f.onWrite
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
}

func (f *fakeS3) setOnWrite(hook func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onWrite = hook
}

// contents is a bucket's keys with their ETags, for comparisons.
func (f *fakeS3) contents(bucket string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	if b := f.buckets[bucket]; b != nil {
		for k, o := range b.objects {
			out[k] = fmt.Sprintf("%d %x", len(o.body), md5.Sum(o.body))
		}
	}
	return out
}

func (f *fakeS3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	if _, err := f.bucket("HeadBucket", in.Bucket); err != nil {
		return nil, apiErr("NotFound")
	}
	f.mu.Unlock()
	return &s3.HeadBucketOutput{}, nil
}

func (f *fakeS3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	f.mu.Lock()
	f.log("CreateBucket", in.Bucket)
	_, ok := f.buckets[*in.Bucket]
	f.mu.Unlock()
	if ok {
		return nil, apiErr("BucketAlreadyOwnedByYou")
	}
	f.create(*in.Bucket)
	return &s3.CreateBucketOutput{}, nil
}

func (f *fakeS3) DeleteBucket(_ context.Context, in *s3.DeleteBucketInput, _ ...func(*s3.Options)) (*s3.DeleteBucketOutput, error) {
	b, err := f.bucket("DeleteBucket", in.Bucket)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	if len(b.objects) > 0 {
		return nil, apiErr("BucketNotEmpty")
	}
	delete(f.buckets, *in.Bucket)
	return &s3.DeleteBucketOutput{}, nil
}

// getConf and setConf back every configuration call.
func (f *fakeS3) getConf(method string, bucket *string, part, missing string) (string, error) {
	b, err := f.bucket(method, bucket)
	if err != nil {
		return "", err
	}
	defer f.mu.Unlock()
	v, ok := b.conf[part]
	if !ok && missing != "" {
		return "", apiErr(missing)
	}
	return v, nil
}

func (f *fakeS3) setConf(method string, bucket *string, part string, v any) error {
	b, err := f.bucket(method, bucket)
	if err != nil {
		return err
	}
	defer f.mu.Unlock()
	if v == nil {
		delete(b.conf, part)
		return nil
	}
	raw, _ := json.Marshal(v)
	b.conf[part] = string(raw)
	return nil
}

func decode[T any](s string) T {
	var v T
	_ = json.Unmarshal([]byte(s), &v)
	return v
}

func (f *fakeS3) GetBucketVersioning(_ context.Context, in *s3.GetBucketVersioningInput, _ ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	v, err := f.getConf("GetBucketVersioning", in.Bucket, "versioning", "")
	return &s3.GetBucketVersioningOutput{Status: types.BucketVersioningStatus(decode[string](v))}, err
}

func (f *fakeS3) PutBucketVersioning(_ context.Context, in *s3.PutBucketVersioningInput, _ ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error) {
	return &s3.PutBucketVersioningOutput{}, f.setConf("PutBucketVersioning", in.Bucket, "versioning", string(in.VersioningConfiguration.Status))
}

func (f *fakeS3) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	v, err := f.getConf("GetBucketPolicy", in.Bucket, "policy", "NoSuchBucketPolicy")
	return &s3.GetBucketPolicyOutput{Policy: aws.String(decode[string](v))}, err
}

func (f *fakeS3) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	return &s3.PutBucketPolicyOutput{}, f.setConf("PutBucketPolicy", in.Bucket, "policy", aws.ToString(in.Policy))
}

func (f *fakeS3) DeleteBucketPolicy(_ context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	return &s3.DeleteBucketPolicyOutput{}, f.setConf("DeleteBucketPolicy", in.Bucket, "policy", nil)
}

func (f *fakeS3) GetBucketLifecycleConfiguration(_ context.Context, in *s3.GetBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	v, err := f.getConf("GetBucketLifecycleConfiguration", in.Bucket, "lifecycle", "NoSuchLifecycleConfiguration")
	return &s3.GetBucketLifecycleConfigurationOutput{Rules: decode[[]types.LifecycleRule](v)}, err
}

func (f *fakeS3) PutBucketLifecycleConfiguration(_ context.Context, in *s3.PutBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	return &s3.PutBucketLifecycleConfigurationOutput{}, f.setConf("PutBucketLifecycleConfiguration", in.Bucket, "lifecycle", in.LifecycleConfiguration.Rules)
}

func (f *fakeS3) DeleteBucketLifecycle(_ context.Context, in *s3.DeleteBucketLifecycleInput, _ ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error) {
	return &s3.DeleteBucketLifecycleOutput{}, f.setConf("DeleteBucketLifecycle", in.Bucket, "lifecycle", nil)
}

func (f *fakeS3) GetBucketCors(_ context.Context, in *s3.GetBucketCorsInput, _ ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error) {
	v, err := f.getConf("GetBucketCors", in.Bucket, "cors", "NoSuchCORSConfiguration")
	return &s3.GetBucketCorsOutput{CORSRules: decode[[]types.CORSRule](v)}, err
}

func (f *fakeS3) PutBucketCors(_ context.Context, in *s3.PutBucketCorsInput, _ ...func(*s3.Options)) (*s3.PutBucketCorsOutput, error) {
	return &s3.PutBucketCorsOutput{}, f.setConf("PutBucketCors", in.Bucket, "cors", in.CORSConfiguration.CORSRules)
}

func (f *fakeS3) DeleteBucketCors(_ context.Context, in *s3.DeleteBucketCorsInput, _ ...func(*s3.Options)) (*s3.DeleteBucketCorsOutput, error) {
	return &s3.DeleteBucketCorsOutput{}, f.setConf("DeleteBucketCors", in.Bucket, "cors", nil)
}

func (f *fakeS3) GetBucketTagging(_ context.Context, in *s3.GetBucketTaggingInput, _ ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	v, err := f.getConf("GetBucketTagging", in.Bucket, "tags", "NoSuchTagSet")
	return &s3.GetBucketTaggingOutput{TagSet: decode[[]types.Tag](v)}, err
}

func (f *fakeS3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	return &s3.PutBucketTaggingOutput{}, f.setConf("PutBucketTagging", in.Bucket, "tags", in.Tagging.TagSet)
}

func (f *fakeS3) DeleteBucketTagging(_ context.Context, in *s3.DeleteBucketTaggingInput, _ ...func(*s3.Options)) (*s3.DeleteBucketTaggingOutput, error) {
	return &s3.DeleteBucketTaggingOutput{}, f.setConf("DeleteBucketTagging", in.Bucket, "tags", nil)
}

func (f *fakeS3) GetBucketNotificationConfiguration(_ context.Context, in *s3.GetBucketNotificationConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error) {
	v, err := f.getConf("GetBucketNotificationConfiguration", in.Bucket, "notification", "")
	n := decode[types.NotificationConfiguration](v)
	return &s3.GetBucketNotificationConfigurationOutput{TopicConfigurations: n.TopicConfigurations, QueueConfigurations: n.QueueConfigurations,
		LambdaFunctionConfigurations: n.LambdaFunctionConfigurations, EventBridgeConfiguration: n.EventBridgeConfiguration}, err
}

func (f *fakeS3) PutBucketNotificationConfiguration(_ context.Context, in *s3.PutBucketNotificationConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error) {
	var v any = in.NotificationConfiguration
	if n := in.NotificationConfiguration; len(n.TopicConfigurations)+len(n.QueueConfigurations)+len(n.LambdaFunctionConfigurations) == 0 {
		v = nil
	}
	return &s3.PutBucketNotificationConfigurationOutput{}, f.setConf("PutBucketNotificationConfiguration", in.Bucket, "notification", v)
}

// ListObjectsV2 lists in key order; the continuation token is the last
// key returned.
func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	b, err := f.bucket("ListObjectsV2", in.Bucket)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	after := aws.ToString(in.StartAfter)
	if in.ContinuationToken != nil {
		after = *in.ContinuationToken
	}
	limit := int(aws.ToInt32(in.MaxKeys))
	if limit == 0 {
		limit = 1000
	}
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}
	for _, k := range slices.Sorted(maps.Keys(b.objects)) {
		if k <= after {
			continue
		}
		if len(out.Contents) == limit {
			out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String(*out.Contents[limit-1].Key)
			break
		}
		o := b.objects[k]
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k), Size: aws.Int64(int64(len(o.body))), ETag: aws.String(o.etag)})
	}
	return out, nil
}

func (f *fakeS3) object(method string, bucket, key *string) (fakeObject, error) {
	b, err := f.bucket(method, bucket)
	if err != nil {
		return fakeObject{}, err
	}
	defer f.mu.Unlock()
	o, ok := b.objects[aws.ToString(key)]
	if !ok {
		return o, apiErr("NoSuchKey")
	}
	return o, nil
}

func (f *fakeS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	o, err := f.object("HeadObject", in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	return &s3.HeadObjectOutput{ETag: aws.String(o.etag), ContentLength: aws.Int64(int64(len(o.body))), Metadata: maps.Clone(o.meta)}, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	o, err := f.object("GetObject", in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	if in.IfMatch != nil && *in.IfMatch != o.etag {
		return nil, apiErr("PreconditionFailed")
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.body)), ContentType: aws.String("text/plain"), Metadata: maps.Clone(o.meta)}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	body, _ := io.ReadAll(in.Body)
	if _, err := f.bucket("PutObject", in.Bucket); err != nil {
		return nil, err
	}
	f.mu.Unlock()
	f.put(*in.Bucket, *in.Key, body, in.Metadata)
	f.wrote()
	return &s3.PutObjectOutput{}, nil
}

func (f *fakeS3) CopyObject(_ context.Context, in *s3.CopyObjectInput, _ ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	f.mu.Lock()
	f.log("CopyObject", in.Bucket)
	deny := f.denyCopy
	f.mu.Unlock()
	if deny {
		return nil, apiErr("AccessDenied")
	}
	src, _ := url.PathUnescape(aws.ToString(in.CopySource))
	bucket, key, _ := strings.Cut(src, "/")
	f.mu.Lock()
	o, ok := f.buckets[bucket].objects[key]
	f.mu.Unlock()
	if !ok {
		return nil, apiErr("NoSuchKey")
	}
	f.put(*in.Bucket, *in.Key, o.body, o.meta)
	f.wrote()
	return &s3.CopyObjectOutput{}, nil
}

func (f *fakeS3) CreateMultipartUpload(_ context.Context, in *s3.CreateMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("CreateMultipartUpload", in.Bucket)
	id := fmt.Sprintf("upload-%d", len(f.calls.All()))
	f.uploads[id], f.upMeta[id] = nil, in.Metadata
	return &s3.CreateMultipartUploadOutput{UploadId: aws.String(id)}, nil
}

func (f *fakeS3) UploadPart(_ context.Context, in *s3.UploadPartInput, _ ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	body, _ := io.ReadAll(in.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("UploadPart", in.Bucket)
	f.uploads[*in.UploadId] = append(f.uploads[*in.UploadId], body)
	return &s3.UploadPartOutput{ETag: aws.String(md5ETag(body))}, nil
}

// CompleteMultipartUpload stores the parts with a multipart ETag: the MD5
// of the parts' MD5s, "-" and the part count.
func (f *fakeS3) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	f.mu.Lock()
	f.log("CompleteMultipartUpload", in.Bucket)
	partsIn, meta := f.uploads[*in.UploadId], f.upMeta[*in.UploadId]
	delete(f.uploads, *in.UploadId)
	f.mu.Unlock()
	var body, sums []byte
	for _, p := range partsIn {
		body = append(body, p...)
		sum := md5.Sum(p)
		sums = append(sums, sum[:]...)
	}
	f.put(*in.Bucket, *in.Key, body, meta)
	f.mu.Lock()
	sum := md5.Sum(sums)
	o := f.buckets[*in.Bucket].objects[*in.Key]
	o.etag = fmt.Sprintf(`"%x-%d"`, sum, len(partsIn))
	f.buckets[*in.Bucket].objects[*in.Key] = o
	f.mu.Unlock()
	f.wrote()
	return &s3.CompleteMultipartUploadOutput{}, nil
}

func (f *fakeS3) AbortMultipartUpload(_ context.Context, in *s3.AbortMultipartUploadInput, _ ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("AbortMultipartUpload", in.Bucket)
	delete(f.uploads, *in.UploadId)
	return &s3.AbortMultipartUploadOutput{}, nil
}

func (f *fakeS3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	b, err := f.bucket("DeleteObjects", in.Bucket)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	for _, id := range in.Delete.Objects {
		delete(b.objects, *id.Key)
	}
	return &s3.DeleteObjectsOutput{}, nil
}

func (f *fakeS3) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	b, err := f.bucket("ListObjectVersions", in.Bucket)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	out := &s3.ListObjectVersionsOutput{IsTruncated: aws.Bool(false)}
	for _, k := range slices.Sorted(maps.Keys(b.objects)) {
		out.Versions = append(out.Versions, types.ObjectVersion{Key: aws.String(k), VersionId: aws.String("null")})
	}
	return out, nil
}

// memRecorder keeps what a step saves and reports.
type memRecorder = clonetest.Recorder[record]

// records are the records of a kind saved through rec or resumed from.
func records(rec *memRecorder, kind string) []record {
	return rec.Where(func(r record) bool { return r.Kind == kind })
}
