package sqs

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckExists     = "queue exists"
	CheckAttributes = "attributes match"
	CheckRedrive    = "redrive to the new DLQ"
	CheckAccounts   = "no old-account ids"
	CheckDepth      = "depth (information)"
)

// Verify checks the queue in the new account: it exists; its attributes and
// tags equal the mapped source's; its RedrivePolicy names the new account's
// dead-letter queue by the ARN that queue really has; no attribute or tag
// holds an old account id. A last check, always passing, shows the depth
// of both sides.
func (s *queueStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	srcDLQ, dstDLQ, err := s.deadLetters(ctx, sd)
	if err != nil {
		return nil, err
	}
	depth := runbook.Check{Name: CheckDepth, OK: true, Evidence: depthNote(sd, srcDLQ, dstDLQ)}
	if !sd.dst.exists() {
		return append(s.Missing(CheckExists, CheckAttributes, CheckRedrive, CheckAccounts), depth), nil
	}
	return []runbook.Check{s.Found(CheckExists, sd.dst.arn()), attributesCheck(sd), s.redriveCheck(sd, dstDLQ), s.accountsCheck(sd.dst), depth}, nil
}

// attributesCheck lists every attribute and tag that differs from the
// mapped source's.
func attributesCheck(sd sides) runbook.Check {
	set, immutable := diff(sd.want, sd.dst.attrs)
	var lines []string
	for _, k := range append(immutable, slices.Sorted(maps.Keys(set))...) {
		lines = append(lines, fmt.Sprintf("%s: want %s, have %s", k, shown(sd.want[k]), shown(sd.dst.attrs[k])))
	}
	tset, untag := awsstep.TagDiff(sd.wantTags, sd.dst.tags)
	for _, k := range slices.Sorted(maps.Keys(tset)) {
		lines = append(lines, fmt.Sprintf("tag %s: want %s, have %s", k, shown(tset[k]), shown(sd.dst.tags[k])))
	}
	for _, k := range untag {
		lines = append(lines, fmt.Sprintf("tag %s: want none, have %s", k, shown(sd.dst.tags[k])))
	}
	return awsstep.Check(CheckAttributes, lines, fmt.Sprintf("%d attributes and %d tags equal the mapped source's", len(sd.want), len(sd.wantTags)))
}

func shown(v string) string {
	if v == "" {
		return "(unset)"
	}
	return canonical(v)
}

// redriveCheck compares the target's dead-letter ARN with the ARN of the
// new account's dead-letter queue as SQS reports it.
func (s *queueStep) redriveCheck(sd sides, dstDLQ queue) runbook.Check {
	c := runbook.Check{Name: CheckRedrive}
	want, have := sd.want.dlq(), sd.dst.dlqARN()
	switch {
	case want == "" && have == "":
		c.OK, c.Evidence = true, "no dead-letter queue on either side"
	case want == "":
		c.Evidence = fmt.Sprintf("redrives to %s, but the source queue has no dead-letter queue", have)
	case !dstDLQ.exists():
		c.Evidence = fmt.Sprintf("dead-letter queue %s does not exist in %s; apply step %s", arnName(want), s.TargetLabel,
			StepID(arnName(sd.src.dlqARN())))
	case have != dstDLQ.arn() || arnAccount(have) != s.TargetAccount:
		c.Evidence = fmt.Sprintf("redrives to %s, want %s (the dead-letter queue in account %s)", shown(have), dstDLQ.arn(), s.TargetAccount)
	default:
		c.OK, c.Evidence = true, fmt.Sprintf("redrives to %s in account %s, as SQS names that queue", have, s.TargetAccount)
	}
	return c
}

// accountsCheck scans every attribute and tag of the target queue for old
// account ids, naming where each one is.
func (s *queueStep) accountsCheck(q queue) runbook.Check {
	f := s.Findings()
	f.Scan("queue URL", q.url)
	for _, k := range slices.Sorted(maps.Keys(q.all)) {
		f.Scan("attribute "+k, q.all[k])
	}
	for _, k := range slices.Sorted(maps.Keys(q.tags)) {
		f.Scan("tag "+k, q.tags[k])
	}
	return f.Check(CheckAccounts, fmt.Sprintf("the URL, %d attributes or %d tags", len(q.all), len(q.tags)))
}
