package sqs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// sides is the clone as read live: both queues, and what the target
// should hold.
type sides struct {
	src, dst queue
	want     attrs
	wantTags map[string]string
}

// read reads the source queue and the target queue. The source must exist;
// a target queue outside the target account is refused.
func (s *queueStep) read(ctx context.Context) (sides, error) {
	if err := s.CheckConfig(); err != nil {
		return sides{}, err
	}
	src, err := readQueue(ctx, s.cfg.Source, s.cfg.Name)
	if err != nil {
		return sides{}, s.Fail("old account %s: %w; check that the source profile can read SQS there", s.SourceAccount, err)
	}
	if !src.exists() {
		return sides{}, s.Fail("no such queue in the old account %s; check the source profile, or drop the queue from the plan's resources",
			s.SourceAccount)
	}
	dst, err := s.readTarget(ctx, s.NewName)
	if err != nil {
		return sides{}, err
	}
	return sides{src: src, dst: dst, want: wanted(s.Mapping, src.attrs),
		wantTags: awsstep.MapTags(s.Mapping, src.tags)}, nil
}

// readTarget reads a queue in the new account and checks that it is there:
// a client pointed at the wrong account must never be written through.
func (s *queueStep) readTarget(ctx context.Context, name string) (queue, error) {
	q, err := readQueue(ctx, s.cfg.Target, name)
	if err != nil {
		return q, s.Fail("%s (account %s): %w; check that the target profile can read SQS there", s.TargetLabel, s.TargetAccount, err)
	}
	if !q.exists() {
		return q, nil
	}
	if acct := arnAccount(q.arn()); acct != s.TargetAccount {
		return q, s.Fail("queue %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			name, acct, s.TargetAccount)
	}
	if region := arnRegion(q.arn()); s.cfg.Region != "" && region != s.cfg.Region {
		return q, s.Fail("queue %s on the target side is in region %q, not the plan's %s; check the target profile's region",
			name, region, s.cfg.Region)
	}
	return q, nil
}

// Plan compares the mapped source queue with the target queue: create when
// the target has none, update when an attribute or tag differs, none
// otherwise. Notes say that messages do not move, with both sides' depth.
func (s *queueStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	ch := runbook.Change{Kind: ChangeKind, Name: s.NewName, After: render(s.NewName, sd.want, sd.wantTags)}
	cs := runbook.ChangeSet{Step: s.ID()}
	set, immutable := diff(sd.want, sd.dst.attrs)
	tset, untag := awsstep.TagDiff(sd.wantTags, sd.dst.tags)
	switch {
	case !sd.dst.exists():
		ch.Op = runbook.OpCreate
	case len(immutable) > 0:
		return cs, s.immutableErr(immutable)
	case len(set)+len(tset)+len(untag) == 0:
		ch.Op = runbook.OpNone
	default:
		ch.Op = runbook.OpUpdate
		ch.Before = render(s.NewName, sd.dst.attrs, sd.dst.tags)
		cs.Notes = append(cs.Notes, fmt.Sprintf("update %s: %s", s.NewName, changed(set, tset, untag)))
	}
	cs.Changes = []runbook.Change{ch}
	notes, err := s.notes(ctx, sd)
	cs.Notes = append(cs.Notes, notes...)
	return cs, err
}

// immutableErr explains a target queue whose FIFO-ness differs.
func (s *queueStep) immutableErr(names []string) error {
	return s.Fail("queue %s already exists in %s with a different %s, which SQS cannot change; delete it there or rename the queue in the plan's mapping",
		s.NewName, s.TargetLabel, strings.Join(names, ", "))
}

// changed names what an update changes: attributes, tags set (+) and
// removed (-).
func changed(set attrs, tset map[string]string, untag []string) string {
	var parts []string
	if len(set) > 0 {
		parts = append(parts, "attributes "+strings.Join(slices.Sorted(maps.Keys(set)), ", "))
	}
	var tags []string
	for _, k := range slices.Sorted(maps.Keys(tset)) {
		tags = append(tags, "+"+k)
	}
	for _, k := range untag {
		tags = append(tags, "-"+k)
	}
	if len(tags) > 0 {
		parts = append(parts, "tags "+strings.Join(tags, " "))
	}
	return strings.Join(parts, "; ")
}

// notes are what the operator should know: messages stay where they are,
// the dead-letter queue must come first, a KMS key is not cloned.
func (s *queueStep) notes(ctx context.Context, sd sides) ([]string, error) {
	srcDLQ, dstDLQ, err := s.deadLetters(ctx, sd)
	if err != nil {
		return nil, err
	}
	notes := []string{depthNote(sd, srcDLQ, dstDLQ)}
	if arn := sd.want.dlq(); arn != "" && !dstDLQ.exists() {
		notes = append(notes, fmt.Sprintf("dead-letter queue %s is not in %s yet: step %s creates it and must be applied first",
			arn, s.TargetLabel, StepID(srcDLQ.name)))
	}
	if key := sd.want[attrKMS]; key != "" && !strings.HasPrefix(key, "alias/aws/") {
		notes = append(notes, fmt.Sprintf("KMS key %s is not cloned: it must exist in account %s, with a policy letting SQS use it, before apply",
			key, s.TargetAccount))
	}
	return notes, nil
}

// deadLetters reads the source queue's dead-letter queue and the target's
// (by the mapped ARN); both are empty queues when there is none.
func (s *queueStep) deadLetters(ctx context.Context, sd sides) (src, dst queue, err error) {
	if arn := sd.src.dlqARN(); arn != "" {
		if src, err = readQueue(ctx, s.cfg.Source, arnName(arn)); err != nil {
			return src, dst, s.Fail("old account %s: dead-letter queue: %w; check that the source profile can read SQS there", s.SourceAccount, err)
		}
		src.name = arnName(arn)
	}
	if arn := sd.want.dlq(); arn != "" {
		dst, err = s.readTarget(ctx, arnName(arn))
	}
	return src, dst, err
}

// dlq is the dead-letter queue ARN of a RedrivePolicy among a, "" if none.
func (a attrs) dlq() string { return redriveTarget(a[attrRedrive]) }

// depthNote says messages do not move, with both sides' depth (and their
// dead-letter queues').
func depthNote(sd sides, srcDLQ, dstDLQ queue) string {
	src, dst := sd.src.depthText(), sd.dst.depthText()
	if sd.src.dlqARN() != "" {
		src += " (DLQ " + srcDLQ.depthText() + ")"
		dst += " (DLQ " + dstDLQ.depthText() + ")"
	}
	note := fmt.Sprintf("messages do not move: source depth %s, target depth %s", src, dst)
	if !sd.dst.exists() {
		note += "; the target queue does not exist yet"
	}
	return note
}
