package iam

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckExists     = "role exists"
	CheckProperties = "properties match"
	CheckTrust      = "trust policy matches"
	CheckInline     = "inline policies match"
	CheckAttached   = "attached policies match"
	CheckAccounts   = "no old-account ids"
	CheckIRSA       = "IRSA trust"
)

// Verify reads the role back from the new account and compares it with
// the mapped source: properties and tags, the trust policy, each inline
// policy and each attachment (customer-managed policies by their default
// version), documents compared by meaning. It scans every document for old
// account ids, naming the policy and statement, and, for a kube2iam role,
// checks the trust names the target's OIDC provider (which must exist)
// and each service account.
func (s *roleStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if !sd.dst.exists {
		return s.Missing(CheckExists, CheckProperties, CheckTrust, CheckInline, CheckAttached, CheckAccounts), nil
	}
	checks := []runbook.Check{s.Found(CheckExists, sd.dst.arn), propertiesCheck(sd), trustCheck(sd), s.inlineCheck(sd), attachedCheck(sd), s.accountsCheck(sd)}
	if sd.kube2iam {
		checks = append(checks, s.irsaCheck(sd))
	}
	return checks, nil
}

func propertiesCheck(sd sides) runbook.Check {
	var lines []string
	if sd.want.path != sd.dst.path {
		lines = append(lines, fmt.Sprintf("Path: want %s, have %s", sd.want.path, sd.dst.path))
	}
	if fields, _, _ := propDiff(sd.want, sd.dst); len(fields) > 0 {
		lines = append(lines, fmt.Sprintf("%s differ: want\n%s\nhave\n%s", strings.Join(fields, ", "), props(sd.want), props(sd.dst)))
	}
	return awsstep.Check(CheckProperties, lines, fmt.Sprintf("path, description, max session %ds and %d tags equal the mapped source's",
		sd.dst.maxSession, len(sd.dst.tags)))
}

func trustCheck(sd sides) runbook.Check {
	var lines []string
	if !sameDoc(sd.want.trust, sd.dst.trust) {
		lines = append(lines, fmt.Sprintf("want\n%s\nhave\n%s", pretty(sd.want.trust), pretty(sd.dst.trust)))
	}
	return awsstep.Check(CheckTrust, lines, "the trust policy means the same as the mapped source's")
}

func (s *roleStep) inlineCheck(sd sides) runbook.Check {
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(sd.want.inline)) {
		have, ok := sd.dst.inline[name]
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("%s: missing", s.inlineName(name)))
		case !sameDoc(sd.want.inline[name], have):
			lines = append(lines, fmt.Sprintf("%s: want\n%s\nhave\n%s", s.inlineName(name), pretty(sd.want.inline[name]), pretty(have)))
		}
	}
	for _, name := range extraInline(sd) {
		lines = append(lines, fmt.Sprintf("%s: not on the source role", s.inlineName(name)))
	}
	return awsstep.Check(CheckInline, lines, fmt.Sprintf("%d inline policies mean the same as the mapped source's", len(sd.want.inline)))
}

func attachedCheck(sd sides) runbook.Check {
	var lines []string
	for _, arn := range sd.want.attached {
		if !slices.Contains(sd.dst.attached, arn) {
			lines = append(lines, arn+": not attached")
		}
	}
	for _, arn := range detachments(sd) {
		lines = append(lines, arn+": attached, but not on the source role")
	}
	for _, p := range sd.policies {
		switch {
		case !p.have.exists:
			lines = append(lines, p.want.arn+": the managed policy does not exist")
		case !sameDoc(p.want.doc, p.have.doc):
			lines = append(lines, fmt.Sprintf("%s (version %s): want\n%s\nhave\n%s", p.want.arn, p.have.version, pretty(p.want.doc), pretty(p.have.doc)))
		}
	}
	return awsstep.Check(CheckAttached, lines, fmt.Sprintf("%d attached policies (%d customer-managed, documents equal the mapped source's)",
		len(sd.want.attached), len(sd.policies)))
}

// accountsCheck scans the role's ARN, tags and every document in the new
// account for old account ids.
func (s *roleStep) accountsCheck(sd sides) runbook.Check {
	f := s.Findings()
	f.Scan("role ARN", sd.dst.arn)
	f.Scan("description", sd.dst.description)
	for _, k := range slices.Sorted(maps.Keys(sd.dst.tags)) {
		f.Scan("tag "+k, sd.dst.tags[k])
	}
	f.Add(scanDoc("trust policy", sd.dst.trust, f.Old())...)
	for _, name := range slices.Sorted(maps.Keys(sd.dst.inline)) {
		f.Add(scanDoc("inline policy "+name, sd.dst.inline[name], f.Old())...)
	}
	for _, arn := range sd.dst.attached {
		f.Scan("attached policy", arn)
	}
	for _, p := range sd.policies {
		if p.have.exists {
			f.Add(scanDoc("managed policy "+p.have.arn, p.have.doc, f.Old())...)
		}
	}
	return f.Check(CheckAccounts, fmt.Sprintf("the role, its tags, trust, %d inline and %d managed policies", len(sd.dst.inline), len(sd.policies)))
}

// irsaCheck: the trust names the target's OIDC provider, which exists, and
// each service account with the STS audience.
func (s *roleStep) irsaCheck(sd sides) runbook.Check {
	lines := s.irsaEvidence(sd.dst.trust)
	if !sd.oidc.exists {
		lines = append(lines, fmt.Sprintf("OIDC provider %s does not exist in %s; apply the step", sd.oidc.arn, s.TargetLabel))
	}
	return awsstep.Check(CheckIRSA, lines, fmt.Sprintf("%s may assume the role with web identity tokens for %s (audience %s)",
		sd.oidc.arn, strings.Join(s.cfg.Subjects, ", "), stsAudience))
}
