package iam

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Attempts and first wait of createVersion, doubling up to 5s.
const (
	versionAttempts = 10
	versionBackoff  = 200 * time.Millisecond
)

// createVersion adds in's document to a managed policy as its default
// version, exactly once. CreatePolicyVersion is not idempotent: when an
// answer is lost after IAM wrote the version (a 5xx, a dropped
// connection), the SDK's own retry would add a second one, and IAM keeps
// only five. So each attempt goes alone, and after a failure the default
// version is read back: if it already holds the document, the write
// landed.
func (s *roleStep) createVersion(ctx context.Context, in *iam.CreatePolicyVersionInput) error {
	var err error
	for attempt := range versionAttempts {
		if attempt > 0 {
			t := time.NewTimer(min(versionBackoff<<(attempt-1), 5*time.Second))
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
		}
		_, err = s.cfg.Target.CreatePolicyVersion(ctx, in, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
		if err == nil {
			return nil
		}
		m, rerr := readManaged(ctx, s.cfg.Target, aws.ToString(in.PolicyArn))
		if rerr == nil && m.exists && sameDoc(m.doc, aws.ToString(in.PolicyDocument)) {
			return nil
		}
		if !retryable(err) {
			return err
		}
	}
	return err
}

// retryable is what the SDK's standard retryer retries: throttling, 5xx,
// lost connections.
func retryable(err error) bool {
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary ||
		retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}
