// Package iam holds the runbook step that clones one IAM role from the old
// AWS account into the new one: its trust policy (account ids mapped; a
// kube2iam trust of the KOPS node role turned into an IRSA trust of the
// target EKS cluster's OIDC provider, which the step creates when the new
// account lacks it), its inline policies and attached policies with their
// resource ARNs mapped (customer-managed policies recreated in the new
// account, AWS-managed ones attached as they are), its tags, description,
// path and maximum session duration.
//
// The old account is only ever read: the source client's type (SourceAPI)
// has no method that writes. Rollback writes to the new account only.
package iam

import (
	"cmp"
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of a role clone.
const Kind = "clone-iam-role"

// Kinds of the Changes in a role's change set.
const (
	ChangeRole       = "AWS::IAM::Role"
	ChangeTrust      = "AWS::IAM::Role.AssumeRolePolicyDocument"
	ChangeInline     = "AWS::IAM::RolePolicy"
	ChangeManaged    = "AWS::IAM::ManagedPolicy"
	ChangeAttachment = "AWS::IAM::RolePolicyAttachment"
	ChangeOIDC       = "AWS::IAM::OIDCProvider"
)

// SourceAPI is the part of IAM the step reads in the old account. The real
// *iam.Client satisfies it; nothing in it writes.
type SourceAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, opts ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, opts ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, opts ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, opts ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// TargetAPI is the part of IAM the step calls in the new account: the
// reads, and the writes Apply and Rollback make. The real *iam.Client
// satisfies it.
type TargetAPI interface {
	SourceAPI
	ListRoles(ctx context.Context, in *iam.ListRolesInput, opts ...func(*iam.Options)) (*iam.ListRolesOutput, error)
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, opts ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateRole(ctx context.Context, in *iam.UpdateRoleInput, opts ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, opts ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, opts ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	TagRole(ctx context.Context, in *iam.TagRoleInput, opts ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	UntagRole(ctx context.Context, in *iam.UntagRoleInput, opts ...func(*iam.Options)) (*iam.UntagRoleOutput, error)
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, opts ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, opts ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, opts ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, opts ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	CreatePolicy(ctx context.Context, in *iam.CreatePolicyInput, opts ...func(*iam.Options)) (*iam.CreatePolicyOutput, error)
	CreatePolicyVersion(ctx context.Context, in *iam.CreatePolicyVersionInput, opts ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error)
	SetDefaultPolicyVersion(ctx context.Context, in *iam.SetDefaultPolicyVersionInput, opts ...func(*iam.Options)) (*iam.SetDefaultPolicyVersionOutput, error)
	DeletePolicyVersion(ctx context.Context, in *iam.DeletePolicyVersionInput, opts ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error)
	DeletePolicy(ctx context.Context, in *iam.DeletePolicyInput, opts ...func(*iam.Options)) (*iam.DeletePolicyOutput, error)
	GetOpenIDConnectProvider(ctx context.Context, in *iam.GetOpenIDConnectProviderInput, opts ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error)
	CreateOpenIDConnectProvider(ctx context.Context, in *iam.CreateOpenIDConnectProviderInput, opts ...func(*iam.Options)) (*iam.CreateOpenIDConnectProviderOutput, error)
	DeleteOpenIDConnectProvider(ctx context.Context, in *iam.DeleteOpenIDConnectProviderInput, opts ...func(*iam.Options)) (*iam.DeleteOpenIDConnectProviderOutput, error)
}

// RoleConfig is what a role clone step needs.
type RoleConfig struct {
	// Name is the role's name in the old account. Its name in the new one
	// is Name through the mapping.
	Name string
	// Source reads the old account; Target reads and writes the new one.
	Source SourceAPI
	Target TargetAPI
	// Mapping is the plan's mapping table.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids. No
	// cloned document may hold SourceAccount (nor any old account of the
	// mapping).
	SourceAccount, TargetAccount string
	// OIDCIssuer is the target EKS cluster's service-account issuer URL,
	// e.g. https://oidc.eks.us-east-1.amazonaws.com/id/XYZ (EKS
	// DescribeCluster's identity.oidc.issuer).
	OIDCIssuer string
	// Subjects are the Kubernetes service accounts that use the role on the
	// target, as "system:serviceaccount:NS:NAME"; the caller derives them
	// from the kube2iam annotations of the pods that assume the role.
	Subjects []string
	// OIDCThumbprints go into the OIDC provider if the step creates it.
	// Empty lets IAM obtain the issuer's thumbprint itself, as the API has
	// allowed since 2024 (and ignores it for EKS issuers anyway).
	OIDCThumbprints []string
	// NodeRoles are the ARNs of the KOPS node roles kube2iam assumes roles
	// from. Empty means any role of the source account named "nodes.*",
	// the name KOPS gives its node role.
	NodeRoles []string
	// Deps are steps to run first, e.g. preflight.
	Deps []string
	// Namespace and Service scope the step to the service that uses the
	// role, for runbook filters; empty means runbook-wide.
	Namespace, Service string
}

// roleStep clones one role. It keeps no state between calls: every
// method reads both accounts again. Its Step holds cfg's names, target
// label and accounts, the defaults filled in; cfg the rest.
type roleStep struct {
	awsstep.Step
	cfg RoleConfig
}

// NewRoleStep returns the runbook step that clones one IAM role.
func NewRoleStep(cfg RoleConfig) runbook.Step {
	return &roleStep{cfg: cfg, Step: awsstep.Step{StepID: StepID(cfg.Name), StepKind: Kind, HaveClients: cfg.Source != nil && cfg.Target != nil,
		Verb: "Clone", Noun: "IAM role", Resource: "role", API: "IAM",
		OldName: cfg.Name, NewName: rewrite.String(cfg.Mapping, cfg.Name), TargetLabel: cmp.Or(cfg.TargetLabel, "target"),
		SourceAccount: cfg.SourceAccount, TargetAccount: cfg.TargetAccount, Mapping: cfg.Mapping,
		Needs: cfg.Deps, Namespace: cfg.Namespace, Service: cfg.Service}}
}

// StepID is the ID of the step that clones the source role name:
// "aws/iam/<name>".
func StepID(name string) string { return "aws/iam/" + name }

// checkConfig refuses a configuration that could write to the old account
// or build a trust nobody can use.
func (s *roleStep) checkConfig() error {
	if err := s.CheckConfig(); err != nil {
		return err
	}
	if s.cfg.OIDCIssuer != "" && !strings.HasPrefix(s.cfg.OIDCIssuer, "https://") {
		return s.Fail("OIDC issuer %q is not an https URL; pass the EKS cluster's identity.oidc.issuer", s.cfg.OIDCIssuer)
	}
	for _, sub := range s.cfg.Subjects {
		if parts := strings.Split(sub, ":"); len(parts) != 4 || parts[0] != "system" || parts[1] != "serviceaccount" {
			return s.Fail("subject %q is not system:serviceaccount:NAMESPACE:NAME; fix the service account list", sub)
		}
	}
	return nil
}
