package awsstep

import (
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Check is a check that passes when there are no problems, with the
// problems as its evidence, one a line, or ok when there are none.
func Check(name string, problems []string, ok string) runbook.Check {
	c := runbook.Check{Name: name, OK: len(problems) == 0, Evidence: strings.Join(problems, "\n")}
	if c.OK {
		c.Evidence = ok
	}
	return c
}

// Found is the check exists, passing: the resource is in the new account,
// with details (its ARN, its id) after its name.
func (s *Step) Found(exists, details string) runbook.Check {
	return runbook.Check{Name: exists, OK: true, Evidence: fmt.Sprintf("%s in %s: %s", s.NewName, s.TargetLabel, details)}
}

// Missing is Verify's answer when the new account lacks the resource: the
// check exists fails, telling to apply the step, and every check of others
// fails as the resource is absent.
func (s *Step) Missing(exists string, others ...string) []runbook.Check {
	checks := []runbook.Check{{Name: exists, Evidence: fmt.Sprintf("no %s %s in %s (account %s); apply the step",
		s.Resource, s.NewName, s.TargetLabel, s.TargetAccount)}}
	for _, name := range others {
		checks = append(checks, runbook.Check{Name: name, Evidence: "the " + s.Resource + " is absent"})
	}
	return checks
}

// OldAccounts are the account ids nothing the step writes may hold: the
// source account and every old account of the mapping, sorted.
func (s *Step) OldAccounts() []string { return rewrite.OldAccounts(s.Mapping, s.SourceAccount) }

// Findings are where what the step wrote still names an old account, a
// line each: "where: locator" (rewrite.Locators).
type Findings struct {
	old   []string
	lines []string
}

// Findings starts a scan for the step's OldAccounts.
func (s *Step) Findings() *Findings { return &Findings{old: s.OldAccounts()} }

// Scan adds a line for each old account id in v, which where names.
func (f *Findings) Scan(where, v string) {
	for _, loc := range rewrite.Locators(v, f.old) {
		f.lines = append(f.lines, where+": "+loc)
	}
}

// Add adds lines a scan of the step's own made (of a policy document, a
// JSON value), with the accounts Old gives it.
func (f *Findings) Add(lines ...string) { f.lines = append(f.lines, lines...) }

// Old are the account ids the scan looks for.
func (f *Findings) Old() []string { return f.old }

// Check is the check name over the findings: it passes when there are
// none, its evidence then saying none of the old accounts is in what
// scanned: "none of 111111111111 in " + scanned.
func (f *Findings) Check(name, scanned string) runbook.Check {
	return Check(name, f.lines, fmt.Sprintf("none of %s in %s", strings.Join(f.old, ", "), scanned))
}
