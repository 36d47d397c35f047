package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// TestAWSFaultsRetried turns faults on for the running old account: SDK
// calls keep succeeding through the standard retryer while the endpoint
// counts throttles and 5xx it injected; off again, nothing is injected;
// a latency delays every call.
func TestAWSFaultsRetried(t *testing.T) {
	env := sandboxtest.Isolated(t)
	cfg := env.SB.Config()
	source := sandboxtest.Side(t, "source")
	ctx := t.Context()
	before, err := cfg.SetAWSFaults(ctx, source, sandbox.AWSFaults{Throttle: 0.2, Error5xx: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := cfg.SetAWSFaults(context.Background(), source, sandbox.AWSFaults{}); err != nil {
			t.Errorf("turn faults off: %v", err)
		}
	})

	// The standard retryer's classification with shorter waits: 10
	// attempts at 30% faults fail a call once in 170,000.
	awsCfg := env.AWS(t, "source")
	awsCfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.MaxBackoff = 50 * time.Millisecond
		})
	}
	ddb, r53 := dynamodb.NewFromConfig(awsCfg), route53.NewFromConfig(awsCfg)
	var now sandbox.AWSFaultCounts
	calls := 0
	for ; calls < 200 && (now.Throttle-before.Throttle < 2 || now.Error5xx-before.Error5xx < 2); calls++ {
		var err error
		if calls%2 == 0 {
			_, err = ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
		} else {
			_, err = r53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		}
		if err != nil {
			t.Fatalf("call %d failed despite retries: %v", calls+1, err)
		}
		if _, now, err = cfg.AWSFaultStatus(ctx, source); err != nil {
			t.Fatal(err)
		}
	}
	if now.Throttle-before.Throttle < 2 || now.Error5xx-before.Error5xx < 2 || now.Requests-before.Requests < int64(calls) {
		t.Fatalf("after %d calls counts went from %+v to %+v, want at least 2 throttles and 2 5xx", calls, before, now)
	}

	if _, err := cfg.SetAWSFaults(ctx, source, sandbox.AWSFaults{}); err != nil {
		t.Fatal(err)
	}
	awsCfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	for range 20 {
		if _, err := dynamodb.NewFromConfig(awsCfg).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
			t.Fatalf("call without retries failed with faults off: %v", err)
		}
	}
	if _, err := cfg.SetAWSFaults(ctx, source, sandbox.AWSFaults{Throttle: 2}); err == nil {
		t.Error("SetAWSFaults accepted a throttle share of 2")
	}

	// Latency alone: every call takes at least that long, and it reads back.
	if _, err := cfg.SetAWSFaults(ctx, source, sandbox.AWSFaults{LatencyMs: 200}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := dynamodb.NewFromConfig(awsCfg).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("ListTables took %s at a latency of 200ms", took)
	}
	if f, _, err := cfg.AWSFaultStatus(ctx, source); err != nil || f != (sandbox.AWSFaults{LatencyMs: 200}) {
		t.Errorf("AWSFaultStatus = %+v, %v; want only the latency of 200ms", f, err)
	}
}
