package sqs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeSQS is one account's SQS in memory, answering as SQS does where the
// step can tell: FifoQueue only on FIFO queues, defaults filled in, a
// RedrivePolicy refused unless its dead-letter queue exists, CreateQueue
// of an existing name refused unless the attributes match. Every call is
// logged.
type fakeSQS struct {
	mu      sync.Mutex
	account string
	queues  map[string]*fakeQueue
	calls   clonetest.Calls
}

type fakeQueue struct {
	attrs, tags map[string]string
	messages    int
}

var defaults = map[string]string{"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600",
	"DelaySeconds": "0", "MaximumMessageSize": "262144", "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true"}

func newFakeSQS(account string) *fakeSQS {
	return &fakeSQS{account: account, queues: map[string]*fakeQueue{}}
}

// add puts a queue in place without logging a call.
func (f *fakeSQS) add(name string, attrs, tags map[string]string, messages int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := maps.Clone(defaults)
	maps.Copy(a, attrs)
	f.queues[name] = &fakeQueue{attrs: a, tags: maps.Clone(tags), messages: messages}
}

func (f *fakeSQS) url(name string) string {
	return "https://sqs.us-east-1.amazonaws.com/" + f.account + "/" + name
}

func (f *fakeSQS) arn(name string) string { return "arn:aws:sqs:us-east-1:" + f.account + ":" + name }

// log records a call and returns the queue a URL names.
func (f *fakeSQS) log(op, queueURL string, detail ...string) (string, *fakeQueue, error) {
	name := queueName(queueURL)
	f.calls.Add(strings.Join(append([]string{op, name}, detail...), " "))
	q, ok := f.queues[name]
	if queueURL != "" && (!ok || queueURL != f.url(name)) {
		return name, nil, &types.QueueDoesNotExist{Message: aws.String("no queue " + queueURL)}
	}
	return name, q, nil
}

// state is every queue's attributes and tags, for before/after checks.
func (f *fakeSQS) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(f.queues)) {
		q := f.queues[n]
		fmt.Fprintf(&b, "%s %v %v\n", n, q.attrs, q.tags)
	}
	return b.String()
}

func (f *fakeSQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.QueueName)
	f.calls.Add("GetQueueUrl " + name)
	if f.queues[name] == nil {
		return nil, &types.QueueDoesNotExist{Message: aws.String("no queue " + name)}
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(f.url(name))}, nil
}

func (f *fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, q, err := f.log("GetQueueAttributes", aws.ToString(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	all := maps.Clone(q.attrs)
	all["QueueArn"], all["ApproximateNumberOfMessages"] = f.arn(name), fmt.Sprint(q.messages)
	all["ApproximateNumberOfMessagesNotVisible"], all["ApproximateNumberOfMessagesDelayed"] = "0", "0"
	if slices.Contains(in.AttributeNames, types.QueueAttributeNameAll) {
		return &sqs.GetQueueAttributesOutput{Attributes: all}, nil
	}
	out := map[string]string{}
	for _, k := range in.AttributeNames {
		if v, ok := all[string(k)]; ok {
			out[string(k)] = v
		}
	}
	return &sqs.GetQueueAttributesOutput{Attributes: out}, nil
}

func (f *fakeSQS) ListQueueTags(_ context.Context, in *sqs.ListQueueTagsInput, _ ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, q, err := f.log("ListQueueTags", aws.ToString(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	return &sqs.ListQueueTagsOutput{Tags: maps.Clone(q.tags)}, nil
}

func (f *fakeSQS) ListQueues(_ context.Context, in *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Add("ListQueues")
	out := &sqs.ListQueuesOutput{}
	for _, n := range slices.Sorted(maps.Keys(f.queues)) {
		if strings.HasPrefix(n, aws.ToString(in.QueueNamePrefix)) {
			out.QueueUrls = append(out.QueueUrls, f.url(n))
		}
	}
	return out, nil
}

func (f *fakeSQS) CreateQueue(_ context.Context, in *sqs.CreateQueueInput, _ ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.QueueName)
	f.calls.Add("CreateQueue " + name)
	if err := f.valid(name, in.Attributes); err != nil {
		return nil, err
	}
	a := maps.Clone(defaults)
	maps.Copy(a, in.Attributes)
	if q := f.queues[name]; q != nil && !maps.Equal(q.attrs, a) {
		return nil, &types.QueueNameExists{Message: aws.String("queue " + name + " exists with other attributes")}
	}
	f.queues[name] = &fakeQueue{attrs: a, tags: maps.Clone(in.Tags)}
	return &sqs.CreateQueueOutput{QueueUrl: aws.String(f.url(name))}, nil
}

// valid refuses what SQS refuses: FIFO without .fifo, a missing DLQ.
func (f *fakeSQS) valid(name string, a map[string]string) error {
	if a["FifoQueue"] == "true" && !strings.HasSuffix(name, ".fifo") {
		return &types.InvalidAttributeValue{Message: aws.String("FIFO queue names end in .fifo")}
	}
	if dlq := redriveTarget(a["RedrivePolicy"]); dlq != "" &&
		(arnAccount(dlq) != f.account || f.queues[arnName(dlq)] == nil) {
		return &types.InvalidAttributeValue{Message: aws.String("dead-letter target does not exist: " + dlq)}
	}
	return nil
}

func (f *fakeSQS) SetQueueAttributes(_ context.Context, in *sqs.SetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, q, err := f.log("SetQueueAttributes", aws.ToString(in.QueueUrl), strings.Join(slices.Sorted(maps.Keys(in.Attributes)), ","))
	if err != nil {
		return nil, err
	}
	if err := f.valid(name, in.Attributes); err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if v == "" {
			delete(q.attrs, k)
		} else {
			q.attrs[k] = v
		}
	}
	return &sqs.SetQueueAttributesOutput{}, nil
}

func (f *fakeSQS) TagQueue(_ context.Context, in *sqs.TagQueueInput, _ ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, q, err := f.log("TagQueue", aws.ToString(in.QueueUrl), strings.Join(slices.Sorted(maps.Keys(in.Tags)), ","))
	if err != nil {
		return nil, err
	}
	if q.tags == nil {
		q.tags = map[string]string{}
	}
	maps.Copy(q.tags, in.Tags)
	return &sqs.TagQueueOutput{}, nil
}

func (f *fakeSQS) UntagQueue(_ context.Context, in *sqs.UntagQueueInput, _ ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, q, err := f.log("UntagQueue", aws.ToString(in.QueueUrl), strings.Join(in.TagKeys, ","))
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	return &sqs.UntagQueueOutput{}, nil
}

func (f *fakeSQS) DeleteQueue(_ context.Context, in *sqs.DeleteQueueInput, _ ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, _, err := f.log("DeleteQueue", aws.ToString(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	delete(f.queues, name)
	return &sqs.DeleteQueueOutput{}, nil
}

// memRecorder keeps undo records and progress in memory; Check, when set,
// runs at each Save, before the write the record describes.
type memRecorder = clonetest.Recorder[undoRecord]

var _ interface {
	Lister
	TargetAPI
} = (*fakeSQS)(nil)

// Both SDK clients must satisfy the consumer-side interfaces.
var (
	_ Lister    = (*sqs.Client)(nil)
	_ TargetAPI = (*sqs.Client)(nil)
)

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
