package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// seeder puts one side of the scenario (sandbox/SCENARIO.md) into an account
// through its public endpoint, with the same SDK clients ferry uses, so the
// seed also exercises the proxy. Every step is idempotent: seeding an
// account that is already seeded changes nothing.
type seeder struct {
	account string
	region  string
	ddb     *dynamodb.Client
	s3      *s3.Client
	sqs     *sqs.Client
	iam     *iam.Client
	r53     *route53.Client
	secrets *secretsmanager.Client
}

// seedAccount seeds side ("old", "new" or "none") into the account served at
// endpoint.
func seedAccount(ctx context.Context, endpoint, region, account, side string) error {
	s := newSeeder(sdkConfig(endpoint, region), account)
	switch side {
	case "old":
		return s.seedOld(ctx)
	case "new":
		return s.seedNew(ctx)
	case "none":
		return nil
	default:
		return fmt.Errorf("unknown seed %q: want old, new or none", side)
	}
}

// sdkConfig talks to one sandbox endpoint with fixed credentials. It is built
// by hand rather than by config.LoadDefaultConfig so that the caller's
// AWS_PROFILE and shared config files cannot leak in.
func sdkConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("FERRYSANDBOX", "ferry-sandbox-secret", ""),
	}
}

func newSeeder(cfg aws.Config, account string) *seeder {
	return &seeder{
		account: account,
		region:  cfg.Region,
		ddb:     dynamodb.NewFromConfig(cfg),
		s3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs:     sqs.NewFromConfig(cfg),
		iam:     iam.NewFromConfig(cfg),
		r53:     route53.NewFromConfig(cfg),
		secrets: secretsmanager.NewFromConfig(cfg),
	}
}

func (s *seeder) seedOld(ctx context.Context) error {
	steps := []struct {
		what string
		run  func(context.Context) error
	}{
		{"dynamodb", s.seedTables},
		{"s3", s.seedBuckets},
		{"sqs", s.seedQueues},
		{"iam", s.seedOldRoles},
		{"route53", s.seedZone},
		{"route53 public zone", s.seedPublicZone},
		{"secretsmanager", s.seedSecret},
		{"ssm", s.seedParams},
		{"rds", s.seedOldDatabases},
	}
	for _, step := range steps {
		if err := step.run(ctx); err != nil {
			return fmt.Errorf("seed %s: %w", step.what, err)
		}
	}
	return nil
}

func (s *seeder) seedOldRoles(ctx context.Context) error {
	return s.seedRoles(ctx, oldRoles(s.account, s.region))
}

func (s *seeder) seedNew(ctx context.Context) error {
	if err := s.seedRoles(ctx, newRoles(s.account, s.region)); err != nil {
		return fmt.Errorf("seed iam: %w", err)
	}
	if err := s.seedNewDatabases(ctx); err != nil {
		return fmt.Errorf("seed rds: %w", err)
	}
	return nil
}

// seedRoles creates each role once and (re)writes its inline policy, which
// is idempotent.
func (s *seeder) seedRoles(ctx context.Context, roles []roleSpec) error {
	for _, r := range roles {
		_, err := s.iam.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(r.name),
			AssumeRolePolicyDocument: aws.String(r.trust),
			Description:              aws.String(r.description),
		})
		if err != nil && !hasCode(err, "EntityAlreadyExists") {
			return fmt.Errorf("create role %s: %w", r.name, err)
		}
		_, err = s.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName:       aws.String(r.name),
			PolicyName:     aws.String(r.name + "-access"),
			PolicyDocument: aws.String(r.policy),
		})
		if err != nil {
			return fmt.Errorf("put policy of role %s: %w", r.name, err)
		}
	}
	return nil
}

// hasCode reports whether err is an AWS API error with one of codes.
func hasCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, c := range codes {
		if apiErr.ErrorCode() == c {
			return true
		}
	}
	return false
}
