package sqs

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

var mappingCases = []struct{ in, want string }{
	{"orders-fulfillment", "orders-fulfillment"},
	{"legacy-jobs.fifo", "platform-jobs.fifo"},
	{"legacy-jobs-111111111111", "platform-jobs-222222222222"}, // rename, then account, as in rewrite
	{"arn:aws:sqs:us-east-1:111111111111:orders-fulfillment-dlq", "arn:aws:sqs:us-east-1:222222222222:orders-fulfillment-dlq"},
	{"https://sqs.us-east-1.amazonaws.com/111111111111/legacy-jobs", "https://sqs.us-east-1.amazonaws.com/222222222222/platform-jobs"},
	{`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:legacy-dlq","maxReceiveCount":5}`,
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:222222222222:platform-dlq","maxReceiveCount":5}`},
	{`{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:111111111111:a","arn:aws:sqs:us-east-1:333333333333:b"]}`,
		`{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:222222222222:a","arn:aws:sqs:us-east-1:333333333333:b"]}`},
	{`{"Statement":[{"Principal":{"AWS":"111111111111"},"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111111111111:t"}}}]}`,
		`{"Statement":[{"Principal":{"AWS":"222222222222"},"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:222222222222:t"}}}]}`},
	{"1111111111112 and 0111111111111", "1111111111112 and 0111111111111"}, // longer numbers are not accounts
	{"arn:aws:kms:us-east-1:111111111111:key/1234", "arn:aws:kms:us-east-1:222222222222:key/1234"},
}

func TestMapString(t *testing.T) {
	t.Parallel()
	for _, tt := range mappingCases {
		if got := rewrite.String(testMapping, tt.in); got != tt.want {
			t.Errorf("mapString(%s) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}

// TestMapStringAgreesWithRewrite holds this package's rewriter to
// engine/rewrite's: a queue URL in a ConfigMap on the target and the queue
// this step creates must get the same name.
func TestMapStringAgreesWithRewrite(t *testing.T) {
	t.Parallel()
	data := map[string]any{}
	for i, tt := range mappingCases {
		data[string(rune('a'+i))] = tt.in
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "x", "namespace": "y"}, "data": data}}
	out, _, _ := unstructured.NestedStringMap(rewrite.ApplyToSource(testMapping, cm).Object, "data")
	for i, tt := range mappingCases {
		if got, theirs := rewrite.String(testMapping, tt.in), out[string(rune('a'+i))]; got != theirs {
			t.Errorf("%s: mapString %s, rewrite %s", tt.in, got, theirs)
		}
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		k, a, b string
		same    bool
	}{
		{attrRedrive, `{"maxReceiveCount":"5","deadLetterTargetArn":"x"}`, `{"deadLetterTargetArn": "x", "maxReceiveCount": 5}`, true},
		{attrRedrive, `{"maxReceiveCount":"5","deadLetterTargetArn":"x"}`, `{"deadLetterTargetArn":"x","maxReceiveCount":6}`, false},
		{attrPolicy, `{"b":1, "a":[2,1]}`, `{"a":[2,1],"b":1}`, true},
		{attrPolicy, `{"a":[1,2]}`, `{"a":[2,1]}`, false},
		{attrRedrive, `not json`, `not json `, false},
		{"VisibilityTimeout", "30", "30", true},
		{attrPolicy, "", "{}", false},
	} {
		if got := sameValue(tt.k, tt.a, tt.b); got != tt.same {
			t.Errorf("sameValue(%s, %s, %s) = %v", tt.k, tt.a, tt.b, got)
		}
	}
}
