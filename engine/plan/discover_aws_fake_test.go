//go:build !ferrylogs

package plan

import (
	"context"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// fakeAccount serves each listing call in pages, with the token the real
// API uses, and fails the kinds in fail. Like SQS, it pages queues only
// when asked for MaxResults.
type fakeAccount struct {
	queues   [][]string // queue URLs
	tables   [][]string
	buckets  [][]string
	roles    [][]iamtypes.Role
	dbs      [][]rdstypes.DBInstance
	clusters [][]rdstypes.DBCluster
	zones    [][]r53types.HostedZone
	secrets  [][]smtypes.SecretListEntry
	params   [][]ssmtypes.ParameterMetadata
	fail     map[string]error // by plan key

	mu    sync.Mutex
	calls map[string]int
}

func (f *fakeAccount) clients() AWSClients {
	return AWSClients{SQS: f, DynamoDB: f, S3: f, IAM: f, RDS: f, RDSClusters: f, Route53: f, Secrets: f, SSM: f}
}

// page returns page token (a page index, "" for the first) of pages and
// the next token, nil after the last.
func page[T any](f *fakeAccount, key string, pages [][]T, token *string) ([]T, *string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[key]++
	if err := f.fail[key]; err != nil {
		return nil, nil, err
	}
	if len(pages) == 0 {
		return nil, nil, nil
	}
	i, _ := strconv.Atoi(aws.ToString(token))
	if i+1 < len(pages) {
		return pages[i], aws.String(strconv.Itoa(i + 1)), nil
	}
	return pages[i], nil, nil
}

func (f *fakeAccount) ListQueues(_ context.Context, in *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	pages := f.queues
	if in.MaxResults == nil { // SQS returns up to 1000 queues and no token
		pages = [][]string{f.queues[0]}
	}
	items, next, err := page(f, "sqs", pages, in.NextToken)
	return &sqs.ListQueuesOutput{QueueUrls: items, NextToken: next}, err
}

func (f *fakeAccount) ListTables(_ context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	items, next, err := page(f, "dynamodb", f.tables, in.ExclusiveStartTableName)
	return &dynamodb.ListTablesOutput{TableNames: items, LastEvaluatedTableName: next}, err
}

func (f *fakeAccount) ListBuckets(_ context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	names, next, err := page(f, "s3", f.buckets, in.ContinuationToken)
	out := &s3.ListBucketsOutput{ContinuationToken: next}
	for _, n := range names {
		out.Buckets = append(out.Buckets, s3types.Bucket{Name: aws.String(n)})
	}
	return out, err
}

func (f *fakeAccount) ListRoles(_ context.Context, in *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	items, next, err := page(f, "iam", f.roles, in.Marker)
	return &iam.ListRolesOutput{Roles: items, Marker: next, IsTruncated: next != nil}, err
}

func (f *fakeAccount) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	items, next, err := page(f, "rds", f.dbs, in.Marker)
	return &rds.DescribeDBInstancesOutput{DBInstances: items, Marker: next}, err
}

func (f *fakeAccount) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	items, next, err := page(f, "rdsClusters", f.clusters, in.Marker)
	return &rds.DescribeDBClustersOutput{DBClusters: items, Marker: next}, err
}

func (f *fakeAccount) ListHostedZones(_ context.Context, in *route53.ListHostedZonesInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	items, next, err := page(f, "route53", f.zones, in.Marker)
	return &route53.ListHostedZonesOutput{HostedZones: items, NextMarker: next, IsTruncated: next != nil}, err
}

func (f *fakeAccount) ListSecrets(_ context.Context, in *secretsmanager.ListSecretsInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	items, next, err := page(f, "secrets", f.secrets, in.NextToken)
	return &secretsmanager.ListSecretsOutput{SecretList: items, NextToken: next}, err
}

func (f *fakeAccount) DescribeParameters(_ context.Context, in *ssm.DescribeParametersInput, _ ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error) {
	items, next, err := page(f, "ssm", f.params, in.NextToken)
	return &ssm.DescribeParametersOutput{Parameters: items, NextToken: next}, err
}

func role(path, name string) iamtypes.Role {
	return iamtypes.Role{Path: aws.String(path), RoleName: aws.String(name)}
}

func zone(id, name string, private bool) r53types.HostedZone {
	return r53types.HostedZone{Id: aws.String("/hostedzone/" + id), Name: aws.String(name),
		Config: &r53types.HostedZoneConfig{PrivateZone: private}}
}

func param(name string) ssmtypes.ParameterMetadata {
	return ssmtypes.ParameterMetadata{Name: aws.String(name)}
}

// oldAccount is shaped like the sandbox's old account (SCENARIO.md), with
// every kind spread over pages and a few resources no workload uses.
func oldAccount() *fakeAccount {
	q := func(name string) string { return "https://sqs.us-east-1.amazonaws.com/111111111111/" + name }
	return &fakeAccount{
		queues:  [][]string{{q("refunds"), q("orders-fulfillment")}, {q("orders-fulfillment-dlq"), q("legacy-events")}},
		tables:  [][]string{{"orders"}, {"ledger-entries", "sessions"}},
		buckets: [][]string{{"acme-legacy-invoices"}, {"acme-legacy-assets", "acme-legacy-logs", "cf-templates-111111111111"}},
		roles: [][]iamtypes.Role{
			{role("/", "checkout-api"), role("/aws-service-role/eks.amazonaws.com/", "AWSServiceRoleForAmazonEKS")},
			{role("/", "ledger"), role("/aws-reserved/sso.amazonaws.com/", "AWSReservedSSO_Admin_0123"), role("/", "nodes.kops.acme.internal")},
		},
		dbs: [][]rdstypes.DBInstance{{{
			DBInstanceIdentifier: aws.String("orders-db"), Engine: aws.String("postgres"),
			Endpoint: &rdstypes.Endpoint{Address: aws.String("orders-db.c1a2b3.us-east-1.rds.amazonaws.com")},
		}}, {{
			DBInstanceIdentifier: aws.String("reports-1"), Engine: aws.String("aurora-postgresql"), DBClusterIdentifier: aws.String("reports"),
		}}},
		clusters: [][]rdstypes.DBCluster{{{
			DBClusterIdentifier: aws.String("reports"), Engine: aws.String("aurora-postgresql"),
			DBClusterMembers: []rdstypes.DBClusterMember{{DBInstanceIdentifier: aws.String("reports-1")}},
			Endpoint:         aws.String("reports.cluster-c1a2b3.us-east-1.rds.amazonaws.com"),
			ReaderEndpoint:   aws.String("reports.cluster-ro-c1a2b3.us-east-1.rds.amazonaws.com"),
		}}, {{
			DBClusterIdentifier: aws.String("events"), Engine: aws.String("aurora-mysql"),
			DBClusterMembers: []rdstypes.DBClusterMember{{DBInstanceIdentifier: aws.String("events-1")}, {DBInstanceIdentifier: aws.String("events-2")}},
		}}},
		zones: [][]r53types.HostedZone{
			{zone("Z1PUBLIC", "acme.example.", false), zone("Z2PRIVATE", "acme.internal.", true)},
			{zone("Z3PUBLIC", "acme.internal.", false)},
		},
		secrets: [][]smtypes.SecretListEntry{
			{{Name: aws.String("orders/db-password"), ARN: aws.String("arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/db-password-AbC123")}},
			{{Name: aws.String("legacy/api-key"), ARN: aws.String("arn:aws:secretsmanager:us-east-1:111111111111:secret:legacy/api-key-XyZ987")}},
		},
		params: [][]ssmtypes.ParameterMetadata{{param("/orders/db/host"), param("/orders/queue-url")}, {param("feature-x")}},
	}
}
