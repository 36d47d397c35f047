package iam

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// sides is the clone as read live: the source role, the target role, and
// what the target should hold.
type sides struct {
	src, dst role
	want     role
	kube2iam bool // the source trusted the KOPS node role
	policies []policyPair
	oidc     provider
}

// policyPair is a customer-managed policy the role attaches: as it should
// be in the new account, and as it is there.
type policyPair struct {
	want, have managed
}

// provider is the target cluster's OIDC provider in the new account.
type provider struct {
	arn    string
	needed bool // the mapped trust names it
	exists bool
}

// read reads both accounts and works out the wanted role. The source role
// must exist; a target role outside the target account is refused.
func (s *roleStep) read(ctx context.Context) (sides, error) {
	if err := s.checkConfig(); err != nil {
		return sides{}, err
	}
	var sd sides
	var err error
	if sd.src, err = readRole(ctx, s.cfg.Source, s.cfg.Name); err != nil {
		return sd, s.Fail("old account %s: %w; check that the source profile can read IAM there", s.SourceAccount, err)
	}
	if !sd.src.exists {
		return sd, s.Fail("no such role in the old account %s; check the source profile, or drop the role from the plan's resources", s.SourceAccount)
	}
	if sd.dst, err = s.readTarget(ctx); err != nil {
		return sd, err
	}
	if err := s.wanted(&sd); err != nil {
		return sd, err
	}
	if err := s.readPolicies(ctx, &sd); err != nil {
		return sd, err
	}
	return sd, s.readProvider(ctx, &sd)
}

// readTarget reads the role in the new account and checks it is there: a
// client pointed at the wrong account must never be written through.
func (s *roleStep) readTarget(ctx context.Context) (role, error) {
	r, err := readRole(ctx, s.cfg.Target, s.NewName)
	if err != nil {
		return r, s.Fail("%s (account %s): %w; check that the target profile can read IAM there", s.TargetLabel, s.TargetAccount, err)
	}
	if r.exists && arnAccount(r.arn) != s.TargetAccount {
		return r, s.Fail("role %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			s.NewName, arnAccount(r.arn), s.TargetAccount)
	}
	return r, nil
}

// wanted maps the source role into what the new account should hold.
func (s *roleStep) wanted(sd *sides) error {
	m := s.Mapping
	src := sd.src
	w := role{exists: true, path: src.path, description: rewrite.String(m, src.description), maxSession: src.maxSession,
		tags: awsstep.MapTags(m, src.tags), inline: map[string]string{}}
	var err error
	if w.trust, sd.kube2iam, err = s.mapTrust(src.trust); err != nil {
		return err
	}
	for name, doc := range src.inline {
		if w.inline[name], err = mapDoc(m, doc); err != nil {
			return s.Fail("inline policy %s: %w; fix it in the old account", name, err)
		}
	}
	for _, arn := range src.attached {
		w.attached = append(w.attached, s.targetPolicyARN(arn))
	}
	slices.Sort(w.attached)
	sd.want = w
	return nil
}

// targetPolicyARN is where a source policy lives in the new account: an
// AWS-managed policy stays, a customer-managed one moves with the mapping.
func (s *roleStep) targetPolicyARN(arn string) string {
	if awsManaged(arn) {
		return arn
	}
	return rewrite.String(s.Mapping, arn)
}

// readPolicies reads each customer-managed policy the source role attaches
// (its default version) and its counterpart in the new account.
func (s *roleStep) readPolicies(ctx context.Context, sd *sides) error {
	for _, arn := range sd.src.attached {
		if awsManaged(arn) {
			continue
		}
		src, err := readManaged(ctx, s.cfg.Source, arn)
		if err != nil {
			return s.Fail("old account %s: %w; check that the source profile can read IAM policies there", s.SourceAccount, err)
		}
		if !src.exists {
			return s.Fail("attached policy %s is gone from the old account; apply again once the role there is consistent", arn)
		}
		want := managed{arn: s.targetPolicyARN(arn), exists: true, path: src.path, description: rewrite.String(s.Mapping, src.description)}
		want.name = path.Base(want.arn)
		if arnAccount(want.arn) != s.TargetAccount {
			return s.Fail("policy %s maps to %s, outside the target account %s; add its account to the plan's mapping.accounts", arn, want.arn, s.TargetAccount)
		}
		if want.doc, err = mapDoc(s.Mapping, src.doc); err != nil {
			return s.Fail("managed policy %s: %w; fix it in the old account", arn, err)
		}
		have, err := readManaged(ctx, s.cfg.Target, want.arn)
		if err != nil {
			return s.Fail("%s: %w; check that the target profile can read IAM policies there", s.TargetLabel, err)
		}
		sd.policies = append(sd.policies, policyPair{want: want, have: have})
	}
	return nil
}

// readProvider looks for the OIDC provider an IRSA trust names.
func (s *roleStep) readProvider(ctx context.Context, sd *sides) error {
	if !sd.kube2iam {
		return nil
	}
	sd.oidc = provider{arn: s.providerARN(), needed: true}
	_, err := s.cfg.Target.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(sd.oidc.arn)})
	switch {
	case notFound(err):
		return nil
	case err != nil:
		return s.Fail("read OIDC provider %s in %s: %w; check that the target profile can read IAM there", sd.oidc.arn, s.TargetLabel, err)
	}
	sd.oidc.exists = true
	return nil
}

// props renders the role's own properties for a change set.
func props(r role) string {
	return encode(map[string]any{"Path": r.path, "Description": r.description, "MaxSessionDuration": r.maxSession,
		"Tags": maps.Clone(r.tags)}, true)
}

// propDiff names the properties of have that differ from want; path
// cannot change.
func propDiff(want, have role) (fields []string, set map[string]string, untag []string) {
	if want.description != have.description {
		fields = append(fields, "Description")
	}
	if want.maxSession != have.maxSession {
		fields = append(fields, "MaxSessionDuration")
	}
	set, untag = awsstep.TagDiff(want.tags, have.tags)
	if len(set)+len(untag) > 0 {
		fields = append(fields, "Tags")
	}
	return fields, set, untag
}

// pathErr explains a target role whose path differs: IAM cannot move a role.
func (s *roleStep) pathErr(sd sides) error {
	return s.Fail("role %s already exists in %s with path %s, not %s, and IAM cannot change a role's path; delete it there or rename the role in the plan's mapping",
		s.NewName, s.TargetLabel, sd.dst.path, sd.want.path)
}

// inlineName names an inline policy in change sets and evidence.
func (s *roleStep) inlineName(policy string) string { return fmt.Sprintf("%s/%s", s.NewName, policy) }
