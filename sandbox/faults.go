package sandbox

import (
	"context"
	"fmt"
	"net/http"
)

// awsFaultsPath reads and sets an account's fault injection
// (ferry-sandboxd's FaultsPath).
const awsFaultsPath = "/ferry-sandbox/faults"

// AWSFaults are the shares (0 to 1, together at most 1) of an account's AWS
// requests its endpoint answers with an error instead of serving them: a
// throttling error (DynamoDB ProvisionedThroughputExceededException or
// ThrottlingException, S3 503 SlowDown, Route53 Throttling or
// PriorRequestNotComplete, Throttling in the query protocol, 429 in
// REST-JSON) or a 500/503, each in the service's own error format, so the
// AWS SDK's standard retryer retries them as it would AWS's. A faulted
// request changes nothing. The seed's own requests are never faulted.
//
// LatencyMs (0 to 10,000) delays every AWS request before it is served or
// faulted: a same-region round trip to AWS takes milliseconds, one on
// loopback hardly any, so without it a sequential client looks nearly as
// fast as a parallel one. A request whose client gives up stops waiting.
// The seed's requests are never delayed.
type AWSFaults struct {
	Throttle  float64 `json:"throttle"`
	Error5xx  float64 `json:"error5xx"`
	LatencyMs int     `json:"latencyMs"`
}

// AWSFaultCounts are what an account's endpoint has seen since it started:
// every AWS request, and those answered with each kind of fault.
type AWSFaultCounts struct {
	Requests int64 `json:"requests"`
	Throttle int64 `json:"throttle"`
	Error5xx int64 `json:"error5xx"`
}

// awsFaultStatus is the control path's answer.
type awsFaultStatus struct {
	AWSFaults
	Counts AWSFaultCounts `json:"counts"`
}

// SetAWSFaults replaces a side's fault settings, latency included, on its
// running endpoint and returns the counts so far, for a test to compare
// with AWSFaultStatus later. They last until the next SetAWSFaults or a
// restart of the endpoint, which starts with none; tests that set faults
// reset them to AWSFaults{} when they end. Faults on the target account also reach the eks cluster's
// token webhook, which asks that account's STS.
func (c Config) SetAWSFaults(ctx context.Context, side Side, f AWSFaults) (AWSFaultCounts, error) {
	var st awsFaultStatus
	if err := control(ctx, http.MethodPost, c.AWSEndpoint(side)+awsFaultsPath, f, &st); err != nil {
		return AWSFaultCounts{}, fmt.Errorf("set AWS faults of %s: %w", side.Profile, err)
	}
	return st.Counts, nil
}

// AWSFaultStatus reads a side's fault settings and counts.
func (c Config) AWSFaultStatus(ctx context.Context, side Side) (AWSFaults, AWSFaultCounts, error) {
	var st awsFaultStatus
	if err := control(ctx, http.MethodGet, c.AWSEndpoint(side)+awsFaultsPath, nil, &st); err != nil {
		return AWSFaults{}, AWSFaultCounts{}, fmt.Errorf("read AWS faults of %s: %w", side.Profile, err)
	}
	return st.AWSFaults, st.Counts, nil
}
