package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckExists   = "bucket exists"
	CheckConfig   = "configuration matches"
	CheckObjects  = "objects match"
	CheckAccounts = "no old-account ids"
)

// Verify checks the bucket in the new account: it exists; each
// configuration part equals the mapped source's; it holds exactly the
// source's objects (count, bytes, and every key's size and ETag, from both
// listings streamed side by side); and no policy, tag or notification
// names an old account.
func (s *bucketStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	v, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if !v.exists {
		absent := "the bucket is absent"
		return []runbook.Check{{Name: CheckExists, Evidence: fmt.Sprintf("no bucket %s in %s; apply the step", s.target, s.cfg.TargetLabel)},
			{Name: CheckConfig, Evidence: absent}, {Name: CheckObjects, Evidence: absent}, {Name: CheckAccounts, Evidence: absent}}, nil
	}
	d, err := s.compareObjects(ctx, true)
	if err != nil {
		return nil, err
	}
	return []runbook.Check{{Name: CheckExists, OK: true, Evidence: fmt.Sprintf("%s in %s", s.target, s.cfg.TargetLabel)},
		configCheck(v), {Name: CheckObjects, OK: d.equal(), Evidence: d.evidence()}, s.accountsCheck(v.dst)}, nil
}

// configCheck lists every part that differs from the mapped source's.
func configCheck(v view) runbook.Check {
	var lines []string
	for _, p := range v.differing() {
		lines = append(lines, fmt.Sprintf("%s: want %s, have %s", p.name, shown(v.want[p.name]), shown(v.dst[p.name])))
	}
	if len(lines) == 0 {
		return runbook.Check{Name: CheckConfig, OK: true, Evidence: fmt.Sprintf("%d parts (%s) equal the mapped source's",
			len(parts), partNames())}
	}
	return runbook.Check{Name: CheckConfig, Evidence: strings.Join(lines, "\n") + "\napply the step again"}
}

func partNames() string {
	var names []string
	for _, p := range parts {
		names = append(names, p.name)
	}
	return strings.Join(names, ", ")
}

func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// accountsCheck scans the target's policy, tags and notification
// configuration for the mapping's old account ids, naming the part and the
// ARN each sits in.
func (s *bucketStep) accountsCheck(dst settings) runbook.Check {
	old := rewrite.OldAccounts(s.cfg.Mapping, "")
	var lines []string
	for _, p := range parts {
		for _, loc := range rewrite.Locators(dst[p.name], old) {
			lines = append(lines, fmt.Sprintf("%s of %s: %s", p.name, s.target, loc))
		}
	}
	if len(lines) > 0 {
		return runbook.Check{Name: CheckAccounts, Evidence: strings.Join(lines, "\n") +
			"\nadd the account to the plan's mapping, or fix the source's configuration, and apply again"}
	}
	return runbook.Check{Name: CheckAccounts, OK: true, Evidence: fmt.Sprintf("no old account id (%s) in %s's configuration",
		strings.Join(old, ", "), s.target)}
}
