package main

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// inventory is what an account holds, as the SDK sees it through the proxy.
// It has no random ids, so two inventories of one unchanged account are equal.
type inventory struct {
	CallerAccount, CallerArn string
	Items                    map[string]int32    // table -> item count
	Indexes                  map[string][]string // table -> GSI names
	Objects                  map[string]int32    // bucket -> object count
	Versions                 map[string]int      // bucket -> object version count
	Versioning               map[string]string   // bucket -> status
	QueueURLs                map[string]string   // queue name -> URL
	Messages                 map[string]string   // queue name -> approximate count
	Redrive                  map[string]string   // queue name -> RedrivePolicy
	RoleArns                 map[string]string   // role -> ARN
	Trusts                   map[string]string   // role -> trust policy
	Policies                 map[string]string   // role/policy -> document
	Records                  map[string]string   // zone -> "name type" -> values
	SecretArns               map[string]string   // secret -> ARN
	// SecretValueOK says whether the secret reads back; the value itself
	// must not reach test output.
	SecretValueOK bool
}

// takeInventory lists the account at endpoint with the SDK.
func takeInventory(t *testing.T, ctx context.Context, endpoint string) inventory {
	t.Helper()
	cfg := sdkConfig(endpoint, "us-east-1")
	inv := inventory{
		Items: map[string]int32{}, Indexes: map[string][]string{}, Objects: map[string]int32{},
		Versions: map[string]int{}, Versioning: map[string]string{}, QueueURLs: map[string]string{},
		Messages: map[string]string{}, Redrive: map[string]string{}, RoleArns: map[string]string{},
		Trusts: map[string]string{}, Policies: map[string]string{}, Records: map[string]string{},
		SecretArns: map[string]string{},
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, "GetCallerIdentity", err)
	inv.CallerAccount, inv.CallerArn = aws.ToString(id.Account), aws.ToString(id.Arn)
	listTables(t, ctx, dynamodb.NewFromConfig(cfg), &inv)
	listBuckets(t, ctx, s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), &inv)
	listQueues(t, ctx, sqs.NewFromConfig(cfg), &inv)
	listRoles(t, ctx, iam.NewFromConfig(cfg), &inv)
	listZones(t, ctx, route53.NewFromConfig(cfg), &inv)
	listSecrets(t, ctx, secretsmanager.NewFromConfig(cfg), &inv)
	return inv
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func listTables(t *testing.T, ctx context.Context, c *dynamodb.Client, inv *inventory) {
	t.Helper()
	tables, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	must(t, "ListTables", err)
	for _, name := range tables.TableNames {
		desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		must(t, "DescribeTable "+name, err)
		for _, gsi := range desc.Table.GlobalSecondaryIndexes {
			inv.Indexes[name] = append(inv.Indexes[name], aws.ToString(gsi.IndexName))
		}
		scan, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(name)})
		must(t, "Scan "+name, err)
		inv.Items[name] = scan.Count
	}
}

func listBuckets(t *testing.T, ctx context.Context, c *s3.Client, inv *inventory) {
	t.Helper()
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	must(t, "ListBuckets", err)
	for _, b := range buckets.Buckets {
		name := aws.ToString(b.Name)
		objs, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b.Name})
		must(t, "ListObjectsV2 "+name, err)
		inv.Objects[name] = aws.ToInt32(objs.KeyCount)
		vers, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b.Name})
		must(t, "ListObjectVersions "+name, err)
		inv.Versions[name] = len(vers.Versions)
		v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b.Name})
		must(t, "GetBucketVersioning "+name, err)
		inv.Versioning[name] = string(v.Status)
	}
}

func listQueues(t *testing.T, ctx context.Context, c *sqs.Client, inv *inventory) {
	t.Helper()
	queues, err := c.ListQueues(ctx, &sqs.ListQueuesInput{})
	must(t, "ListQueues", err)
	for _, u := range queues.QueueUrls {
		attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(u),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		must(t, "GetQueueAttributes "+u, err)
		name := u[strings.LastIndex(u, "/")+1:]
		inv.QueueURLs[name] = u
		inv.Messages[name] = attrs.Attributes["ApproximateNumberOfMessages"]
		if rp := attrs.Attributes["RedrivePolicy"]; rp != "" {
			inv.Redrive[name] = rp
		}
	}
}

func listRoles(t *testing.T, ctx context.Context, c *iam.Client, inv *inventory) {
	t.Helper()
	roles, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	must(t, "ListRoles", err)
	for _, r := range roles.Roles {
		name := aws.ToString(r.RoleName)
		inv.RoleArns[name] = aws.ToString(r.Arn)
		inv.Trusts[name] = unescape(aws.ToString(r.AssumeRolePolicyDocument))
		pols, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
		must(t, "ListRolePolicies "+name, err)
		for _, p := range pols.PolicyNames {
			doc, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: r.RoleName, PolicyName: aws.String(p)})
			must(t, "GetRolePolicy "+p, err)
			inv.Policies[name+"/"+p] = unescape(aws.ToString(doc.PolicyDocument))
		}
	}
}

// unescape undoes IAM's URL-encoding of policy documents.
func unescape(doc string) string {
	if s, err := url.QueryUnescape(doc); err == nil {
		return s
	}
	return doc
}

func listZones(t *testing.T, ctx context.Context, c *route53.Client, inv *inventory) {
	t.Helper()
	zones, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	must(t, "ListHostedZones", err)
	for _, z := range zones.HostedZones {
		sets, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: z.Id})
		must(t, "ListResourceRecordSets", err)
		for _, rs := range sets.ResourceRecordSets {
			var values []string
			for _, rr := range rs.ResourceRecords {
				values = append(values, aws.ToString(rr.Value))
			}
			sort.Strings(values)
			key := aws.ToString(z.Name) + " " + aws.ToString(rs.Name) + " " + string(rs.Type)
			inv.Records[key] = strings.Join(values, ",")
		}
	}
}

func listSecrets(t *testing.T, ctx context.Context, c *secretsmanager.Client, inv *inventory) {
	t.Helper()
	secrets, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	must(t, "ListSecrets", err)
	for _, s := range secrets.SecretList {
		inv.SecretArns[aws.ToString(s.Name)] = aws.ToString(s.ARN)
	}
	// By ARN, which the proxy must map back to kumo's placeholder account.
	if arn, ok := inv.SecretArns[secretName]; ok {
		v, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
		must(t, "GetSecretValue", err)
		inv.SecretValueOK = aws.ToString(v.SecretString) == secretValue
	}
}
