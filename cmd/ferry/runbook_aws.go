package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbsdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	sqssdk "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-dev/ferry/engine/clone/dynamodb"
	s3clone "github.com/ferry-dev/ferry/engine/clone/s3"
	"github.com/ferry-dev/ferry/engine/clone/sqs"
	"github.com/ferry-dev/ferry/engine/preflight"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// awsSteps are the clone steps of the plan's resources: the old account's
// queues and tables, read through the source profile, written through the
// target's.
func awsSteps(ctx context.Context, s *session, j *runbook.Journal) ([]runbook.Step, error) {
	var steps []runbook.Step
	res := s.plan.Resources
	if len(res.SQS) > 0 {
		qs, err := queueSteps(ctx, s)
		if err != nil {
			return nil, err
		}
		steps = append(steps, qs...)
	}
	src, dst := ddbsdk.NewFromConfig(s.source.AWS), ddbsdk.NewFromConfig(s.target.AWS)
	for _, name := range res.DynamoDB {
		id := "aws/dynamodb/" + name
		steps = append(steps, dynamodb.NewTableStep(dynamodb.TableConfig{
			Name: name, Source: src, Target: dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
			Saved: dynamodb.FromJournal(j, id),
		}))
	}
	s3src, s3dst := s3Client(s.source.AWS), s3Client(s.target.AWS)
	for _, name := range res.S3 {
		id := "aws/s3/" + name
		steps = append(steps, s3clone.NewBucketStep(s3clone.BucketConfig{
			Name: name, Source: s3src, Target: s3dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
			Region: s.plan.Target.AWS.Region, ServerSideCopy: true, Saved: s3clone.FromJournal(j, id),
		}))
	}
	return steps, nil
}

// s3Client addresses buckets by path when the profile names an endpoint
// (an emulator or a VPC endpoint), where bucket subdomains do not resolve.
func s3Client(cfg aws.Config) *s3sdk.Client {
	return s3sdk.NewFromConfig(cfg, func(o *s3sdk.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}

// queueSteps clones the named queues, each dead-letter queue first (and
// added when a named queue redrives to one the plan does not name).
func queueSteps(ctx context.Context, s *session) ([]runbook.Step, error) {
	src, dst := sqssdk.NewFromConfig(s.source.AWS), sqssdk.NewFromConfig(s.target.AWS)
	base := sqs.QueueConfig{Source: src, Target: dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
		SourceAccount: s.plan.Source.AWS.Account, TargetAccount: s.plan.Target.AWS.Account,
		Region: s.plan.Target.AWS.Region, Deps: []string{preflight.ID}}
	all, err := sqs.Discover(ctx, src, "", base)
	if err != nil {
		return nil, fmt.Errorf("list the queues of %s (resources.sqs): %w", s.plan.Source.AWS.Account, err)
	}
	want := map[string]bool{}
	for _, n := range s.plan.Resources.SQS {
		want[n] = true
	}
	found := map[string]bool{}
	// Keep the named queues and every dead-letter queue they need.
	for i := len(all) - 1; i >= 0; i-- {
		if !want[all[i].Name] {
			continue
		}
		found[all[i].Name] = true
		for _, d := range all[i].Deps {
			want[strings.TrimPrefix(d, "aws/sqs/")] = true
		}
	}
	var steps []runbook.Step
	for _, c := range all {
		if want[c.Name] {
			steps = append(steps, sqs.NewQueueStep(c))
		}
	}
	var missing []string
	for _, n := range s.plan.Resources.SQS {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("resources.sqs: no queue %s in account %s; fix the plan's names", strings.Join(missing, ", "), s.plan.Source.AWS.Account)
	}
	return steps, nil
}
