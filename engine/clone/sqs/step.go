// Package sqs holds the runbook step that clones one SQS queue from the old
// AWS account into the new one. The queue's configuration moves — FIFO-ness,
// timeouts, retention, delay, size, the access policy, the redrive policies
// and tags, every ARN and account id in them passed through the plan's
// mapping — but its messages do not: the step says so and shows the depth
// on both sides. A dead-letter queue is a step of its own that the queue
// redriving to it depends on (Discover orders them).
//
// The old account is only ever read: the source client's type (SourceAPI)
// has no method that writes.
package sqs

import (
	"cmp"
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of a queue clone.
const Kind = "clone-sqs"

// ChangeKind is the Kind of the queue's Change in a change set.
const ChangeKind = "AWS::SQS::Queue"

// SourceAPI is the part of SQS the step reads in the old account. The real
// *sqs.Client satisfies it; nothing in it writes.
type SourceAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error)
}

// TargetAPI is the part of SQS the step calls in the new account: the
// reads, and the writes Apply and Rollback make. The real *sqs.Client
// satisfies it.
type TargetAPI interface {
	SourceAPI
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	TagQueue(ctx context.Context, in *sqs.TagQueueInput, opts ...func(*sqs.Options)) (*sqs.TagQueueOutput, error)
	UntagQueue(ctx context.Context, in *sqs.UntagQueueInput, opts ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error)
	DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, opts ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error)
}

// QueueConfig is what a queue clone step needs.
type QueueConfig struct {
	// Name is the queue's name in the old account. Its name in the new one
	// is Name through the mapping (a rename rule, an account id in it).
	Name string
	// Source reads the old account; Target reads and writes the new one.
	Source SourceAPI
	Target TargetAPI
	// Mapping is the plan's mapping table.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids. No target
	// attribute may hold SourceAccount (nor any old account of the
	// mapping), and the step writes only to queues whose ARN is in
	// TargetAccount.
	SourceAccount, TargetAccount string
	// Region is where both queues live.
	Region string
	// Deps are steps to run first, e.g. preflight and, for a queue with a
	// dead-letter queue, StepID(dlq) (Discover sets that one).
	Deps []string
	// Namespace and Service scope the step to the service that uses the
	// queue, for runbook filters; empty means runbook-wide.
	Namespace, Service string
}

// queueStep clones one queue. It keeps no state between calls: every
// method reads both accounts again. Its Step holds cfg's names, target
// label and accounts, the defaults filled in; cfg the rest.
type queueStep struct {
	awsstep.Step
	cfg QueueConfig
}

// NewQueueStep returns the runbook step that clones one queue.
func NewQueueStep(cfg QueueConfig) runbook.Step {
	return &queueStep{cfg: cfg, Step: awsstep.Step{StepID: StepID(cfg.Name), StepKind: Kind, HaveClients: cfg.Source != nil && cfg.Target != nil,
		Verb: "Clone", Noun: "SQS queue", Resource: "queue", API: "SQS",
		OldName: cfg.Name, NewName: rewrite.String(cfg.Mapping, cfg.Name), TargetLabel: cmp.Or(cfg.TargetLabel, "target"),
		SourceAccount: cfg.SourceAccount, TargetAccount: cfg.TargetAccount, Mapping: cfg.Mapping,
		Needs: cfg.Deps, Namespace: cfg.Namespace, Service: cfg.Service}}
}

// StepID is the ID of the step that clones the source queue name:
// "aws/sqs/<name>".
func StepID(name string) string { return "aws/sqs/" + name }
