package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Rollback undoes the clone in the new account only; it never calls the
// old one. When the clone created the bucket it deletes every object (and
// every version) in it, then the bucket. Otherwise it puts each
// configuration part back as it was before the first apply, and deletes
// the objects the clone wrote (the keys its intent records name) — an
// object the clone replaced is deleted, not restored: its prior body was
// never saved.
func (s *bucketStep) Rollback(ctx context.Context, undo []json.RawMessage, rec runbook.Recorder) error {
	if err := s.checkName(); err != nil {
		return err
	}
	recs, err := s.undoRecords(undo)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Kind == recordBucket && r.Created {
			return s.deleteBucket(ctx, rec)
		}
	}
	restored, err := s.restoreParts(ctx, recs)
	if err != nil {
		return err
	}
	deleted, err := s.deleteCopied(ctx, recs)
	if err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf(
		"bucket %s existed on %s before the clone and stays: restored %s; deleted %d object keys the clone wrote (replaced objects are not restored)",
		s.target, s.cfg.TargetLabel, listOr(restored, "no configuration"), deleted)})
	return nil
}

// undoRecords decodes the records, refusing any for another bucket.
func (s *bucketStep) undoRecords(undo []json.RawMessage) ([]record, error) {
	var out []record
	for i, raw := range undo {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, s.fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		if r.Bucket != s.target {
			return nil, s.fail("undo record %d names bucket %q, not %s; it was not written by this step", i+1, r.Bucket, s.target)
		}
		out = append(out, r)
	}
	return out, nil
}

// restoreParts puts back each part's value from its oldest record: the
// state before the first apply.
func (s *bucketStep) restoreParts(ctx context.Context, recs []record) ([]string, error) {
	seen := map[string]bool{}
	var restored []string
	for _, p := range parts {
		for _, r := range recs {
			if r.Kind != recordPart || r.Part != p.name || seen[p.name] {
				continue
			}
			seen[p.name] = true
			if err := s.setPart(ctx, p, r.Prior); err != nil {
				return nil, s.fail("restore the %s of %s on %s: %w; roll back again", p.name, s.target, s.cfg.TargetLabel, err)
			}
			restored = append(restored, p.name)
		}
	}
	return restored, nil
}

// deleteCopied deletes every key an intent record names.
func (s *bucketStep) deleteCopied(ctx context.Context, recs []record) (int, error) {
	n := 0
	for _, r := range recs {
		if r.Kind != recordIntent {
			continue
		}
		ids := make([]types.ObjectIdentifier, len(r.Keys))
		for i, k := range r.Keys {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		if err := s.deleteBatch(ctx, ids); err != nil {
			return n, err
		}
		n += len(ids)
	}
	return n, nil
}

// deleteBucket empties the bucket the clone created, versions included,
// and deletes it.
func (s *bucketStep) deleteBucket(ctx context.Context, rec runbook.Recorder) error {
	exists, err := s.targetExists(ctx)
	if err != nil {
		return err
	}
	if !exists {
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf("bucket %s is already gone from %s", s.target, s.cfg.TargetLabel)})
		return nil
	}
	n, err := s.emptyBucket(ctx)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Target.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(s.target)}); err != nil && !missingBucket(err) {
		return s.fail("delete bucket %s, which the clone created, on %s: %w; empty and delete it by hand or roll back again", s.target, s.cfg.TargetLabel, err)
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf(
		"deleted bucket %s, which the clone created, from %s, with its %d objects and versions", s.target, s.cfg.TargetLabel, n)})
	return nil
}

// emptyBucket deletes every version and delete marker. Each pass lists
// from the start and deletes what it got, so it does not depend on the
// listing's markers; a pass that finds what the last one deleted stops it.
func (s *bucketStep) emptyBucket(ctx context.Context) (int, error) {
	n, prev := 0, ""
	for {
		out, err := s.cfg.Target.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(s.target)})
		if err != nil {
			return n, s.fail("list the versions in %s on %s: %w; roll back again", s.target, s.cfg.TargetLabel, err)
		}
		var ids []types.ObjectIdentifier
		for _, v := range out.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range out.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			return n, nil
		}
		first := aws.ToString(ids[0].Key) + "@" + aws.ToString(ids[0].VersionId)
		if first == prev {
			return n, s.fail("%s on %s still holds %s after deleting it; empty and delete the bucket by hand", s.target, s.cfg.TargetLabel, first)
		}
		prev = first
		if err := s.deleteBatch(ctx, ids); err != nil {
			return n, err
		}
		n += len(ids)
	}
}

// deleteBatch deletes ids from the target bucket, 1,000 per call.
func (s *bucketStep) deleteBatch(ctx context.Context, ids []types.ObjectIdentifier) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 1000)]
		ids = ids[len(chunk):]
		out, err := s.cfg.Target.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(s.target),
			Delete: &types.Delete{Objects: chunk, Quiet: aws.Bool(true)}})
		if err == nil && len(out.Errors) > 0 {
			e := out.Errors[0]
			err = fmt.Errorf("%d keys failed, first %s: %s %s", len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		if err != nil {
			return s.fail("delete objects in %s on %s: %w; roll back again", s.target, s.cfg.TargetLabel, err)
		}
	}
	return nil
}

func listOr(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return "the " + strings.Join(names, ", ")
}
