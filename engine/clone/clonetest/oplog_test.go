package clonetest

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// flaky answers every request without a network: the first with a 500,
// which the SDK's retryer sends again, the rest with an empty JSON body.
type flaky struct{ calls atomic.Int32 }

func (f *flaky) Do(*http.Request) (*http.Response, error) {
	status := http.StatusOK
	if f.calls.Add(1) == 1 {
		status = http.StatusInternalServerError
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(strings.NewReader("{}"))}, nil
}

// TestOpLogRecordsOperationsOnce makes clients from a recorded config and
// wants each operation once, however often the retryer sent it; Writes
// leaves the reads out and starts where it is told.
func TestOpLogRecordsOperationsOnce(t *testing.T) {
	t.Parallel()
	transport := &flaky{}
	base := aws.Config{Region: "us-east-1", HTTPClient: transport, RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	var log OpLog
	recorded, plain := sqs.NewFromConfig(log.Config(base)), sqs.NewFromConfig(base)
	must(t, firstErr(
		call(recorded.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("q")})),
		call(recorded.ListQueues(t.Context(), &sqs.ListQueuesInput{})),
		call(plain.DeleteQueue(t.Context(), &sqs.DeleteQueueInput{QueueUrl: aws.String("u")})),
		call(recorded.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String("u")})),
		call(recorded.TagQueue(t.Context(), &sqs.TagQueueInput{QueueUrl: aws.String("u"), Tags: map[string]string{"k": "v"}})),
	))
	if n := transport.calls.Load(); n != 6 {
		t.Fatalf("%d HTTP requests, want 6 (the first retried): the test would prove nothing about retries", n)
	}
	if n := log.Len(); n != 4 {
		t.Errorf("Len = %d, want the 4 operations of the recorded client, each once", n)
	}
	if w := log.Writes(0); !slices.Equal(w, []string{"CreateQueue", "TagQueue"}) {
		t.Errorf("Writes(0) = %q, want CreateQueue and TagQueue", w)
	}
	if w := log.Writes(1); !slices.Equal(w, []string{"TagQueue"}) {
		t.Errorf("Writes(1) = %q, want TagQueue", w)
	}
	if len(base.APIOptions) != 0 {
		t.Errorf("Config changed the config it was given: %d APIOptions", len(base.APIOptions))
	}
}

func TestIsRead(t *testing.T) {
	t.Parallel()
	for op, want := range map[string]bool{"GetQueueUrl": true, "ListRoles": true, "DescribeDBInstances": true,
		"HeadObject": true, "Scan": true, "Query": true, "BatchWriteItem": false, "CreateDBSnapshot": false, "ChangeResourceRecordSets": false, "PutParameter": false, "DeleteQueue": false} {
		if got := isRead(op); got != want {
			t.Errorf("isRead(%s) = %v, want %v", op, got, want)
		}
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	got := Lines(map[string]string{"role b": "2", "role a": "1"})
	if want := []string{"role a: 1", "role b: 2"}; !slices.Equal(got, want) {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

func call[T any](_ T, err error) error { return err }

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
