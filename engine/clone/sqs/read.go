package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// queue is one queue as read live; url is "" when it does not exist.
type queue struct {
	name  string
	url   string
	all   map[string]string // every attribute SQS returned
	attrs attrs             // the copied ones, normalized
	tags  map[string]string
}

func (q queue) exists() bool { return q.url != "" }

func (q queue) arn() string { return q.all[attrArn] }

// depth is the number of messages waiting, or -1 when unknown.
func (q queue) depth() int {
	n, err := strconv.Atoi(q.all[attrDepth])
	if err != nil {
		return -1
	}
	return n
}

// held counts every message the queue holds: waiting, in flight, delayed.
func (q queue) held() int {
	total := 0
	for _, k := range []string{attrDepth, attrInFlight, attrDelayed} {
		n, _ := strconv.Atoi(q.all[k])
		total += n
	}
	return total
}

// depthText is the depth for people: "3", or "unknown"; a queue that does
// not exist holds no messages.
func (q queue) depthText() string {
	switch {
	case !q.exists():
		return "0"
	case q.depth() < 0:
		return "unknown"
	}
	return strconv.Itoa(q.depth())
}

// dlqARN is the dead-letter queue the queue redrives to, "" when none.
func (q queue) dlqARN() string { return redriveTarget(q.attrs[attrRedrive]) }

// redriveTarget is a RedrivePolicy's deadLetterTargetArn.
func redriveTarget(policy string) string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if policy == "" || json.Unmarshal([]byte(policy), &p) != nil {
		return ""
	}
	return p.DeadLetterTargetArn
}

// readQueue reads a queue's attributes and tags; a queue that does not
// exist is no error.
func readQueue(ctx context.Context, api SourceAPI, name string) (queue, error) {
	q := queue{name: name}
	u, err := api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if notExist(err) {
		return q, nil
	}
	if err != nil {
		return q, fmt.Errorf("look up queue %s: %w", name, err)
	}
	q.url = aws.ToString(u.QueueUrl)
	a, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if notExist(err) {
		return queue{name: name}, nil
	}
	if err != nil {
		return q, fmt.Errorf("read the attributes of queue %s: %w", name, err)
	}
	q.all, q.attrs = a.Attributes, normalize(a.Attributes)
	t, err := api.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: u.QueueUrl})
	if err != nil {
		return q, fmt.Errorf("read the tags of queue %s: %w", name, err)
	}
	q.tags = t.Tags
	if q.tags == nil {
		q.tags = map[string]string{}
	}
	return q, nil
}

// notExist reports whether err says the queue does not exist. SQS's JSON
// protocol answers QueueDoesNotExist; its query protocol (and emulators
// that copy it) AWS.SimpleQueueService.NonExistentQueue.
func notExist(err error) bool {
	if err == nil {
		return false
	}
	if errors.As(err, new(*types.QueueDoesNotExist)) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue":
			return true
		}
	}
	return false
}
