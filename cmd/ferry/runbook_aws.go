package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbsdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	rdssdk "github.com/aws/aws-sdk-go-v2/service/rds"
	route53sdk "github.com/aws/aws-sdk-go-v2/service/route53"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	sqssdk "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/clone/dynamodb"
	iamclone "github.com/ferry-dev/ferry/engine/clone/iam"
	"github.com/ferry-dev/ferry/engine/clone/rds"
	r53clone "github.com/ferry-dev/ferry/engine/clone/route53"
	s3clone "github.com/ferry-dev/ferry/engine/clone/s3"
	"github.com/ferry-dev/ferry/engine/clone/secrets"
	"github.com/ferry-dev/ferry/engine/clone/sqs"
	"github.com/ferry-dev/ferry/engine/preflight"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// awsSteps are the clone steps of the plan's resources: the old account's
// queues and tables, read through the source profile, written through the
// target's.
func awsSteps(ctx context.Context, s *session) ([]runbook.Step, error) {
	var steps []runbook.Step
	res := s.plan.Resources
	srcCfg, dstCfg := patient(s.source.AWS), patient(s.target.AWS)
	if len(res.SQS) > 0 {
		qs, err := queueSteps(ctx, s)
		if err != nil {
			return nil, err
		}
		steps = append(steps, qs...)
	}
	src, dst := ddbsdk.NewFromConfig(srcCfg), ddbsdk.NewFromConfig(dstCfg)
	for _, name := range res.DynamoDB {
		steps = append(steps, dynamodb.NewTableStep(dynamodb.TableConfig{
			Name: name, Source: src, Target: dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
		}))
	}
	if len(res.IAM) > 0 {
		roles, err := roleSteps(ctx, s)
		if err != nil {
			return nil, err
		}
		steps = append(steps, roles...)
	}
	s3src, s3dst := s3Client(srcCfg), s3Client(dstCfg)
	for _, name := range res.S3 {
		steps = append(steps, s3clone.NewBucketStep(s3clone.BucketConfig{
			Name: name, Source: s3src, Target: s3dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
			Region: s.plan.Target.AWS.Region, ServerSideCopy: true,
		}))
	}
	rdsSrc, rdsDst := rdssdk.NewFromConfig(srcCfg), rdssdk.NewFromConfig(dstCfg)
	kmsSrc, kmsDst := kms.NewFromConfig(srcCfg), kms.NewFromConfig(dstCfg)
	for _, name := range res.RDS {
		steps = append(steps, rds.NewInstanceStep(rds.InstanceConfig{Name: name, Source: rdsSrc, Target: rdsDst,
			SourceKMS: kmsSrc, TargetKMS: kmsDst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
			SourceAccount: s.plan.Source.AWS.Account, TargetAccount: s.plan.Target.AWS.Account,
			Region: s.plan.Target.AWS.Region, ShareKey: res.RDSShareKey, KMSKeys: s.plan.Mapping.KMSKeys, Deps: []string{preflight.ID}}))
	}
	for _, name := range res.RDSClusters {
		steps = append(steps, rds.NewClusterStep(rds.ClusterConfig{Name: name, Source: rdsSrc, Target: rdsDst,
			SourceKMS: kmsSrc, TargetKMS: kmsDst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
			SourceAccount: s.plan.Source.AWS.Account, TargetAccount: s.plan.Target.AWS.Account,
			Region: s.plan.Target.AWS.Region, ShareKey: res.RDSShareKey, KMSKeys: s.plan.Mapping.KMSKeys, Deps: []string{preflight.ID}}))
	}
	return append(steps, dnsAndSecretSteps(s, srcCfg, dstCfg)...), nil
}

// patient retries throttling and 5xx answers up to ten times (the SDK's
// standard retryer with backoff): a long copy meets a few.
func patient(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.RetryMaxAttempts = 10
	return cfg
}

// dnsAndSecretSteps clone the plan's hosted zones, secrets and parameters.
func dnsAndSecretSteps(s *session, srcCfg, dstCfg aws.Config) []runbook.Step {
	var steps []runbook.Step
	res, p := s.plan.Resources, s.plan
	src, dst := route53sdk.NewFromConfig(srcCfg), route53sdk.NewFromConfig(dstCfg)
	for _, zone := range res.Route53 {
		steps = append(steps, r53clone.NewZoneStep(r53clone.ZoneConfig{Zone: zone, Source: src, Target: dst,
			Mapping: p.Mapping, TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account,
			TargetAccount: p.Target.AWS.Account, Deps: []string{preflight.ID}}))
	}
	smSrc, smDst := secretsmanager.NewFromConfig(srcCfg), secretsmanager.NewFromConfig(dstCfg)
	for _, name := range res.Secrets {
		steps = append(steps, secrets.NewSecretStep(secrets.SecretConfig{Name: name, Source: smSrc, Target: smDst,
			Mapping: p.Mapping, KMSKeys: p.Mapping.KMSKeys, TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account,
			TargetAccount: p.Target.AWS.Account, Deps: []string{preflight.ID}}))
	}
	ssmSrc, ssmDst := ssm.NewFromConfig(srcCfg), ssm.NewFromConfig(dstCfg)
	for _, path := range res.SSM {
		steps = append(steps, secrets.NewParameterStep(secrets.ParameterConfig{Path: path, Source: ssmSrc, Target: ssmDst,
			Mapping: p.Mapping, KMSKeys: p.Mapping.KMSKeys, TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account,
			TargetAccount: p.Target.AWS.Account, Deps: []string{preflight.ID}}))
	}
	return steps
}

// s3Client addresses buckets by path when the profile names an endpoint
// (an emulator or a VPC endpoint), where bucket subdomains do not resolve.
func s3Client(cfg aws.Config) *s3sdk.Client {
	return s3sdk.NewFromConfig(cfg, func(o *s3sdk.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}

// queueSteps clones the named queues, each dead-letter queue first (and
// added when a named queue redrives to one the plan does not name).
func queueSteps(ctx context.Context, s *session) ([]runbook.Step, error) {
	src, dst := sqssdk.NewFromConfig(patient(s.source.AWS)), sqssdk.NewFromConfig(patient(s.target.AWS))
	base := sqs.QueueConfig{Source: src, Target: dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
		SourceAccount: s.plan.Source.AWS.Account, TargetAccount: s.plan.Target.AWS.Account,
		Region: s.plan.Target.AWS.Region, Deps: []string{preflight.ID}}
	all, err := sqs.Discover(ctx, src, "", base)
	if err != nil {
		return nil, fmt.Errorf("list the queues of %s (resources.sqs): %w", s.plan.Source.AWS.Account, err)
	}
	selected, missing := sqs.Select(all, s.plan.Resources.SQS)
	if len(missing) > 0 {
		return nil, fmt.Errorf("resources.sqs: no queue %s in account %s; fix the plan's names", strings.Join(missing, ", "), s.plan.Source.AWS.Account)
	}
	steps := make([]runbook.Step, 0, len(selected))
	for _, c := range selected {
		steps = append(steps, sqs.NewQueueStep(c))
	}
	return steps, nil
}

// roleSteps clone the plan's IAM roles: each kube2iam role becomes an IRSA
// role trusted by the target cluster's OIDC issuer, for the service
// accounts whose pods assume it on the source.
func roleSteps(ctx context.Context, s *session) ([]runbook.Step, error) {
	issuer, err := oidcIssuer(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("resources.iam needs the target cluster's service-account issuer: %w", err)
	}
	subjects := kube2iamSubjects(s)
	src, dst := iamsdk.NewFromConfig(patient(s.source.AWS)), iamsdk.NewFromConfig(patient(s.target.AWS))
	var steps []runbook.Step
	for _, name := range s.plan.Resources.IAM {
		steps = append(steps, iamclone.NewRoleStep(iamclone.RoleConfig{
			Name: name, Source: src, Target: dst, Mapping: s.plan.Mapping, TargetLabel: s.plan.Target.Label,
			SourceAccount: s.plan.Source.AWS.Account, TargetAccount: s.plan.Target.AWS.Account,
			OIDCIssuer: issuer, Subjects: subjects[name], Deps: []string{preflight.ID},
		}))
	}
	return steps, nil
}

// oidcIssuer is the target's service-account token issuer: EKS's
// DescribeCluster says it when the plan names the cluster; any cluster
// publishes it in its OpenID discovery document.
func oidcIssuer(ctx context.Context, s *session) (string, error) {
	if s.target.EKS != nil && s.target.EKS.OIDCIssuer != "" {
		return s.target.EKS.OIDCIssuer, nil
	}
	body, err := s.target.Kube.Discovery().RESTClient().Get().AbsPath("/.well-known/openid-configuration").DoRaw(ctx)
	if err != nil {
		return "", fmt.Errorf("read %s's /.well-known/openid-configuration: %w", s.plan.Target.Label, err)
	}
	var doc struct{ Issuer string }
	if err := json.Unmarshal(body, &doc); err != nil || doc.Issuer == "" {
		return "", fmt.Errorf("%s's OpenID discovery document names no issuer (%v)", s.plan.Target.Label, err)
	}
	return doc.Issuer, nil
}

// kube2iamSubjects maps each role name to the target service accounts of
// the workloads whose pod template carries the kube2iam annotation for it.
func kube2iamSubjects(s *session) map[string][]string {
	out := map[string][]string{}
	for _, p := range s.inv.Snapshot().Pairs {
		objs, _ := s.inv.Objects(p.Key())
		for _, o := range objs {
			role, _, _ := unstructured.NestedString(o.Object, "spec", "template", "metadata", "annotations", "iam.amazonaws.com/role")
			if role == "" {
				continue
			}
			name := role[strings.LastIndex(role, "/")+1:]
			sa, _, _ := unstructured.NestedString(o.Object, "spec", "template", "spec", "serviceAccountName")
			if sa == "" {
				sa = "default"
			}
			subject := "system:serviceaccount:" + p.Namespace + ":" + sa
			if !slices.Contains(out[name], subject) {
				out[name] = append(out[name], subject)
			}
		}
	}
	return out
}
