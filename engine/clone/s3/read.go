package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// view is the clone as read live: the source's configuration, the
// target's (when the bucket exists there) and what the target should hold.
type view struct {
	src, dst, want settings
	exists         bool // the target bucket exists
}

// read reads both buckets' configuration. The source must exist; a target
// name the new account cannot use (another account owns it) is refused.
func (s *bucketStep) read(ctx context.Context) (view, error) {
	if err := s.checkName(); err != nil {
		return view{}, err
	}
	if _, err := s.cfg.Source.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.cfg.Name)}); err != nil {
		if missingBucket(err) {
			return view{}, s.fail("no such bucket in the old account; check the source profile, or drop the bucket from the plan's resources")
		}
		return view{}, s.fail("read it in the old account: %w; check that the source profile may read it", err)
	}
	src, err := readSettings(ctx, s.cfg.Source, s.cfg.Name)
	if err != nil {
		return view{}, s.fail("old account: %w; check that the source profile may read the bucket's configuration", err)
	}
	v := view{src: src, want: wanted(s.cfg.Mapping, src), dst: settings{}}
	v.exists, err = s.targetExists(ctx)
	if err != nil || !v.exists {
		return v, err
	}
	if v.dst, err = readSettings(ctx, s.cfg.Target, s.target); err != nil {
		return v, s.fail("%s: %w; check that the target profile may read the bucket's configuration", s.cfg.TargetLabel, err)
	}
	return v, nil
}

// targetExists asks whether the mapped bucket exists and is the new
// account's: a 403 means another account owns the name.
func (s *bucketStep) targetExists(ctx context.Context) (bool, error) {
	_, err := s.cfg.Target.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.target)})
	switch {
	case err == nil:
		return true, nil
	case missingBucket(err):
		return false, nil
	case errCode(err) == "Forbidden" || errCode(err) == "AccessDenied" || errCode(err) == "403":
		return false, s.fail("bucket %s exists but %s may not read it: another account owns the name; map the bucket to another name",
			s.target, s.cfg.TargetLabel)
	default:
		return false, s.fail("read bucket %s on %s: %w; check the target profile", s.target, s.cfg.TargetLabel, err)
	}
}

// missingBucket is HeadBucket's 404 or any call's NoSuchBucket.
func missingBucket(err error) bool {
	switch errCode(err) {
	case "NotFound", "NoSuchBucket", "404":
		return true
	}
	return false
}

// wanted is the source's configuration as the target should hold it: the
// parts that may name accounts or resources go through the mapping.
func wanted(m rewrite.Mapping, src settings) settings {
	out := settings{}
	for _, p := range parts {
		v := src[p.name]
		if p.mapped {
			v = rewrite.String(m, v)
		}
		out[p.name] = v
	}
	return out
}

// differing is the parts whose target value is not the wanted one, in
// part order.
func (v view) differing() []part {
	var out []part
	for _, p := range parts {
		if v.want[p.name] != v.dst[p.name] {
			out = append(out, p)
		}
	}
	return out
}
