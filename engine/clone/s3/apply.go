package s3

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Apply creates the bucket on the target when it is absent (saving that it
// did first, so Rollback knows to delete it), replaces every configuration
// part that differs from the mapped source's (saving the prior value
// first), then copies the objects the target lacks. A second Apply finds
// everything as wanted and writes nothing.
func (s *bucketStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	v, err := s.read(ctx)
	if err != nil {
		return err
	}
	if !v.exists {
		if err := s.create(ctx, rec); err != nil {
			return err
		}
	}
	for _, p := range v.differing() {
		if err := s.save(rec, record{Kind: recordPart, Bucket: s.target, Part: p.name, Prior: v.dst[p.name]}); err != nil {
			return err
		}
		rec.Progress(runbook.Progress{Message: fmt.Sprintf("setting the %s of %s", p.name, s.target)})
		if err := s.setPart(ctx, p, v.want[p.name]); err != nil {
			return s.fail("set the %s of %s on %s: %w; plan again to see what is left to change", p.name, s.target, s.cfg.TargetLabel, err)
		}
	}
	return s.copyObjects(ctx, rec)
}

// create makes the target bucket.
func (s *bucketStep) create(ctx context.Context, rec runbook.Recorder) error {
	if err := s.save(rec, record{Kind: recordBucket, Bucket: s.target, Created: true}); err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Message: "creating bucket " + s.target})
	in := &s3.CreateBucketInput{Bucket: aws.String(s.target)}
	if s.cfg.Region != "" && s.cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(s.cfg.Region)}
	}
	_, err := s.cfg.Target.CreateBucket(ctx, in)
	if err != nil && errCode(err) != "BucketAlreadyOwnedByYou" {
		if errCode(err) == "BucketAlreadyExists" {
			return s.fail("create %s: another account owns that name; map the bucket to another name", s.target)
		}
		return s.fail("create %s on %s: %w; plan again to see what is there now", s.target, s.cfg.TargetLabel, err)
	}
	return nil
}

// setPart writes value as a part, or removes the part when value is "".
func (s *bucketStep) setPart(ctx context.Context, p part, value string) error {
	if value == "" {
		return p.del(ctx, s.cfg.Target, s.target)
	}
	return p.put(ctx, s.cfg.Target, s.target, value)
}
