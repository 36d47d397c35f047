package main

import (
	"context"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// sdkCase is one AWS call, with what a healthy service answers to it and
// the throttling code its protocol's fault must carry.
type sdkCase struct {
	name         string
	contentType  string
	body         string
	throttleCode string
	call         func(context.Context, aws.Config) error
}

func sdkCases() []sdkCase {
	const amzJSON10, amzJSON11, textXML = "application/x-amz-json-1.0", "application/x-amz-json-1.1", "text/xml"
	r53 := func(cfg aws.Config) *route53.Client { return route53.NewFromConfig(cfg) }
	return []sdkCase{
		{"dynamodb control", amzJSON10, `{"TableNames":[]}`, "ThrottlingException", func(ctx context.Context, cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		}},
		{"dynamodb data", amzJSON10, `{}`, "ProvisionedThroughputExceededException", func(ctx context.Context, cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"),
				Key: map[string]ddbtypes.AttributeValue{"order_id": &ddbtypes.AttributeValueMemberS{Value: "o-1"}}})
			return err
		}},
		{"sqs", amzJSON10, `{}`, "ThrottlingException", func(ctx context.Context, cfg aws.Config) error {
			_, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		}},
		{"secretsmanager", amzJSON11, `{}`, "ThrottlingException", func(ctx context.Context, cfg aws.Config) error {
			_, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			return err
		}},
		{"ssm", amzJSON11, `{}`, "ThrottlingException", func(ctx context.Context, cfg aws.Config) error {
			_, err := ssm.NewFromConfig(cfg).DescribeParameters(ctx, &ssm.DescribeParametersInput{})
			return err
		}},
		{"iam", textXML, `<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>false</IsTruncated></ListRolesResult></ListRolesResponse>`, "Throttling",
			func(ctx context.Context, cfg aws.Config) error {
				_, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
				return err
			}},
		{"sts", textXML, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`, "Throttling",
			func(ctx context.Context, cfg aws.Config) error {
				_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			}},
		{"rds", textXML, `<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances/></DescribeDBInstancesResult></DescribeDBInstancesResponse>`, "Throttling",
			func(ctx context.Context, cfg aws.Config) error {
				_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
				return err
			}},
		{"s3", "application/xml", `<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>`, "SlowDown", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
		{"route53 read", textXML, `<ListHostedZonesResponse><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>`, "Throttling",
			func(ctx context.Context, cfg aws.Config) error {
				_, err := r53(cfg).ListHostedZones(ctx, &route53.ListHostedZonesInput{})
				return err
			}},
		{"route53 change", textXML, `<ChangeResourceRecordSetsResponse><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status><SubmittedAt>2026-01-05T09:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`,
			"PriorRequestNotComplete", func(ctx context.Context, cfg aws.Config) error {
				_, err := r53(cfg).ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
					HostedZoneId: aws.String("Z1"),
					ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert,
						ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("a.example."), Type: r53types.RRTypeA, TTL: aws.Int64(60),
							ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}}}},
				})
				return err
			}},
		{"eks", "application/json", `{"clusters":[]}`, "TooManyRequestsException", func(ctx context.Context, cfg aws.Config) error {
			_, err := eks.NewFromConfig(cfg).ListClusters(ctx, &eks.ListClustersInput{})
			return err
		}},
	}
}

// noBackoff keeps the standard retryer's decisions and drops its waits.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// faultTestServer serves tc's healthy answer behind a faults front; served
// counts the requests that reached the service.
func faultTestServer(t *testing.T, tc sdkCase, f faultFlag) (url string, served *atomic.Int64) {
	t.Helper()
	served = new(atomic.Int64)
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", tc.contentType)
		_, _ = io.WriteString(w, tc.body)
	})
	srv := httptest.NewServer(faultsFront(f)(backend))
	t.Cleanup(srv.Close)
	return srv.URL, served
}

// faultClientConfig is a client config for url whose retryer is the standard one
// without the waits.
func faultClientConfig(url string, attempts int) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFAULTTEST", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.Backoff = noBackoff{}
			})
		},
	}
}

func faultCountsOf(t *testing.T, url string) faultStatus {
	t.Helper()
	resp, err := http.Get(url + FaultsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st faultStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestFaultsClassifiedBySDK: with every request faulted and no retries,
// the SDK's error carries the protocol's code and the standard retryer's
// own checks call it a throttle (or, for 5xx, retryable).
func TestFaultsClassifiedBySDK(t *testing.T) {
	t.Parallel()
	throttles := retry.IsErrorThrottles(retry.DefaultThrottles)
	retryables := retry.IsErrorRetryables(retry.DefaultRetryables)
	for _, tc := range sdkCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, served := faultTestServer(t, tc, faultFlag{settings: faultSettings{Throttle: 1}})
			err := tc.call(t.Context(), faultClientConfig(url, 1))
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.throttleCode {
				t.Fatalf("error %v, want API error %s", err, tc.throttleCode)
			}
			if throttles.IsErrorThrottle(err) != aws.TrueTernary || retryables.IsErrorRetryable(err) != aws.TrueTernary {
				t.Errorf("%s: the standard retryer does not take it for a retryable throttle", tc.throttleCode)
			}

			url, _ = faultTestServer(t, tc, faultFlag{settings: faultSettings{Error5xx: 1}, seeded: true, seed: 3})
			for range 4 { // both 500 and 503
				if err := tc.call(t.Context(), faultClientConfig(url, 1)); err == nil || retryables.IsErrorRetryable(err) != aws.TrueTernary {
					t.Errorf("5xx: error %v, want one the standard retryer retries", err)
				}
			}
			if n := served.Load(); n != 0 {
				t.Errorf("%d faulted requests reached the service", n)
			}
		})
	}
}

// TestFaultsRetriedBySDK: with half the requests faulted, every call still
// succeeds through the standard retryer, and the counts add up.
func TestFaultsRetriedBySDK(t *testing.T) {
	t.Parallel()
	for _, tc := range sdkCases() {
		for kind, s := range map[string]faultSettings{"throttle": {Throttle: 0.5}, "5xx": {Error5xx: 0.5}} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				url, served := faultTestServer(t, tc, faultFlag{settings: s, seeded: true, seed: 42})
				calls := 0
				for st := faultCountsOf(t, url); calls < 20 && st.Counts.Throttle+st.Counts.Error5xx < 3; st = faultCountsOf(t, url) {
					if err := tc.call(t.Context(), faultClientConfig(url, 10)); err != nil {
						t.Fatalf("call %d failed despite retries: %v", calls+1, err)
					}
					calls++
				}
				st := faultCountsOf(t, url)
				faults := st.Counts.Throttle + st.Counts.Error5xx
				if faults < 3 {
					t.Fatalf("counts %+v after %d calls at %+v, want at least 3 faults", st.Counts, calls, s)
				}
				if got := served.Load(); got != int64(calls) || st.Counts.Requests != int64(calls)+faults {
					t.Errorf("%d calls: service saw %d requests, counts %+v; want one served request per call, the rest faulted", calls, got, st.Counts)
				}
			})
		}
	}
}

// TestFaultsZeroShare: without shares nothing is injected, and control
// and seed requests are never faulted or counted.
func TestFaultsZeroShare(t *testing.T) {
	t.Parallel()
	tc := sdkCases()[0]
	url, served := faultTestServer(t, tc, faultFlag{})
	for range 50 {
		if err := tc.call(t.Context(), faultClientConfig(url, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if st := faultCountsOf(t, url); st.Counts != (faultCounts{Requests: 50}) || served.Load() != 50 {
		t.Errorf("counts %+v, served %d; want 50 requests, no faults", st.Counts, served.Load())
	}

	url, served = faultTestServer(t, tc, faultFlag{settings: faultSettings{Throttle: 1}})
	seedCfg := sdkConfig(url, "us-east-1")
	seedCfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	if err := tc.call(t.Context(), seedCfg); err != nil {
		t.Errorf("the seed's request was faulted: %v", err)
	}
	if resp, err := http.Get(url + "/ferry-sandbox/ready"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/ferry-sandbox/ready: %v %v, want it passed to the account", resp, err)
	}
	if st := faultCountsOf(t, url); st.Counts != (faultCounts{}) || served.Load() != 2 {
		t.Errorf("counts %+v, served %d; want nothing counted and both requests served", st.Counts, served.Load())
	}
}

// TestFaultsControl: POST replaces the settings a running front uses and
// refuses what it cannot honour.
func TestFaultsControl(t *testing.T) {
	t.Parallel()
	tc := sdkCases()[0]
	url, _ := faultTestServer(t, tc, faultFlag{})
	post := func(body string) (int, string) {
		resp, err := http.Post(url+FaultsPath, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(`{"throttle":1}`); code != http.StatusOK || !strings.Contains(body, `"throttle":1`) {
		t.Fatalf("POST throttle=1: %d %s", code, body)
	}
	if err := tc.call(t.Context(), faultClientConfig(url, 1)); err == nil {
		t.Error("call succeeded with throttle set to 1")
	}
	if code, body := post(`{"throttle":0,"error5xx":0}`); code != http.StatusOK {
		t.Fatalf("POST zero: %d %s", code, body)
	}
	if err := tc.call(t.Context(), faultClientConfig(url, 1)); err != nil {
		t.Errorf("call failed with faults off: %v", err)
	}
	if st := faultCountsOf(t, url); st.Counts != (faultCounts{Requests: 2, Throttle: 1}) {
		t.Errorf("counts %+v, want 2 requests, 1 throttled", st.Counts)
	}
	for _, bad := range []string{`{"throttle":1.5}`, `{"throttle":0.6,"error5xx":0.6}`, `{"5xx":0.1}`, `not json`, `{"throttle":-0.1}`, `{"latencyMs":-5}`} {
		if code, body := post(bad); code != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s, want 400", bad, code, body)
		}
	}
}

func TestFaultFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    faultFlag
		wantErr string
	}{
		{"throttle=0.1,5xx=0.05", faultFlag{settings: faultSettings{Throttle: 0.1, Error5xx: 0.05}}, ""},
		{"5xx=0.2, seed=7", faultFlag{settings: faultSettings{Error5xx: 0.2}, seed: 7, seeded: true}, ""},
		{"latency=5", faultFlag{settings: faultSettings{LatencyMs: 5}}, ""},
		{"latency=-1", faultFlag{}, "want 0 to"},
		{"latency=60000", faultFlag{}, "want 0 to"},
		{"latency=1.5", faultFlag{}, "latency="},
		{"throttle=2", faultFlag{}, "between 0 and 1"},
		{"throttle=0.7,5xx=0.7", faultFlag{}, "exceed 1"},
		{"slow=0.1", faultFlag{}, "unknown key"},
		{"throttle", faultFlag{}, "want key=value"},
		{"throttle=abc", faultFlag{}, "throttle="},
	}
	for _, tt := range tests {
		var f faultFlag
		err := f.Set(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Set(%q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || f != tt.want {
			t.Errorf("Set(%q) = %+v, %v; want %+v", tt.in, f, err, tt.want)
		}
	}
	o, err := parseAWSFlags([]string{"--account", "111111111111", "--listen", "127.0.0.1:1", "--data", "d", "--faults", "throttle=0.25,latency=5"})
	if err != nil || o.faults.settings != (faultSettings{Throttle: 0.25, LatencyMs: 5}) {
		t.Errorf("--faults throttle=0.25,latency=5: %+v, %v", o.faults, err)
	}
}

// TestFaultReplyCRC: a DynamoDB fault carries the body's CRC32, as
// DynamoDB's answers do; without one the SDK warns on every reply.
func TestFaultReplyCRC(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDFAULTTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
	w := httptest.NewRecorder()
	writeFault(w, r, faultThrottle)
	want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.Body.Bytes())), 10)
	if got := w.Header().Get("X-Amz-Crc32"); got != want || w.Body.Len() == 0 {
		t.Errorf("X-Amz-Crc32 %q for %q; want %s", got, w.Body.String(), want)
	}
}
