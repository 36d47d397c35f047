package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// part is one piece of a bucket's configuration, held as canonical JSON
// text ("" when the bucket has none) so that both sides, the mapping, the
// plan's before/after and the undo records all handle it alike.
type part struct {
	name string
	// mapped parts may name accounts or resources and go through the
	// mapping; the others hold data (key prefixes, origins) and copy as is.
	mapped bool
	get    func(ctx context.Context, api SourceAPI, bucket string) (string, error)
	put    func(ctx context.Context, api TargetAPI, bucket, value string) error
	del    func(ctx context.Context, api TargetAPI, bucket string) error
}

// Part names, in the order they are planned and applied.
const (
	PartVersioning   = "versioning"
	PartPolicy       = "policy"
	PartLifecycle    = "lifecycle"
	PartCORS         = "cors"
	PartTags         = "tags"
	PartNotification = "notification"
)

var parts = []part{
	{name: PartVersioning, get: getVersioning, put: putVersioning, del: suspendVersioning},
	{name: PartPolicy, mapped: true, get: getPolicy, put: putPolicy, del: delPolicy},
	{name: PartLifecycle, get: getLifecycle, put: putLifecycle, del: delLifecycle},
	{name: PartCORS, get: getCORS, put: putCORS, del: delCORS},
	{name: PartTags, mapped: true, get: getTags, put: putTags, del: delTags},
	{name: PartNotification, mapped: true, get: getNotification, put: putNotification, del: delNotification},
}

// settings is a bucket's configuration by part name.
type settings map[string]string

// readSettings reads every part of bucket's configuration.
func readSettings(ctx context.Context, api SourceAPI, bucket string) (settings, error) {
	out := settings{}
	for _, p := range parts {
		v, err := p.get(ctx, api, bucket)
		if err != nil {
			return nil, fmt.Errorf("read the %s of %s: %w", p.name, bucket, err)
		}
		out[p.name] = v
	}
	return out, nil
}

// canonical is v as JSON with sorted keys, "" for nothing.
func canonical(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return "", err
	}
	b, err = json.Marshal(generic)
	return string(b), err
}

// errCode is an S3 error's code, "" for other errors.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// absent turns the "there is none" error codes into "".
func absent(err error, codes ...string) (string, error) {
	if slices.Contains(codes, errCode(err)) {
		return "", nil
	}
	return "", err
}

func getVersioning(ctx context.Context, api SourceAPI, bucket string) (string, error) {
	out, err := api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", err
	}
	return string(out.Status), nil
}

func putVersioning(ctx context.Context, api TargetAPI, bucket, v string) error {
	_, err := api.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatus(v)}})
	return err
}

// suspendVersioning is the nearest S3 allows to "no versioning": a bucket
// that was ever versioned can only be suspended.
func suspendVersioning(ctx context.Context, api TargetAPI, bucket string) error {
	return putVersioning(ctx, api, bucket, string(types.BucketVersioningStatusSuspended))
}

func getPolicy(ctx context.Context, api SourceAPI, bucket string) (string, error) {
	out, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		return absent(err, "NoSuchBucketPolicy")
	}
	var doc any
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
		return "", fmt.Errorf("the policy is not JSON: %w", err)
	}
	return canonical(doc)
}

func putPolicy(ctx context.Context, api TargetAPI, bucket, v string) error {
	_, err := api.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(v)})
	return err
}

func delPolicy(ctx context.Context, api TargetAPI, bucket string) error {
	_, err := api.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
	return err
}

func getLifecycle(ctx context.Context, api SourceAPI, bucket string) (string, error) {
	out, err := api.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return absent(err, "NoSuchLifecycleConfiguration")
	}
	if len(out.Rules) == 0 {
		return "", nil
	}
	return canonical(out.Rules)
}

func putLifecycle(ctx context.Context, api TargetAPI, bucket, v string) error {
	var rules []types.LifecycleRule
	if err := json.Unmarshal([]byte(v), &rules); err != nil {
		return err
	}
	_, err := api.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	return err
}

func delLifecycle(ctx context.Context, api TargetAPI, bucket string) error {
	_, err := api.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String(bucket)})
	return err
}

func getCORS(ctx context.Context, api SourceAPI, bucket string) (string, error) {
	out, err := api.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return absent(err, "NoSuchCORSConfiguration")
	}
	if len(out.CORSRules) == 0 {
		return "", nil
	}
	return canonical(out.CORSRules)
}

func putCORS(ctx context.Context, api TargetAPI, bucket, v string) error {
	var rules []types.CORSRule
	if err := json.Unmarshal([]byte(v), &rules); err != nil {
		return err
	}
	_, err := api.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	return err
}

func delCORS(ctx context.Context, api TargetAPI, bucket string) error {
	_, err := api.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(bucket)})
	return err
}

func getTags(ctx context.Context, api SourceAPI, bucket string) (string, error) {
	out, err := api.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if err != nil {
		return absent(err, "NoSuchTagSet", "NoSuchTagSetError")
	}
	if len(out.TagSet) == 0 {
		return "", nil
	}
	tags := map[string]string{}
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return canonical(tags)
}

func putTags(ctx context.Context, api TargetAPI, bucket, v string) error {
	var tags map[string]string
	if err := json.Unmarshal([]byte(v), &tags); err != nil {
		return err
	}
	in := &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{}}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.Tagging.TagSet = append(in.Tagging.TagSet, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	_, err := api.PutBucketTagging(ctx, in)
	return err
}

func delTags(ctx context.Context, api TargetAPI, bucket string) error {
	_, err := api.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(bucket)})
	return err
}

// notification is the part of GetBucketNotificationConfiguration's answer
// that PutBucketNotificationConfiguration takes back.
type notification struct {
	Topics      []types.TopicConfiguration          `json:",omitempty"`
	Queues      []types.QueueConfiguration          `json:",omitempty"`
	Lambdas     []types.LambdaFunctionConfiguration `json:",omitempty"`
	EventBridge *types.EventBridgeConfiguration     `json:",omitempty"`
}

func getNotification(ctx context.Context, api SourceAPI, bucket string) (string, error) {
	out, err := api.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", err
	}
	n := notification{out.TopicConfigurations, out.QueueConfigurations, out.LambdaFunctionConfigurations, out.EventBridgeConfiguration}
	if len(n.Topics)+len(n.Queues)+len(n.Lambdas) == 0 && n.EventBridge == nil {
		return "", nil
	}
	return canonical(n)
}

func putNotification(ctx context.Context, api TargetAPI, bucket, v string) error {
	var n notification
	if err := json.Unmarshal([]byte(v), &n); err != nil {
		return err
	}
	_, err := api.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{TopicConfigurations: n.Topics, QueueConfigurations: n.Queues,
			LambdaFunctionConfigurations: n.Lambdas, EventBridgeConfiguration: n.EventBridge}})
	return err
}

// delNotification puts an empty configuration: S3's way to remove one.
func delNotification(ctx context.Context, api TargetAPI, bucket string) error {
	_, err := api.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{}})
	return err
}
