package sandbox_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// TestAWSSeedListed lists the old account's seeded resources through the
// sandbox profile, as any ferry command would.
func TestAWSSeedListed(t *testing.T) {
	env := sandboxtest.Get(t)
	cfg := env.AWS(t, "source")
	ctx := t.Context()

	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "tables", tables.TableNames, "ledger-entries", "orders")
	scan, err := dynamodb.NewFromConfig(cfg).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("ledger-entries"), Select: "COUNT"})
	if err != nil {
		t.Fatal(err)
	}
	if scan.Count != 60 {
		t.Errorf("ledger-entries holds %d items, want 60", scan.Count)
	}

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	buckets, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range buckets.Buckets {
		names = append(names, *b.Name)
	}
	wantAll(t, "buckets", names, "acme-legacy-invoices", "acme-legacy-assets")
	objs, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("acme-legacy-invoices")})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Contents) != 25 {
		t.Errorf("acme-legacy-invoices holds %d objects, want 25", len(objs.Contents))
	}

	queues, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(queues.QueueUrls) != 3 {
		t.Errorf("queues = %v, want orders-fulfillment, its DLQ and refunds", queues.QueueUrls)
	}

	roles, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	names = names[:0]
	for _, r := range roles.Roles {
		names = append(names, *r.RoleName)
	}
	wantAll(t, "roles", names, "checkout-api", "ledger")

	zones, err := route53.NewFromConfig(cfg).ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	names = names[:0]
	for _, z := range zones.HostedZones {
		names = append(names, *z.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"acme.example.", "acme.internal."}) {
		t.Errorf("hosted zones = %q, want acme.example. (the public one the cutover moves) and acme.internal.", names)
	}

	secrets, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets.SecretList) != 1 || *secrets.SecretList[0].Name != "orders/db-password" {
		t.Errorf("secrets = %d, want orders/db-password", len(secrets.SecretList))
	}
}

// TestAWSNewAccountNearlyEmpty: the target account holds only what the
// scenario puts there.
func TestAWSNewAccountNearlyEmpty(t *testing.T) {
	env := sandboxtest.Get(t)
	cfg := env.AWS(t, "target")
	tables, err := dynamodb.NewFromConfig(cfg).ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables.TableNames) != 0 {
		t.Errorf("new account has tables %v, want none", tables.TableNames)
	}
	roles, err := iam.NewFromConfig(cfg).ListRoles(t.Context(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(roles.Roles) != 1 || *roles.Roles[0].RoleName != "checkout-api" {
		t.Errorf("new account roles = %d, want only checkout-api", len(roles.Roles))
	}
}

// TestFaultStopStart: a test can stop one account's endpoint and one
// cluster's apiserver, and they come back with their data.
func TestFaultStopStart(t *testing.T) {
	env := sandboxtest.Isolated(t)
	ctx := t.Context()
	cfg := env.AWS(t, "source")

	env.Stop(t, "source", sandbox.ComponentAWS)
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("GetCallerIdentity succeeded with the endpoint stopped")
	}
	env.Start(t, "source", sandbox.ComponentAWS)
	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, "tables after restart", tables.TableNames, "ledger-entries", "orders")

	cs := env.Kube(t, "eks")
	env.Stop(t, "eks", sandbox.ComponentAPIServer)
	if _, err := cs.Discovery().ServerVersion(); err == nil {
		t.Error("eks apiserver answered while stopped")
	}
	env.Start(t, "eks", sandbox.ComponentAPIServer)
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != sandbox.KubernetesVersion {
		t.Errorf("eks apiserver version %s, want %s", v.GitVersion, sandbox.KubernetesVersion)
	}
}

func wantAll(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s = %v, missing %s", what, got, w)
		}
	}
}
