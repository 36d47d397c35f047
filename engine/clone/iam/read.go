package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// defaultMaxSession is the MaxSessionDuration IAM gives a role when none
// is set.
const defaultMaxSession = 3600

// role is one account's role as read: properties, documents decoded.
type role struct {
	exists      bool
	arn, path   string
	description string
	maxSession  int32
	trust       string
	tags        map[string]string
	inline      map[string]string // policy name -> document
	attached    []string          // policy ARNs, sorted
}

// managed is a managed policy as read: its default version's document.
type managed struct {
	arn, name   string
	exists      bool
	path        string
	description string
	version     string // the default version's id
	doc         string
}

// readRole reads a role with its inline policies and attachments; a role
// that does not exist reads as exists=false.
func readRole(ctx context.Context, api SourceAPI, name string) (role, error) {
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if notFound(err) {
		return role{}, nil
	}
	if err != nil {
		return role{}, fmt.Errorf("get role: %w", err)
	}
	r := out.Role
	got := role{exists: true, arn: aws.ToString(r.Arn), path: aws.ToString(r.Path), description: aws.ToString(r.Description),
		maxSession: aws.ToInt32(r.MaxSessionDuration), tags: map[string]string{}}
	if got.maxSession == 0 {
		got.maxSession = defaultMaxSession
	}
	if got.path == "" {
		got.path = "/"
	}
	for _, t := range r.Tags {
		got.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	if got.trust, err = decodeDoc(aws.ToString(r.AssumeRolePolicyDocument)); err != nil {
		return got, fmt.Errorf("trust policy: %w", err)
	}
	if got.inline, err = readInline(ctx, api, name); err != nil {
		return got, err
	}
	got.attached, err = readAttached(ctx, api, name)
	return got, err
}

// readInline reads every inline policy of a role, decoded.
func readInline(ctx context.Context, api SourceAPI, name string) (map[string]string, error) {
	docs := map[string]string{}
	in := &iam.ListRolePoliciesInput{RoleName: aws.String(name)}
	for {
		out, err := api.ListRolePolicies(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list inline policies: %w", err)
		}
		for _, p := range out.PolicyNames {
			got, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
			if err != nil {
				return nil, fmt.Errorf("get inline policy %s: %w", p, err)
			}
			if docs[p], err = decodeDoc(aws.ToString(got.PolicyDocument)); err != nil {
				return nil, fmt.Errorf("inline policy %s: %w", p, err)
			}
		}
		if !out.IsTruncated || out.Marker == nil {
			return docs, nil
		}
		in.Marker = out.Marker
	}
}

// readAttached lists the ARNs of a role's attached managed policies.
func readAttached(ctx context.Context, api SourceAPI, name string) ([]string, error) {
	var arns []string
	in := &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}
	for {
		out, err := api.ListAttachedRolePolicies(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list attached policies: %w", err)
		}
		for _, p := range out.AttachedPolicies {
			arns = append(arns, aws.ToString(p.PolicyArn))
		}
		if !out.IsTruncated || out.Marker == nil {
			slices.Sort(arns)
			return arns, nil
		}
		in.Marker = out.Marker
	}
}

// readManaged reads a managed policy and its default version's document;
// one that does not exist reads as exists=false.
func readManaged(ctx context.Context, api SourceAPI, arn string) (managed, error) {
	m := managed{arn: arn}
	out, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if notFound(err) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("get managed policy %s: %w", arn, err)
	}
	p := out.Policy
	m.exists, m.name, m.path = true, aws.ToString(p.PolicyName), aws.ToString(p.Path)
	m.description, m.version = aws.ToString(p.Description), aws.ToString(p.DefaultVersionId)
	v, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.DefaultVersionId})
	if err != nil {
		return m, fmt.Errorf("get managed policy %s version %s: %w", arn, m.version, err)
	}
	if m.doc, err = decodeDoc(aws.ToString(v.PolicyVersion.Document)); err != nil {
		return m, fmt.Errorf("managed policy %s: %w", arn, err)
	}
	return m, nil
}

// awsManaged reports whether arn is an AWS-managed policy, attached in
// every account as it is.
func awsManaged(arn string) bool { return strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") }

// arnAccount is the account field of an ARN, "" when s is not one.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// notFound reports IAM's NoSuchEntity.
func notFound(err error) bool {
	var api smithy.APIError
	return err != nil && errors.As(err, &api) && api.ErrorCode() == "NoSuchEntity"
}
