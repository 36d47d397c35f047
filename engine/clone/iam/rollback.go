package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Rollback undoes what Apply did, in the new account only, newest write
// first: what the step created is deleted (a created role after its inline
// policies and attachments; a created managed policy unless another role
// attaches it; the OIDC provider unless another role's trust names it, in
// which case it stays and the progress message says so), and what it
// changed gets its prior document or value back.
func (s *roleStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) error {
	if err := s.checkConfig(); err != nil {
		return err
	}
	undos := make([]undoRecord, len(records))
	for i, raw := range records {
		if err := s.ReadUndo(i, raw, &undos[i]); err != nil {
			return err
		}
	}
	var said []string
	for i := len(undos) - 1; i >= 0; i-- {
		msg, err := s.undo(ctx, undos[i])
		if err != nil {
			return s.Fail("roll back %s: %w; roll back again, or undo it by hand from the undo records", undos[i].Op, err)
		}
		if msg != "" {
			said = append(said, msg)
		}
	}
	msg := fmt.Sprintf("role %s in %s: %d writes undone", s.NewName, s.TargetLabel, len(undos))
	if len(said) > 0 {
		msg += "; " + strings.Join(said, "; ")
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// undo reverses one write; the message is what the operator should know.
func (s *roleStep) undo(ctx context.Context, u undoRecord) (string, error) {
	t, role := s.cfg.Target, aws.String(s.NewName)
	var err error
	switch u.Op {
	case undoCreateRole:
		err = s.deleteRole(ctx)
	case undoRoleProps:
		_, err = t.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: role, Description: aws.String(u.Description), MaxSessionDuration: aws.Int32(u.MaxSession)})
	case undoTags:
		err = s.writeTags(ctx, u.PriorTags, u.AddedTags)
	case undoTrust:
		_, err = t.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: role, PolicyDocument: aws.String(u.Prior)})
	case undoInline:
		err = s.restoreInline(ctx, u)
	case undoAttach:
		_, err = t.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(u.Policy)})
	case undoDetach:
		_, err = t.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(u.Policy)})
	case undoCreatePolicy:
		return s.deletePolicy(ctx, u.Policy)
	case undoPolicyVersion:
		err = s.restoreVersion(ctx, u)
	case undoCreateProvider:
		return s.deleteProvider(ctx, u.Provider)
	default:
		return "", fmt.Errorf("unknown undo operation %q (written by a newer ferry?)", u.Op)
	}
	if notFound(err) {
		err = nil // already gone: the undo's end state
	}
	return "", err
}

// restoreInline puts an inline policy's prior document back, or deletes
// one the step added.
func (s *roleStep) restoreInline(ctx context.Context, u undoRecord) error {
	if u.Had {
		_, err := s.cfg.Target.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(s.NewName), PolicyName: aws.String(u.Policy),
			PolicyDocument: aws.String(u.Prior)})
		return err
	}
	_, err := s.cfg.Target.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(s.NewName), PolicyName: aws.String(u.Policy)})
	return err
}

// deleteRole deletes a role the step created, after what IAM requires
// gone first: its inline policies and attachments.
func (s *roleStep) deleteRole(ctx context.Context) error {
	cur, err := readRole(ctx, s.cfg.Target, s.NewName)
	if err != nil || !cur.exists {
		return err
	}
	for name := range cur.inline {
		if err := s.restoreInline(ctx, undoRecord{Policy: name}); err != nil && !notFound(err) {
			return err
		}
	}
	for _, arn := range cur.attached {
		_, err := s.cfg.Target.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(s.NewName), PolicyArn: aws.String(arn)})
		if err != nil && !notFound(err) {
			return err
		}
	}
	_, err = s.cfg.Target.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(s.NewName)})
	return err
}

// deletePolicy deletes a managed policy the step created, unless another
// role or user still attaches it.
func (s *roleStep) deletePolicy(ctx context.Context, arn string) (string, error) {
	_, err := s.cfg.Target.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	var api smithy.APIError
	switch {
	case err == nil, notFound(err):
		return "", nil
	case errors.As(err, &api) && api.ErrorCode() == "DeleteConflict":
		return fmt.Sprintf("managed policy %s stays: something else attaches it; delete it by hand when nothing does", arn), nil
	}
	return "", err
}

// restoreVersion makes a managed policy's prior default version the
// default again and deletes the version the step added.
func (s *roleStep) restoreVersion(ctx context.Context, u undoRecord) error {
	cur, err := readManaged(ctx, s.cfg.Target, u.Policy)
	if err != nil || !cur.exists || cur.version == u.Version {
		return err
	}
	arn := aws.String(u.Policy)
	if _, err := s.cfg.Target.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String(u.Version)}); err != nil {
		return err
	}
	_, err = s.cfg.Target.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(cur.version)})
	return err
}

// deleteProvider deletes the OIDC provider the step created unless a
// role's trust policy in the new account still names it.
func (s *roleStep) deleteProvider(ctx context.Context, arn string) (string, error) {
	users, err := s.providerUsers(ctx, arn)
	if err != nil {
		return "", err
	}
	if len(users) > 0 {
		return fmt.Sprintf("OIDC provider %s stays: roles %s trust it", arn, strings.Join(users, ", ")), nil
	}
	_, err = s.cfg.Target.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if notFound(err) {
		err = nil
	}
	return fmt.Sprintf("deleted OIDC provider %s, which the step created and no role trusts now", arn), err
}

// providerUsers are the roles of the new account whose trust names arn.
func (s *roleStep) providerUsers(ctx context.Context, arn string) ([]string, error) {
	var users []string
	in := &iam.ListRolesInput{}
	for {
		out, err := s.cfg.Target.ListRoles(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list roles to see who trusts OIDC provider %s: %w", arn, err)
		}
		for _, r := range out.Roles {
			doc, err := decodeDoc(aws.ToString(r.AssumeRolePolicyDocument))
			if err != nil || strings.Contains(doc, arn) {
				users = append(users, aws.ToString(r.RoleName)) // unreadable: assume it does
			}
		}
		if !out.IsTruncated || out.Marker == nil {
			return users, nil
		}
		in.Marker = out.Marker
	}
}
