package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// undo is what Rollback restores, merged from the undo records: each
// attribute and tag as the oldest record that touched it saw it.
type undo struct {
	created   bool
	prior     map[string]string
	priorTags map[string]string
	removeTag []string
}

// Rollback undoes what Apply did, in the new account only: a queue the step
// created is deleted (refused while it holds messages, which would go
// with it); otherwise the attributes and tags Apply changed get their prior
// values back.
func (s *queueStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) error {
	if err := s.checkConfig(); err != nil {
		return err
	}
	u, err := s.merge(records)
	if err != nil {
		return err
	}
	cur, err := s.readTarget(ctx, s.target)
	if err != nil {
		return err
	}
	var msg string
	switch {
	case len(records) == 0:
		msg = fmt.Sprintf("nothing to undo for queue %s: no apply wrote to it", s.target)
	case !cur.exists() && u.created:
		msg = fmt.Sprintf("queue %s is already gone from %s", s.target, s.cfg.TargetLabel)
	case !cur.exists():
		return s.fail("queue %s, which existed before the clone, is gone from %s; recreate it by hand from the undo records", s.target, s.cfg.TargetLabel)
	case u.created:
		msg, err = s.delete(ctx, cur)
	default:
		msg, err = s.restore(ctx, cur, u)
	}
	if err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// merge reads the undo records oldest first. The oldest record holding an
// attribute or tag saw it before any apply; later ones saw the clone's own
// writes.
func (s *queueStep) merge(records []json.RawMessage) (undo, error) {
	u := undo{prior: map[string]string{}, priorTags: map[string]string{}}
	seenTag := map[string]bool{}
	for i, raw := range records {
		var r undoRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return u, s.fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		if r.Queue != s.target || r.Account != s.cfg.TargetAccount {
			return u, s.fail("undo record %d is for queue %s in account %s, not %s in %s; it was not written by this step",
				i+1, r.Queue, r.Account, s.target, s.cfg.TargetAccount)
		}
		if i == 0 {
			u.created = r.Created
		}
		for k, v := range r.Prior {
			if _, ok := u.prior[k]; !ok {
				u.prior[k] = v
			}
		}
		for k, v := range r.PriorTags {
			if !seenTag[k] {
				seenTag[k], u.priorTags[k] = true, v
			}
		}
		for _, k := range r.AddedTags {
			if !seenTag[k] {
				seenTag[k], u.removeTag = true, append(u.removeTag, k)
			}
		}
	}
	slices.Sort(u.removeTag)
	return u, nil
}

// delete removes a queue the clone created, unless it holds messages.
func (s *queueStep) delete(ctx context.Context, cur queue) (string, error) {
	if n := cur.held(); n > 0 {
		return "", s.fail("queue %s in %s holds %d messages that deleting it would destroy; drain or move them (or delete the queue by hand), then roll back again",
			s.target, s.cfg.TargetLabel, n)
	}
	if _, err := s.cfg.Target.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(cur.url)}); err != nil && !notExist(err) {
		return "", s.fail("delete queue %s, which the clone created, in %s: %w; delete it by hand or roll back again", s.target, s.cfg.TargetLabel, err)
	}
	return fmt.Sprintf("deleted queue %s in %s (SQS allows a queue of that name again after 60 seconds)", s.target, s.cfg.TargetLabel), nil
}

// restore puts back the attributes and tags the clone changed, writing
// only those that differ now.
func (s *queueStep) restore(ctx context.Context, cur queue, u undo) (string, error) {
	set := attrs{}
	for k, v := range u.prior {
		if !sameValue(k, v, cur.attrs[k]) && (v != "" || slices.Contains(clearable, k)) {
			set[k] = v
		}
	}
	tset := map[string]string{}
	for k, v := range u.priorTags {
		if old, ok := cur.tags[k]; !ok || old != v {
			tset[k] = v
		}
	}
	var untag []string
	for _, k := range u.removeTag {
		if _, ok := cur.tags[k]; ok {
			untag = append(untag, k)
		}
	}
	if len(set)+len(tset)+len(untag) == 0 {
		return fmt.Sprintf("queue %s in %s is already as before", s.target, s.cfg.TargetLabel), nil
	}
	if err := s.write(ctx, cur.url, set, tset, untag); err != nil {
		return "", s.fail("restore queue %s in %s: %w; roll back again, or restore it by hand from the undo records", s.target, s.cfg.TargetLabel, err)
	}
	return fmt.Sprintf("restored queue %s in %s: %s", s.target, s.cfg.TargetLabel, changed(set, tset, untag)), nil
}
