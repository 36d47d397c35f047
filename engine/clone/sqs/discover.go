package sqs

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Lister is SourceAPI and ListQueues, for Discover. The real *sqs.Client
// satisfies it.
type Lister interface {
	SourceAPI
	ListQueues(ctx context.Context, in *sqs.ListQueuesInput, opts ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error)
}

// Discover lists the old account's queues whose names start with prefix
// ("" for all) and returns one QueueConfig per queue: base with Name set
// and, for a queue that redrives to a dead-letter queue, StepID of that
// queue added to Deps. A dead-letter queue outside the prefix is included
// all the same, since its queue cannot be cloned without it. Dead-letter
// queues come before the queues redriving to them; otherwise names sort.
func Discover(ctx context.Context, source Lister, prefix string, base QueueConfig) ([]QueueConfig, error) {
	names, err := listQueues(ctx, source, prefix)
	if err != nil {
		return nil, err
	}
	dlqOf := map[string]string{}
	for i := 0; i < len(names); i++ { // names grows while DLQs are found
		dlq, err := deadLetterOf(ctx, source, names[i])
		if err != nil {
			return nil, err
		}
		dlqOf[names[i]] = dlq
		if dlq != "" && !slices.Contains(names, dlq) {
			names = append(names, dlq)
		}
	}
	slices.Sort(names)
	var out []QueueConfig
	done := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if done[name] {
			return
		}
		done[name] = true
		cfg := base
		cfg.Name, cfg.Deps = name, slices.Clone(base.Deps)
		if dlq := dlqOf[name]; dlq != "" && dlq != name {
			visit(dlq)
			cfg.Deps = append(cfg.Deps, StepID(dlq))
		}
		out = append(out, cfg)
	}
	for _, n := range names {
		visit(n)
	}
	return out, nil
}

// listQueues is every queue name with the prefix, page by page.
func listQueues(ctx context.Context, source Lister, prefix string) ([]string, error) {
	in := &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)}
	if prefix != "" {
		in.QueueNamePrefix = aws.String(prefix)
	}
	var names []string
	for {
		out, err := source.ListQueues(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list SQS queues in the old account: %w; check the source profile's access", err)
		}
		for _, u := range out.QueueUrls {
			names = append(names, queueName(u))
		}
		if aws.ToString(out.NextToken) == "" {
			return names, nil
		}
		in.NextToken = out.NextToken
	}
}

// queueName is the last path element of a queue URL.
func queueName(queueURL string) string {
	if u, err := url.Parse(queueURL); err == nil && u.Path != "" {
		return path.Base(u.Path)
	}
	return path.Base(queueURL)
}

// deadLetterOf is the name of the queue name redrives to, "" if none.
func deadLetterOf(ctx context.Context, source SourceAPI, name string) (string, error) {
	u, err := source.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if notExist(err) {
		return "", fmt.Errorf("queue %s does not exist in the old account, yet a redrive policy names it as a dead-letter queue; fix that policy, then discover again", name)
	}
	if err != nil {
		return "", fmt.Errorf("look up queue %s in the old account: %w; check the source profile's access", name, err)
	}
	a, err := source.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameRedrivePolicy}})
	if err != nil {
		return "", fmt.Errorf("read the redrive policy of queue %s in the old account: %w; check the source profile's access", name, err)
	}
	return arnName(redriveTarget(a.Attributes[attrRedrive])), nil
}

// Select keeps, from Discover's configs, the named queues and every
// dead-letter queue they redrive to (named or not), in Discover's order;
// missing are the names Discover did not find.
func Select(all []QueueConfig, names []string) (selected []QueueConfig, missing []string) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	needed := map[string]bool{}
	// Dead-letter queues come first, so walking backwards meets each
	// queue before the DLQ it needs.
	for i := len(all) - 1; i >= 0; i-- {
		if !want[all[i].Name] && !needed[StepID(all[i].Name)] {
			continue
		}
		needed[StepID(all[i].Name)] = true
		for _, d := range all[i].Deps {
			needed[d] = true
		}
	}
	found := map[string]bool{}
	for _, c := range all {
		if needed[StepID(c.Name)] {
			selected = append(selected, c)
			found[c.Name] = true
		}
	}
	for _, n := range names {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	return selected, missing
}
