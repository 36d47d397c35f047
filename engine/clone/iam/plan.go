package iam

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan compares the mapped source role with the new account's: the OIDC
// provider an IRSA trust needs, each customer-managed policy, the role's
// properties, its trust policy, each inline policy and each attachment,
// every one a create, update, delete or none with its documents before and
// after (pretty JSON, keys sorted).
func (s *roleStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	if sd.dst.exists && sd.dst.path != sd.want.path {
		return runbook.ChangeSet{}, s.pathErr(sd)
	}
	cs := runbook.ChangeSet{Step: s.ID()}
	cs.Changes = append(cs.Changes, s.providerChanges(sd)...)
	cs.Changes = append(cs.Changes, policyChanges(sd)...)
	cs.Changes = append(cs.Changes, s.roleChanges(sd)...)
	cs.Changes = append(cs.Changes, s.inlineChanges(sd)...)
	cs.Changes = append(cs.Changes, s.attachmentChanges(sd)...)
	cs.Notes = s.notes(sd)
	return cs, nil
}

// providerChanges plans the OIDC provider an IRSA trust names.
func (s *roleStep) providerChanges(sd sides) []runbook.Change {
	if !sd.oidc.needed {
		return nil
	}
	ch := runbook.Change{Kind: ChangeOIDC, Name: sd.oidc.arn, Op: runbook.OpNone, After: s.providerDoc()}
	if !sd.oidc.exists {
		ch.Op = runbook.OpCreate
	} else {
		ch.Before = ch.After
	}
	return []runbook.Change{ch}
}

// providerDoc renders the provider the step would create.
func (s *roleStep) providerDoc() string {
	thumbs := any(s.cfg.OIDCThumbprints)
	if len(s.cfg.OIDCThumbprints) == 0 {
		thumbs = "(obtained by IAM)"
	}
	return encode(map[string]any{"Url": s.cfg.OIDCIssuer, "ClientIDList": []string{stsAudience}, "ThumbprintList": thumbs}, true)
}

// policyChanges plans each customer-managed policy: create, a new default
// version, or none.
func policyChanges(sd sides) []runbook.Change {
	var out []runbook.Change
	for _, p := range sd.policies {
		ch := runbook.Change{Kind: ChangeManaged, Name: p.want.arn, After: pretty(p.want.doc), Op: runbook.OpCreate}
		if p.have.exists {
			ch.Before, ch.Op = pretty(p.have.doc), runbook.OpNone
			if !sameDoc(p.want.doc, p.have.doc) {
				ch.Op = runbook.OpUpdate
			}
		}
		out = append(out, ch)
	}
	return out
}

// roleChanges plans the role's properties and its trust policy.
func (s *roleStep) roleChanges(sd sides) []runbook.Change {
	r := runbook.Change{Kind: ChangeRole, Name: s.NewName, After: props(sd.want), Op: runbook.OpCreate}
	t := runbook.Change{Kind: ChangeTrust, Name: s.NewName, After: pretty(sd.want.trust), Op: runbook.OpCreate}
	if sd.dst.exists {
		r.Before, t.Before = props(sd.dst), pretty(sd.dst.trust)
		r.Op, t.Op = runbook.OpNone, runbook.OpNone
		if fields, _, _ := propDiff(sd.want, sd.dst); len(fields) > 0 {
			r.Op = runbook.OpUpdate
		}
		if !sameDoc(sd.want.trust, sd.dst.trust) {
			t.Op = runbook.OpUpdate
		}
	}
	return []runbook.Change{r, t}
}

// inlineChanges plans each inline policy: put the mapped source's, delete
// one the source role does not have.
func (s *roleStep) inlineChanges(sd sides) []runbook.Change {
	var out []runbook.Change
	for _, name := range slices.Sorted(maps.Keys(sd.want.inline)) {
		ch := runbook.Change{Kind: ChangeInline, Name: s.inlineName(name), After: pretty(sd.want.inline[name]), Op: runbook.OpCreate}
		if have, ok := sd.dst.inline[name]; ok {
			ch.Before, ch.Op = pretty(have), runbook.OpNone
			if !sameDoc(sd.want.inline[name], have) {
				ch.Op = runbook.OpUpdate
			}
		}
		out = append(out, ch)
	}
	for _, name := range extraInline(sd) {
		out = append(out, runbook.Change{Kind: ChangeInline, Name: s.inlineName(name), Before: pretty(sd.dst.inline[name]), Op: runbook.OpDelete})
	}
	return out
}

// extraInline are the target role's inline policies the source lacks.
func extraInline(sd sides) []string {
	var out []string
	for name := range sd.dst.inline {
		if _, ok := sd.want.inline[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// attachmentChanges plans each attachment: attach, detach one the source
// lacks, or none.
func (s *roleStep) attachmentChanges(sd sides) []runbook.Change {
	var out []runbook.Change
	for _, arn := range sd.want.attached {
		op := runbook.OpCreate
		if slices.Contains(sd.dst.attached, arn) {
			op = runbook.OpNone
		}
		out = append(out, runbook.Change{Kind: ChangeAttachment, Name: s.NewName + " -> " + arn, After: arn, Op: op})
	}
	for _, arn := range detachments(sd) {
		out = append(out, runbook.Change{Kind: ChangeAttachment, Name: s.NewName + " -> " + arn, Before: arn, Op: runbook.OpDelete})
	}
	return out
}

// detachments are the policies the target role attaches and the source
// role does not.
func detachments(sd sides) []string {
	var out []string
	for _, arn := range sd.dst.attached {
		if !slices.Contains(sd.want.attached, arn) {
			out = append(out, arn)
		}
	}
	return out
}

// notes say what the operator should know: the kube2iam -> IRSA switch,
// who must use the role, extras the clone removes.
func (s *roleStep) notes(sd sides) []string {
	var notes []string
	if sd.kube2iam {
		notes = append(notes, fmt.Sprintf("kube2iam trust of the KOPS node role becomes IRSA: %s may assume the role through %s",
			strings.Join(s.cfg.Subjects, ", "), sd.oidc.arn))
		if !sd.oidc.exists {
			notes = append(notes, fmt.Sprintf("OIDC provider %s is not in %s yet: the step creates it (audience %s)", sd.oidc.arn, s.TargetLabel, stsAudience))
		}
	}
	if extra := append(extraInline(sd), detachments(sd)...); len(extra) > 0 {
		notes = append(notes, fmt.Sprintf("role %s in %s has policies the source role lacks, which apply removes (rollback restores them): %s",
			s.NewName, s.TargetLabel, strings.Join(extra, ", ")))
	}
	return notes
}
