//go:build !ferrylogs

// The old account's listing needs the SDK's service clients, whose package
// initialisers cost every binary that links them memory before main runs.
// ferry-logs (built with -tags ferrylogs) reads plans but never lists an
// account, so it leaves this file out.

package plan

import (
	"context"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// AWSClients are the read-only listing calls `ferry init` makes in the old
// account, one per kind of the plan's resources section. The SDK's
// paginator interfaces are exactly those calls, so the real clients fit and
// tests pass fakes.
type AWSClients struct {
	SQS      sqs.ListQueuesAPIClient
	DynamoDB dynamodb.ListTablesAPIClient
	S3       s3.ListBucketsAPIClient
	IAM      iam.ListRolesAPIClient
	RDS      rds.DescribeDBInstancesAPIClient
	// RDSClusters lists DB clusters (Aurora, Multi-AZ): the same RDS client.
	RDSClusters rds.DescribeDBClustersAPIClient
	Route53     route53.ListHostedZonesAPIClient
	Secrets     secretsmanager.ListSecretsAPIClient
	SSM         ssm.DescribeParametersAPIClient
}

// NewAWSClients builds the listing clients from a profile's config. S3 is
// addressed by path when the profile names an endpoint (an emulator or a
// VPC endpoint), where bucket subdomains do not resolve.
func NewAWSClients(cfg aws.Config) AWSClients {
	rdsClient := rds.NewFromConfig(cfg)
	return AWSClients{
		SQS:         sqs.NewFromConfig(cfg),
		DynamoDB:    dynamodb.NewFromConfig(cfg),
		S3:          s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }),
		IAM:         iam.NewFromConfig(cfg),
		RDS:         rdsClient,
		RDSClusters: rdsClient,
		Route53:     route53.NewFromConfig(cfg),
		Secrets:     secretsmanager.NewFromConfig(cfg),
		SSM:         ssm.NewFromConfig(cfg),
	}
}

// ssmGroupOver is the parameter count above which parameters sharing a
// top-level path are listed as that path: an account with hundreds of
// parameters would otherwise bury the rest of the plan.
const ssmGroupOver = 20

// awsKind lists one kind of resource.
type awsKind struct {
	key, what, action string
	list              func(context.Context, AWSClients) ([]FoundResource, error)
}

// awsKinds are the plan's resource kinds in the section's order.
var awsKinds = []awsKind{
	{"sqs", "queues", "sqs:ListQueues", listQueues},
	{"dynamodb", "tables", "dynamodb:ListTables", listTables},
	{"s3", "buckets", "s3:ListAllMyBuckets", listBuckets},
	{"iam", "roles", "iam:ListRoles", listRoles},
	{"rds", "DB instances", "rds:DescribeDBInstances", listDBInstances},
	{"rdsClusters", "DB clusters", "rds:DescribeDBClusters", listDBClusters},
	{"route53", "hosted zones", "route53:ListHostedZones", listZones},
	{"secrets", "secrets", "secretsmanager:ListSecrets", listSecrets},
	{"ssm", "parameters", "ssm:DescribeParameters", listParameters},
}

// DiscoverAWS lists the old account's resources of every kind, page by
// page. A kind whose listing fails (access denied, an API the endpoint
// lacks) is kept with its error, so init can say so in the plan and go on;
// only a cancelled ctx ends discovery. progress, when not nil, is told
// each kind ("queues") before it is listed.
func DiscoverAWS(ctx context.Context, c AWSClients, progress func(what string)) (AWSFound, error) {
	var found AWSFound
	for _, k := range awsKinds {
		if progress != nil {
			progress(k.what)
		}
		rs, err := k.list(ctx, c)
		if ctx.Err() != nil {
			return found, ctx.Err()
		}
		slices.SortFunc(rs, func(a, b FoundResource) int { return strings.Compare(a.Name, b.Name) })
		found.Kinds = append(found.Kinds, FoundKind{Key: k.key, What: k.what, Action: k.action, Resources: rs, Err: err})
	}
	return found, nil
}

func listQueues(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	// Without MaxResults ListQueues returns at most 1000 queues and no token.
	p := sqs.NewListQueuesPaginator(c.SQS, &sqs.ListQueuesInput{}, func(o *sqs.ListQueuesPaginatorOptions) { o.Limit = 1000 })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range page.QueueUrls {
			out = append(out, FoundResource{Name: path.Base(u), aliases: []string{u}})
		}
	}
	return out, nil
}

func listTables(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	p := dynamodb.NewListTablesPaginator(c.DynamoDB, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range page.TableNames {
			out = append(out, FoundResource{Name: n})
		}
	}
	return out, nil
}

func listBuckets(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	p := s3.NewListBucketsPaginator(c.S3, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range page.Buckets {
			out = append(out, FoundResource{Name: aws.ToString(b.Name)})
		}
	}
	return out, nil
}

func listRoles(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	p := iam.NewListRolesPaginator(c.IAM, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Roles {
			if awsManagedRole(aws.ToString(r.Path), aws.ToString(r.RoleName)) {
				continue
			}
			out = append(out, FoundResource{Name: aws.ToString(r.RoleName)})
		}
	}
	return out, nil
}

// awsManagedRole: service-linked roles and SSO's reserved roles belong to
// AWS, which recreates them in the new account itself; cloning them fails.
func awsManagedRole(rolePath, name string) bool {
	return strings.HasPrefix(rolePath, "/aws-service-role/") || strings.HasPrefix(rolePath, "/aws-reserved/") ||
		strings.HasPrefix(name, "AWSServiceRoleFor") || strings.HasPrefix(name, "AWSReservedSSO_")
}

func listDBInstances(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	p := rds.NewDescribeDBInstancesPaginator(c.RDS, &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, db := range page.DBInstances {
			if aws.ToString(db.DBClusterIdentifier) != "" {
				continue // a cluster's member: cloned with its cluster
			}
			r := FoundResource{Name: aws.ToString(db.DBInstanceIdentifier), Note: aws.ToString(db.Engine)}
			if db.Endpoint != nil && db.Endpoint.Address != nil {
				r.aliases = append(r.aliases, strings.ToLower(*db.Endpoint.Address))
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// listDBClusters lists DB clusters, which clone with their members; a
// workload names one by its writer or reader endpoint.
func listDBClusters(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	p := rds.NewDescribeDBClustersPaginator(c.RDSClusters, &rds.DescribeDBClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, cl := range page.DBClusters {
			notes := []string{aws.ToString(cl.Engine), members(len(cl.DBClusterMembers))}
			r := FoundResource{Name: aws.ToString(cl.DBClusterIdentifier), Note: strings.Join(slices.DeleteFunc(notes, isEmpty), ", ")}
			for _, host := range append([]*string{cl.Endpoint, cl.ReaderEndpoint}, aws.StringSlice(cl.CustomEndpoints)...) {
				if aws.ToString(host) != "" {
					r.aliases = append(r.aliases, strings.ToLower(*host))
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func isEmpty(s string) bool { return s == "" }

func members(n int) string {
	if n == 1 {
		return "1 member"
	}
	return strconv.Itoa(n) + " members"
}

// listZones lists hosted zones by name without the final dot. A public and
// a private zone may share a name (split-horizon DNS); the plan names zones,
// so they become one entry that says so.
func listZones(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	byName := map[string]*FoundResource{}
	var order []string
	p := route53.NewListHostedZonesPaginator(c.Route53, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, z := range page.HostedZones {
			name := strings.ToLower(strings.TrimSuffix(aws.ToString(z.Name), "."))
			note := "public zone"
			if z.Config != nil && z.Config.PrivateZone {
				note = "private zone"
			}
			id := strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
			r, ok := byName[name]
			if !ok {
				r = &FoundResource{Name: name, Note: note}
				byName[name] = r
				order = append(order, name)
			} else if r.Note != note {
				r.Note = "public and private zones of this name"
			}
			r.aliases = append(r.aliases, id)
		}
	}
	out := make([]FoundResource, 0, len(order))
	for _, n := range order {
		out = append(out, *byName[n])
	}
	return out, nil
}

func listSecrets(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var out []FoundResource
	p := secretsmanager.NewListSecretsPaginator(c.Secrets, &secretsmanager.ListSecretsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.SecretList {
			out = append(out, FoundResource{Name: aws.ToString(s.Name), aliases: []string{aws.ToString(s.ARN)}})
		}
	}
	return out, nil
}

func listParameters(ctx context.Context, c AWSClients) ([]FoundResource, error) {
	var names []string
	p := ssm.NewDescribeParametersPaginator(c.SSM, &ssm.DescribeParametersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Parameters {
			names = append(names, aws.ToString(m.Name))
		}
	}
	return groupParameters(names), nil
}

// groupParameters lists parameters by name; past ssmGroupOver, those
// sharing a top-level path (/orders/db/host, /orders/queue-url) become that
// path (/orders/), which the plan reads as everything under it.
func groupParameters(names []string) []FoundResource {
	count := map[string]int{}
	if len(names) > ssmGroupOver {
		for _, n := range names {
			count[topPath(n)]++
		}
	}
	var out []FoundResource
	listed := map[string]bool{}
	for _, n := range names {
		top := topPath(n)
		switch {
		case top == "" || count[top] < 2:
			out = append(out, FoundResource{Name: n})
		case !listed[top]:
			listed[top] = true
			out = append(out, FoundResource{Name: top, Note: strconv.Itoa(count[top]) + " parameters"})
		}
	}
	return out
}

// topPath is a hierarchical parameter name's first level with both
// slashes ("/orders/" of "/orders/db/host"), "" for a name with none.
func topPath(name string) string {
	rest, ok := strings.CutPrefix(name, "/")
	if !ok {
		return ""
	}
	first, _, deeper := strings.Cut(rest, "/")
	if !deeper {
		return ""
	}
	return "/" + first + "/"
}
