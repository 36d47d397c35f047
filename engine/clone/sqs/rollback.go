package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// undo is what Rollback restores, merged from the undo records: each
// attribute and tag as the oldest record that touched it saw it.
type undo struct {
	created bool
	prior   map[string]string
	tags    awsstep.TagUndo
}

// Rollback undoes what Apply did, in the new account only: a queue the step
// created is deleted (refused while it holds messages, which would go
// with it); otherwise the attributes and tags Apply changed get their prior
// values back.
func (s *queueStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) error {
	if err := s.CheckConfig(); err != nil {
		return err
	}
	u, err := s.merge(records)
	if err != nil {
		return err
	}
	cur, err := s.readTarget(ctx, s.NewName)
	if err != nil {
		return err
	}
	var msg string
	switch {
	case len(records) == 0:
		msg = fmt.Sprintf("nothing to undo for queue %s: no apply wrote to it", s.NewName)
	case !cur.exists() && u.created:
		msg = fmt.Sprintf("queue %s is already gone from %s", s.NewName, s.TargetLabel)
	case !cur.exists():
		return s.Fail("queue %s, which existed before the clone, is gone from %s; recreate it by hand from the undo records", s.NewName, s.TargetLabel)
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
	u := undo{prior: map[string]string{}}
	for i, raw := range records {
		var r undoRecord
		if err := s.ReadUndo(i, raw, &r); err != nil {
			return u, err
		}
		if i == 0 {
			u.created = r.Created
		}
		for k, v := range r.Prior {
			if _, ok := u.prior[k]; !ok {
				u.prior[k] = v
			}
		}
		u.tags.Add(r.PriorTags, r.AddedTags)
	}
	return u, nil
}

// delete removes a queue the clone created, unless it holds messages.
func (s *queueStep) delete(ctx context.Context, cur queue) (string, error) {
	if n := cur.held(); n > 0 {
		return "", s.Fail("queue %s in %s holds %d messages that deleting it would destroy; drain or move them (or delete the queue by hand), then roll back again",
			s.NewName, s.TargetLabel, n)
	}
	if _, err := s.cfg.Target.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(cur.url)}); err != nil && !notExist(err) {
		return "", s.Fail("delete queue %s, which the clone created, in %s: %w; delete it by hand or roll back again", s.NewName, s.TargetLabel, err)
	}
	return fmt.Sprintf("deleted queue %s in %s (SQS allows a queue of that name again after 60 seconds)", s.NewName, s.TargetLabel), nil
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
	tset, untag := u.tags.Restore(cur.tags)
	if len(set)+len(tset)+len(untag) == 0 {
		return fmt.Sprintf("queue %s in %s is already as before", s.NewName, s.TargetLabel), nil
	}
	if err := s.write(ctx, cur.url, set, tset, untag); err != nil {
		return "", s.Fail("restore queue %s in %s: %w; roll back again, or restore it by hand from the undo records", s.NewName, s.TargetLabel, err)
	}
	return fmt.Sprintf("restored queue %s in %s: %s", s.NewName, s.TargetLabel, changed(set, tset, untag)), nil
}
