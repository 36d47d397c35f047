package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// fakeOldAccount holds two queues and a table, has no other resources, and
// denies listing roles.
type fakeOldAccount struct{}

func (fakeOldAccount) ListQueues(context.Context, *sqs.ListQueuesInput, ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	return &sqs.ListQueuesOutput{QueueUrls: []string{
		"https://sqs.us-east-1.amazonaws.com/111111111111/refunds",
		"https://sqs.us-east-1.amazonaws.com/111111111111/legacy-events",
	}}, nil
}

func (fakeOldAccount) ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return &dynamodb.ListTablesOutput{TableNames: []string{"sessions"}}, nil
}

func (fakeOldAccount) ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return &s3.ListBucketsOutput{}, nil
}

func (fakeOldAccount) ListRoles(context.Context, *iam.ListRolesInput, ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: iam:ListRoles"}
}

func (fakeOldAccount) DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	return &rds.DescribeDBInstancesOutput{}, nil
}

func (fakeOldAccount) DescribeDBClusters(context.Context, *rds.DescribeDBClustersInput, ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	return &rds.DescribeDBClustersOutput{}, nil
}

func (fakeOldAccount) ListHostedZones(context.Context, *route53.ListHostedZonesInput, ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	return &route53.ListHostedZonesOutput{}, nil
}

func (fakeOldAccount) ListSecrets(context.Context, *secretsmanager.ListSecretsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	return &secretsmanager.ListSecretsOutput{}, nil
}

func (fakeOldAccount) DescribeParameters(context.Context, *ssm.DescribeParametersInput, ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error) {
	return &ssm.DescribeParametersOutput{}, nil
}

func TestInitListsTheOldAccount(t *testing.T) {
	t.Parallel()
	o := initOpts(t)
	deps := fakeInitDeps(t)
	var stderr bytes.Buffer
	deps.stderr = &stderr
	if err := runInit(t.Context(), &bytes.Buffer{}, o, deps); err != nil {
		t.Fatal(err)
	}
	wantProgress := "listing the old account's queues…\nlisting the old account's tables…\nlisting the old account's buckets…\n" +
		"listing the old account's roles…\nlisting the old account's DB instances…\nlisting the old account's DB clusters…\nlisting the old account's hosted zones…\n" +
		"listing the old account's secrets…\nlisting the old account's parameters…\nlooking for them in the workloads of payments…\n"
	if stderr.String() != wantProgress {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), wantProgress)
	}
	b, err := os.ReadFile(o.output)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"resources:\n  sqs:\n    - refunds          # used by payments/checkout-api\n" +
			"    # - legacy-events  # not referenced by any workload in the namespaces\n",
		"  dynamodb:\n    # - sessions  # not referenced by any workload in the namespaces\n  s3: []  # none in the old account\n",
		"  # Listing the roles failed, so only those the workloads name are listed. Grant iam:ListRoles\n",
		"The error: api error AccessDenied: not authorized to perform: iam:ListRoles\n  iam: []\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("plan lacks %q:\n%s", want, b)
		}
	}
}

func TestInitNoAWS(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		edit func(*initOptions)
		want string
	}{
		{"--no-aws", func(o *initOptions) { o.noAWS = true }, "# ferry init ran with --no-aws and did not read the old account; list names by hand, e.g."},
		{"no source profile", func(o *initOptions) { o.sourceProfile = "" }, "# ferry init had no --source-profile to read the old account with; list names by hand, e.g."},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := initOpts(t)
			c.edit(&o)
			deps := fakeInitDeps(t)
			deps.awsClients = func(context.Context, string) (plan.AWSClients, error) {
				t.Error("the old account was read")
				return plan.AWSClients{}, nil
			}
			var stdout, stderr bytes.Buffer
			deps.stderr = &stderr
			if err := runInit(t.Context(), &stdout, o, deps); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(o.output)
			if !strings.Contains(string(b), c.want+"\n") || !strings.Contains(string(b), "\nresources: {}\n") {
				t.Errorf("plan lacks %q and an empty resources section:\n%s", c.want, b)
			}
			if stderr.Len() > 0 || strings.Contains(stdout.String(), "Old account") {
				t.Errorf("stderr %q, stdout %q: want no word of the old account", stderr.String(), stdout.String())
			}
		})
	}
}

// usedBy returns the trailing comment of the listed (not commented-out)
// item name in a plan's resources section, or "" when it is not listed.
func usedBy(planText, name string) string {
	m := regexp.MustCompile(`(?m)^    - ` + regexp.QuoteMeta(name) + ` +# (.*)$`).FindStringSubmatch(planText)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestInitOnTheSandbox runs `ferry init` with the sandbox's profiles: it
// lists the old account's seeded resources, marks the ones the kops
// workloads use, and the plan validates once the bucket rule is filled in.
func TestInitOnTheSandbox(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value) // KUBECONFIG and the AWS profiles
	}
	out := filepath.Join(t.TempDir(), "ferry.yaml")
	log, err := run(t, "init", "--source", "kops", "--target", "eks",
		"--source-profile", "ferry-old", "--target-profile", "ferry-new", "-o", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	for _, want := range []string{"listing the old account's queues…\n", "listing the old account's parameters…\n",
		"Old account: ", "resources.s3[0]: bucket "} {
		if !strings.Contains(log, want) {
			t.Errorf("output lacks %q:\n%s", want, log)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for name, want := range map[string]string{
		"orders-fulfillment":     "used by orders/fulfillment-worker, orders/orders-api",
		"orders-fulfillment-dlq": "used by orders/fulfillment-worker",
		"refunds":                "used by payments/refund-worker",
		"ledger-entries":         "used by payments/ledger",
		"orders":                 "used by orders/fulfillment-worker, orders/invoice-renderer, orders/orders-api, payments/checkout-api",
		"acme-legacy-assets":     "used by payments/checkout-api",
		"acme-legacy-invoices":   "used by orders/invoice-renderer",
		"checkout-api":           "used by payments/checkout-api",
		"ledger":                 "used by payments/ledger",
		"acme.internal":          "used by orders/orders-api",
	} {
		if got := usedBy(text, name); !strings.HasSuffix(got, want) {
			t.Errorf("%s: comment %q, want it listed and ending %q", name, got, want)
		}
	}
	// The secret is seeded but no kops workload names it (orders-api reads a
	// Kubernetes Secret): it is proposed commented out.
	if !regexp.MustCompile(`(?m)^    # - orders/db-password +# not referenced by any workload in the namespaces$`).MatchString(text) {
		t.Errorf("the unreferenced secret is not commented out:\n%s", text)
	}
	// The seeded Aurora cluster is listed as a cluster (its members are not
	// DB instances to clone on their own); no kops workload names it.
	if !regexp.MustCompile(`(?m)^    # - events-aurora +# aurora-postgresql, 2 members; not referenced by any workload in the namespaces$`).MatchString(text) {
		t.Errorf("the seeded Aurora cluster is not proposed under rdsClusters:\n%s", text)
	}
	if strings.Contains(text, "events-aurora-1") {
		t.Errorf("a cluster member is proposed on its own:\n%s", text)
	}
	rule := regexp.MustCompile(`(?m)^    # - \{kind: bucket, from: "acme-legacy-\*", to: ""\}.*$`)
	if !rule.MatchString(text) {
		t.Fatalf("no bucket rule to fill in:\n%s", text)
	}
	filled := rule.ReplaceAllString(text, `    - {kind: bucket, from: "acme-legacy-*", to: "acme-platform-*"}`)
	p, err := plan.Parse(out, []byte(filled))
	if err != nil {
		t.Fatalf("the plan with the bucket rule filled in does not validate: %v\n%s", err, filled)
	}
	checks := map[string][]string{"sqs": p.Resources.SQS, "dynamodb": p.Resources.DynamoDB, "s3": p.Resources.S3,
		"iam": p.Resources.IAM, "route53": p.Resources.Route53}
	wants := map[string]string{"sqs": "orders-fulfillment,orders-fulfillment-dlq,refunds", "dynamodb": "ledger-entries,orders",
		"s3": "acme-legacy-assets,acme-legacy-invoices", "iam": "checkout-api,ledger", "route53": "acme.internal"}
	for kind, got := range checks {
		if strings.Join(got, ",") != wants[kind] {
			t.Errorf("resources.%s = %v, want %s", kind, got, wants[kind])
		}
	}
	if p.Source.AWS.Account != "111111111111" {
		t.Errorf("source account = %q", p.Source.AWS.Account)
	}
}
