package iam

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
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
	exists := runbook.Check{Name: CheckExists, OK: sd.dst.exists}
	if !exists.OK {
		exists.Evidence = fmt.Sprintf("no role %s in %s (account %s); apply the step", s.target, s.cfg.TargetLabel, s.cfg.TargetAccount)
		absent := "the role is absent"
		checks := []runbook.Check{exists}
		for _, n := range []string{CheckProperties, CheckTrust, CheckInline, CheckAttached, CheckAccounts} {
			checks = append(checks, runbook.Check{Name: n, Evidence: absent})
		}
		return checks, nil
	}
	exists.Evidence = fmt.Sprintf("%s in %s: %s", s.target, s.cfg.TargetLabel, sd.dst.arn)
	checks := []runbook.Check{exists, propertiesCheck(sd), trustCheck(sd), s.inlineCheck(sd), attachedCheck(sd), s.accountsCheck(sd)}
	if sd.kube2iam {
		checks = append(checks, s.irsaCheck(sd))
	}
	return checks, nil
}

// check builds a check that passes when there are no problems.
func check(name string, problems []string, ok string) runbook.Check {
	c := runbook.Check{Name: name, OK: len(problems) == 0, Evidence: strings.Join(problems, "\n")}
	if c.OK {
		c.Evidence = ok
	}
	return c
}

func propertiesCheck(sd sides) runbook.Check {
	var lines []string
	if sd.want.path != sd.dst.path {
		lines = append(lines, fmt.Sprintf("Path: want %s, have %s", sd.want.path, sd.dst.path))
	}
	if fields, _, _ := propDiff(sd.want, sd.dst); len(fields) > 0 {
		lines = append(lines, fmt.Sprintf("%s differ: want\n%s\nhave\n%s", strings.Join(fields, ", "), props(sd.want), props(sd.dst)))
	}
	return check(CheckProperties, lines, fmt.Sprintf("path, description, max session %ds and %d tags equal the mapped source's",
		sd.dst.maxSession, len(sd.dst.tags)))
}

func trustCheck(sd sides) runbook.Check {
	var lines []string
	if !sameDoc(sd.want.trust, sd.dst.trust) {
		lines = append(lines, fmt.Sprintf("want\n%s\nhave\n%s", pretty(sd.want.trust), pretty(sd.dst.trust)))
	}
	return check(CheckTrust, lines, "the trust policy means the same as the mapped source's")
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
	return check(CheckInline, lines, fmt.Sprintf("%d inline policies mean the same as the mapped source's", len(sd.want.inline)))
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
	return check(CheckAttached, lines, fmt.Sprintf("%d attached policies (%d customer-managed, documents equal the mapped source's)",
		len(sd.want.attached), len(sd.policies)))
}

// accountsCheck scans the role's ARN, tags and every document in the new
// account for old account ids.
func (s *roleStep) accountsCheck(sd sides) runbook.Check {
	old := rewrite.OldAccounts(s.cfg.Mapping, s.cfg.SourceAccount)
	lines := prefixed("role ARN", rewrite.Locators(sd.dst.arn, old))
	lines = append(lines, prefixed("description", rewrite.Locators(sd.dst.description, old))...)
	for _, k := range slices.Sorted(maps.Keys(sd.dst.tags)) {
		lines = append(lines, prefixed("tag "+k, rewrite.Locators(sd.dst.tags[k], old))...)
	}
	lines = append(lines, scanDoc("trust policy", sd.dst.trust, old)...)
	for _, name := range slices.Sorted(maps.Keys(sd.dst.inline)) {
		lines = append(lines, scanDoc("inline policy "+name, sd.dst.inline[name], old)...)
	}
	for _, arn := range sd.dst.attached {
		lines = append(lines, prefixed("attached policy", rewrite.Locators(arn, old))...)
	}
	for _, p := range sd.policies {
		if p.have.exists {
			lines = append(lines, scanDoc("managed policy "+p.have.arn, p.have.doc, old)...)
		}
	}
	return check(CheckAccounts, lines, fmt.Sprintf("none of %s in the role, its tags, trust, %d inline and %d managed policies",
		strings.Join(old, ", "), len(sd.dst.inline), len(sd.policies)))
}

// irsaCheck: the trust names the target's OIDC provider, which exists, and
// each service account with the STS audience.
func (s *roleStep) irsaCheck(sd sides) runbook.Check {
	lines := s.irsaEvidence(sd.dst.trust)
	if !sd.oidc.exists {
		lines = append(lines, fmt.Sprintf("OIDC provider %s does not exist in %s; apply the step", sd.oidc.arn, s.cfg.TargetLabel))
	}
	return check(CheckIRSA, lines, fmt.Sprintf("%s may assume the role with web identity tokens for %s (audience %s)",
		sd.oidc.arn, strings.Join(s.cfg.Subjects, ", "), stsAudience))
}
