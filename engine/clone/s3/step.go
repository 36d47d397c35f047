// Package s3 holds the runbook step that clones one S3 bucket from the old
// AWS account to the new one: the bucket is created under its mapped name
// (bucket names are global, so the mapping must rename it); versioning,
// policy, lifecycle, CORS, tags and notification configuration are read
// from the source, passed through the plan's mapping where they may name
// accounts or resources (policy, tags, notifications) and written to the
// target; then the objects are copied with bounded parallelism, by
// CopyObject when the target can read the source, else streamed GetObject
// into PutObject (multipart above a threshold). Objects already on the
// target with the same size and ETag are skipped, and a copy interrupted
// by a crash resumes after the last key it saved as done.
//
// Objects are copied verbatim (keys, bodies, metadata): the mapping applies
// to the bucket's name and configuration, never to the data in it. Of a
// versioned bucket only the current version of each object moves.
package s3

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of an S3 bucket clone.
const Kind = "clone-s3"

// PreflightStep is the step every clone depends on.
const PreflightStep = "preflight"

// Defaults for the zero values of BucketConfig.
const (
	DefaultParallel          = 8
	DefaultPageSize          = 1000
	DefaultMultipartAbove    = 64 << 20
	DefaultPartSize          = 16 << 20
	DefaultMaxServerSideCopy = 5 << 30 // CopyObject's limit for one call
)

// SourceAPI is the S3 calls the step makes in the old account; it only
// ever reads there. *s3.Client satisfies it.
type SourceAPI interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, opts ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, opts ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketLifecycleConfiguration(ctx context.Context, in *s3.GetBucketLifecycleConfigurationInput, opts ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error)
	GetBucketCors(ctx context.Context, in *s3.GetBucketCorsInput, opts ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error)
	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, opts ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	GetBucketNotificationConfiguration(ctx context.Context, in *s3.GetBucketNotificationConfigurationInput, opts ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// TargetAPI is the S3 calls the step makes in the new account: the reads
// of SourceAPI and the writes. *s3.Client satisfies it.
type TargetAPI interface {
	SourceAPI
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, opts ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	DeleteBucket(ctx context.Context, in *s3.DeleteBucketInput, opts ...func(*s3.Options)) (*s3.DeleteBucketOutput, error)
	PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, opts ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, opts ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
	DeleteBucketPolicy(ctx context.Context, in *s3.DeleteBucketPolicyInput, opts ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error)
	PutBucketLifecycleConfiguration(ctx context.Context, in *s3.PutBucketLifecycleConfigurationInput, opts ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error)
	DeleteBucketLifecycle(ctx context.Context, in *s3.DeleteBucketLifecycleInput, opts ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error)
	PutBucketCors(ctx context.Context, in *s3.PutBucketCorsInput, opts ...func(*s3.Options)) (*s3.PutBucketCorsOutput, error)
	DeleteBucketCors(ctx context.Context, in *s3.DeleteBucketCorsInput, opts ...func(*s3.Options)) (*s3.DeleteBucketCorsOutput, error)
	PutBucketTagging(ctx context.Context, in *s3.PutBucketTaggingInput, opts ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error)
	DeleteBucketTagging(ctx context.Context, in *s3.DeleteBucketTaggingInput, opts ...func(*s3.Options)) (*s3.DeleteBucketTaggingOutput, error)
	PutBucketNotificationConfiguration(ctx context.Context, in *s3.PutBucketNotificationConfigurationInput, opts ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
}

// BucketConfig is what a bucket clone step needs.
type BucketConfig struct {
	// Name is the bucket in the old account; its name in the new one comes
	// from Mapping.Names and must differ (bucket names are global).
	Name string
	// Source reads the old account; Target reads and writes the new one.
	Source SourceAPI
	Target TargetAPI
	// Mapping is the plan's mapping table.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the new account, e.g. "acme-platform".
	TargetLabel string
	// Region is where the target bucket is created ("" or us-east-1: no
	// location constraint).
	Region string
	// ServerSideCopy copies objects with CopyObject, which needs the target
	// account's credentials to be allowed to read the source bucket (a
	// bucket policy granting it). Off, bodies stream through ferry.
	ServerSideCopy bool
	// Parallel bounds the objects in flight (DefaultParallel when 0).
	Parallel int
	// PageSize is ListObjectsV2's MaxKeys, and so how many keys a resume
	// record covers (DefaultPageSize when 0).
	PageSize int
	// MultipartAbove is the object size above which a streamed copy uploads
	// in parts (DefaultMultipartAbove when 0); PartSize is a part's size,
	// at least 5 MiB on AWS (DefaultPartSize when 0). Each object in flight
	// holds one part buffer.
	MultipartAbove, PartSize int64
	// Deps are steps to run first besides PreflightStep.
	Deps []string
}

// bucketStep clones one bucket. It keeps no state between calls: every
// method reads both accounts again.
type bucketStep struct {
	cfg    BucketConfig
	target string
}

// NewBucketStep returns the runbook step that clones one S3 bucket.
func NewBucketStep(cfg BucketConfig) runbook.Step {
	if cfg.TargetLabel == "" {
		cfg.TargetLabel = "the new account"
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MultipartAbove <= 0 {
		cfg.MultipartAbove = DefaultMultipartAbove
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = DefaultPartSize
	}
	return &bucketStep{cfg: cfg, target: rewrite.String(cfg.Mapping, cfg.Name)}
}

// ID is "aws/s3/<source bucket>".
func (s *bucketStep) ID() string { return "aws/s3/" + s.cfg.Name }

// Kind is "clone-s3".
func (s *bucketStep) Kind() string { return Kind }

// Title names the bucket, its new name and the target.
func (s *bucketStep) Title() string {
	return fmt.Sprintf("Clone S3 bucket %s to %s as %s", s.cfg.Name, s.cfg.TargetLabel, s.target)
}

// Deps is preflight and the configured extra steps.
func (s *bucketStep) Deps() []string {
	return append([]string{PreflightStep}, s.cfg.Deps...)
}

// Scope is runbook-wide: a bucket belongs to no one namespace.
func (s *bucketStep) Scope() (namespace, service string) { return "", "" }

// checkName refuses a mapping that leaves the bucket's name as it is: the
// name is taken, by the source bucket itself.
func (s *bucketStep) checkName() error {
	if s.target == s.cfg.Name {
		return s.fail("the mapping leaves its name unchanged, and bucket names are global: the source holds it; " +
			"add a bucket rename to the plan's mapping (e.g. acme-legacy-* -> acme-platform-*)")
	}
	return nil
}

// fail wraps an error with the bucket's name.
func (s *bucketStep) fail(format string, args ...any) error {
	return fmt.Errorf("clone bucket %s: "+format, append([]any{s.cfg.Name}, args...)...)
}
