package sqs

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// undoRecord is what Apply saves before a write, and all Rollback needs to
// undo it, in a later process too.
type undoRecord struct {
	// Queue is the queue's name in the new account, Account that account.
	Queue   string `json:"queue"`
	Account string `json:"account"`
	// Created says the write creates the queue: undone by deleting it.
	Created bool `json:"created,omitempty"`
	// Prior holds the attributes the write changes as they were ("" for
	// one that was unset); PriorTags the tags it changes or removes, and
	// AddedTags the keys it adds.
	Prior     map[string]string `json:"prior,omitempty"`
	PriorTags map[string]string `json:"priorTags,omitempty"`
	AddedTags []string          `json:"addedTags,omitempty"`
}

// UndoTarget is the queue and account the write went to.
func (u undoRecord) UndoTarget() (name, account string) { return u.Queue, u.Account }

// Apply creates the queue in the new account, or brings an existing one to
// the mapped source's attributes and tags, writing only what differs: a
// second Apply makes no write. An undo record is saved before each write.
// The source is only read.
func (s *queueStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	sd, err := s.read(ctx)
	if err != nil {
		return err
	}
	if err := s.needDLQ(ctx, sd); err != nil {
		return err
	}
	var msg string
	if sd.dst.exists() {
		msg, err = s.update(ctx, sd, rec)
	} else {
		msg, err = s.create(ctx, sd, rec)
	}
	if err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// needDLQ refuses to write a RedrivePolicy naming a dead-letter queue the
// new account does not have: SQS would refuse it too, less clearly.
func (s *queueStep) needDLQ(ctx context.Context, sd sides) error {
	arn := sd.want.dlq()
	if arn == "" {
		return nil
	}
	dlq, err := s.readTarget(ctx, arnName(arn))
	if err != nil {
		return err
	}
	if !dlq.exists() {
		return s.Fail("its dead-letter queue %s is not in %s yet; apply step %s first",
			arn, s.TargetLabel, StepID(arnName(sd.src.dlqARN())))
	}
	return nil
}

// create makes the queue with its attributes and tags in one call.
func (s *queueStep) create(ctx context.Context, sd sides, rec runbook.Recorder) (string, error) {
	if err := s.Save(rec, undoRecord{Queue: s.NewName, Account: s.TargetAccount, Created: true}); err != nil {
		return "", err
	}
	in := &sqs.CreateQueueInput{QueueName: aws.String(s.NewName), Attributes: maps.Clone(sd.want)}
	if len(sd.wantTags) > 0 {
		in.Tags = sd.wantTags
	}
	if _, err := s.cfg.Target.CreateQueue(ctx, in); err != nil {
		return "", s.Fail("create queue %s in %s: %w; fix what SQS says and apply again", s.NewName, s.TargetLabel, err)
	}
	return fmt.Sprintf("created queue %s in %s", s.NewName, s.TargetLabel), nil
}

// update writes the attributes and tags that differ, nothing if none do.
func (s *queueStep) update(ctx context.Context, sd sides, rec runbook.Recorder) (string, error) {
	set, immutable := diff(sd.want, sd.dst.attrs)
	if len(immutable) > 0 {
		return "", s.immutableErr(immutable)
	}
	tset, untag := awsstep.TagDiff(sd.wantTags, sd.dst.tags)
	if len(set)+len(tset)+len(untag) == 0 {
		return fmt.Sprintf("unchanged queue %s in %s", s.NewName, s.TargetLabel), nil
	}
	u := undoRecord{Queue: s.NewName, Account: s.TargetAccount, Prior: map[string]string{}}
	for k := range set {
		u.Prior[k] = sd.dst.attrs[k]
	}
	u.PriorTags, u.AddedTags = awsstep.PriorTags(sd.dst.tags, tset, untag)
	if err := s.Save(rec, u); err != nil {
		return "", err
	}
	if err := s.write(ctx, sd.dst.url, set, tset, untag); err != nil {
		return "", s.Fail("update queue %s in %s: %w; apply again, or roll back", s.NewName, s.TargetLabel, err)
	}
	return fmt.Sprintf("updated queue %s in %s: %s", s.NewName, s.TargetLabel, changed(set, tset, untag)), nil
}

// write sets attributes, then tags, then removes tags, skipping empty
// calls.
func (s *queueStep) write(ctx context.Context, url string, set attrs, tset map[string]string, untag []string) error {
	if len(set) > 0 {
		_, err := s.cfg.Target.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: set})
		if err != nil {
			return fmt.Errorf("set attributes: %w", err)
		}
	}
	if len(tset) > 0 {
		if _, err := s.cfg.Target.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: tset}); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	if len(untag) > 0 {
		if _, err := s.cfg.Target.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: untag}); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
	}
	return nil
}
