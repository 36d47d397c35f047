package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Undo operations: what a write did, so Rollback knows how to undo it.
const (
	undoCreateProvider = "create-oidc-provider"
	undoCreatePolicy   = "create-policy"
	undoPolicyVersion  = "policy-version"
	undoCreateRole     = "create-role"
	undoRoleProps      = "role-props"
	undoTags           = "tags"
	undoTrust          = "trust"
	undoInline         = "inline"
	undoAttach         = "attach"
	undoDetach         = "detach"
)

// undoRecord is what Apply saves before a write, and all Rollback needs to
// undo it, in a later process too.
type undoRecord struct {
	// Role is the role's name in the new account, Account that account.
	Role    string `json:"role"`
	Account string `json:"account"`
	Op      string `json:"op"`
	// Policy is the inline policy's name or the managed policy's ARN;
	// Provider the OIDC provider's ARN.
	Policy   string `json:"policy,omitempty"`
	Provider string `json:"provider,omitempty"`
	// Prior is the document (trust or inline) before the write; Had says
	// an inline policy of that name existed.
	Prior string `json:"prior,omitempty"`
	Had   bool   `json:"had,omitempty"`
	// Version is a managed policy's default version before the write.
	Version string `json:"version,omitempty"`
	// Description and MaxSession are the role's before UpdateRole.
	Description string `json:"description,omitempty"`
	MaxSession  int32  `json:"maxSession,omitempty"`
	// PriorTags are tags the write changes or removes, as they were;
	// AddedTags the keys it adds.
	PriorTags map[string]string `json:"priorTags,omitempty"`
	AddedTags []string          `json:"addedTags,omitempty"`
}

// UndoTarget is the role and account the write went to.
func (u undoRecord) UndoTarget() (name, account string) { return u.Role, u.Account }

// Apply brings the new account to the mapped source role — OIDC provider,
// managed policies, role, trust, tags, inline policies, attachments, in
// that order — writing only what differs: a second Apply makes no write.
// An undo record is saved before each write. The source is only read.
func (s *roleStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	sd, err := s.read(ctx)
	if err != nil {
		return err
	}
	if sd.dst.exists && sd.dst.path != sd.want.path {
		return s.pathErr(sd)
	}
	w := &writer{s: s, ctx: ctx, rec: rec}
	s.applyProvider(w, sd)
	s.applyPolicies(w, sd)
	if sd.dst.exists {
		s.updateRole(w, sd)
	} else {
		s.createRole(w, sd)
	}
	s.applyInline(w, sd)
	s.applyAttachments(w, sd)
	if w.err != nil {
		return w.err
	}
	msg := fmt.Sprintf("role %s in %s: %d writes", s.NewName, s.TargetLabel, w.n)
	if w.n == 0 {
		msg = fmt.Sprintf("role %s in %s is already as the mapped source", s.NewName, s.TargetLabel)
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// writer saves an undo record before each write and stops at the first
// failure, so Apply reads as the list of writes it makes.
type writer struct {
	s   *roleStep
	ctx context.Context
	rec runbook.Recorder
	n   int
	err error
}

// do saves u, then runs the write call; what names it in errors.
func (w *writer) do(u undoRecord, what string, call func(context.Context) error) {
	if w.err != nil {
		return
	}
	u.Role, u.Account = w.s.NewName, w.s.TargetAccount
	raw, err := json.Marshal(u)
	if err == nil {
		err = w.rec.Save(raw)
	}
	if err != nil {
		w.err = w.s.Fail("save the undo record before %s: %w; nothing more was written, fix the journal's storage and apply again", what, err)
		return
	}
	if err := call(w.ctx); err != nil {
		w.err = w.s.Fail("%s in %s: %w; fix what IAM says and apply again, or roll back", what, w.s.TargetLabel, err)
		return
	}
	w.n++
}

// applyProvider creates the OIDC provider an IRSA trust names.
func (s *roleStep) applyProvider(w *writer, sd sides) {
	if !sd.oidc.needed || sd.oidc.exists {
		return
	}
	in := &iam.CreateOpenIDConnectProviderInput{Url: aws.String(s.cfg.OIDCIssuer), ClientIDList: []string{stsAudience}}
	if len(s.cfg.OIDCThumbprints) > 0 {
		in.ThumbprintList = s.cfg.OIDCThumbprints
	}
	w.do(undoRecord{Op: undoCreateProvider, Provider: sd.oidc.arn}, "create OIDC provider "+sd.oidc.arn, func(ctx context.Context) error {
		_, err := s.cfg.Target.CreateOpenIDConnectProvider(ctx, in)
		return err
	})
}

// applyPolicies creates each customer-managed policy, or gives an existing
// one the mapped document as a new default version.
func (s *roleStep) applyPolicies(w *writer, sd sides) {
	for _, p := range sd.policies {
		want := p.want
		switch {
		case !p.have.exists:
			in := &iam.CreatePolicyInput{PolicyName: aws.String(want.name), Path: aws.String(want.path), PolicyDocument: aws.String(want.doc)}
			if want.description != "" {
				in.Description = aws.String(want.description)
			}
			w.do(undoRecord{Op: undoCreatePolicy, Policy: want.arn}, "create managed policy "+want.arn, func(ctx context.Context) error {
				_, err := s.cfg.Target.CreatePolicy(ctx, in)
				return err
			})
		case !sameDoc(want.doc, p.have.doc):
			in := &iam.CreatePolicyVersionInput{PolicyArn: aws.String(want.arn), PolicyDocument: aws.String(want.doc), SetAsDefault: true}
			w.do(undoRecord{Op: undoPolicyVersion, Policy: want.arn, Version: p.have.version},
				"add a default version to managed policy "+want.arn+" (IAM keeps 5 versions: delete an old one if it refuses)",
				func(ctx context.Context) error { return s.createVersion(ctx, in) })
		}
	}
}

// createRole creates the role with its trust, properties and tags in one
// call.
func (s *roleStep) createRole(w *writer, sd sides) {
	in := &iam.CreateRoleInput{RoleName: aws.String(s.NewName), Path: aws.String(sd.want.path),
		AssumeRolePolicyDocument: aws.String(sd.want.trust), MaxSessionDuration: aws.Int32(sd.want.maxSession), Tags: tagList(sd.want.tags)}
	if sd.want.description != "" {
		in.Description = aws.String(sd.want.description)
	}
	w.do(undoRecord{Op: undoCreateRole}, "create role "+s.NewName, func(ctx context.Context) error {
		_, err := s.cfg.Target.CreateRole(ctx, in)
		return err
	})
}

// updateRole writes the properties, tags and trust that differ.
func (s *roleStep) updateRole(w *writer, sd sides) {
	fields, set, untag := propDiff(sd.want, sd.dst)
	if slices.Contains(fields, "Description") || slices.Contains(fields, "MaxSessionDuration") {
		in := &iam.UpdateRoleInput{RoleName: aws.String(s.NewName), Description: aws.String(sd.want.description),
			MaxSessionDuration: aws.Int32(sd.want.maxSession)}
		w.do(undoRecord{Op: undoRoleProps, Description: sd.dst.description, MaxSession: sd.dst.maxSession}, "update role "+s.NewName,
			func(ctx context.Context) error { _, err := s.cfg.Target.UpdateRole(ctx, in); return err })
	}
	if len(set)+len(untag) > 0 {
		prior, added := awsstep.PriorTags(sd.dst.tags, set, untag)
		w.do(undoRecord{Op: undoTags, PriorTags: prior, AddedTags: added}, "tag role "+s.NewName,
			func(ctx context.Context) error { return s.writeTags(ctx, set, untag) })
	}
	if !sameDoc(sd.want.trust, sd.dst.trust) {
		in := &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(s.NewName), PolicyDocument: aws.String(sd.want.trust)}
		w.do(undoRecord{Op: undoTrust, Prior: sd.dst.trust}, "update the trust policy of role "+s.NewName,
			func(ctx context.Context) error { _, err := s.cfg.Target.UpdateAssumeRolePolicy(ctx, in); return err })
	}
}

// applyInline puts each inline policy that is missing or differs, then
// deletes those the source role lacks.
func (s *roleStep) applyInline(w *writer, sd sides) {
	for _, name := range slices.Sorted(maps.Keys(sd.want.inline)) {
		have, had := sd.dst.inline[name]
		if had && sameDoc(sd.want.inline[name], have) {
			continue
		}
		in := &iam.PutRolePolicyInput{RoleName: aws.String(s.NewName), PolicyName: aws.String(name), PolicyDocument: aws.String(sd.want.inline[name])}
		w.do(undoRecord{Op: undoInline, Policy: name, Prior: have, Had: had}, "put inline policy "+s.inlineName(name),
			func(ctx context.Context) error { _, err := s.cfg.Target.PutRolePolicy(ctx, in); return err })
	}
	for _, name := range extraInline(sd) {
		in := &iam.DeleteRolePolicyInput{RoleName: aws.String(s.NewName), PolicyName: aws.String(name)}
		w.do(undoRecord{Op: undoInline, Policy: name, Prior: sd.dst.inline[name], Had: true}, "delete inline policy "+s.inlineName(name),
			func(ctx context.Context) error { _, err := s.cfg.Target.DeleteRolePolicy(ctx, in); return err })
	}
}

// applyAttachments attaches what is missing and detaches what the source
// role lacks.
func (s *roleStep) applyAttachments(w *writer, sd sides) {
	for _, arn := range sd.want.attached {
		if slices.Contains(sd.dst.attached, arn) {
			continue
		}
		in := &iam.AttachRolePolicyInput{RoleName: aws.String(s.NewName), PolicyArn: aws.String(arn)}
		w.do(undoRecord{Op: undoAttach, Policy: arn}, "attach "+arn+" to role "+s.NewName,
			func(ctx context.Context) error { _, err := s.cfg.Target.AttachRolePolicy(ctx, in); return err })
	}
	for _, arn := range detachments(sd) {
		in := &iam.DetachRolePolicyInput{RoleName: aws.String(s.NewName), PolicyArn: aws.String(arn)}
		w.do(undoRecord{Op: undoDetach, Policy: arn}, "detach "+arn+" from role "+s.NewName,
			func(ctx context.Context) error { _, err := s.cfg.Target.DetachRolePolicy(ctx, in); return err })
	}
}

// writeTags sets, then removes tags, skipping empty calls.
func (s *roleStep) writeTags(ctx context.Context, set map[string]string, untag []string) error {
	if len(set) > 0 {
		if _, err := s.cfg.Target.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(s.NewName), Tags: tagList(set)}); err != nil {
			return err
		}
	}
	if len(untag) > 0 {
		_, err := s.cfg.Target.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(s.NewName), TagKeys: untag})
		return err
	}
	return nil
}

// tagList is tags in IAM's form, sorted by key; nil when there are none.
func tagList(tags map[string]string) []types.Tag {
	var out []types.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
