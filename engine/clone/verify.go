package clone

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckPresent    = "objects present"
	CheckRollout    = "rollout complete"
	CheckPods       = "pods ready"
	CheckNoDrift    = "no drift"
	CheckReferences = "no old-account references"
)

// Verify checks the clone on the target: every object is there, the
// workload has rolled out (waiting up to RolloutWait) with its pods ready,
// no drift is left between the mapped source and the target, and nothing
// on the target still points at the old account.
func (s *serviceStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	ex, err := s.export(ctx)
	if err != nil {
		return nil, err
	}
	target, present, err := s.readTarget(ctx, ex)
	if err != nil {
		return nil, s.fail(ex.red, "%w", err)
	}
	checks := []runbook.Check{present}
	rollout, err := s.rolloutChecks(ctx, ex)
	if err != nil {
		return nil, s.fail(ex.red, "%w", err)
	}
	checks = append(checks, rollout...)
	checks = append(checks, driftCheck(s.cfg.Mapping, ex.source, target), referencesCheck(s.cfg.Mapping, target))
	for i := range checks {
		checks[i].Evidence = ex.red.text(checks[i].Evidence)
	}
	return checks, nil
}

// readTarget reads every wanted object on the target; the check lists the
// missing ones. The Namespace is checked but not returned: the source has
// no counterpart to compare it with.
func (s *serviceStep) readTarget(ctx context.Context, ex export) ([]*unstructured.Unstructured, runbook.Check, error) {
	var target []*unstructured.Unstructured
	var missing []string
	for _, it := range ex.want {
		live, err := s.getTarget(ctx, it)
		if err != nil {
			return nil, runbook.Check{}, err
		}
		switch {
		case live == nil:
			missing = append(missing, describe(it.obj))
		case it.obj.GetKind() != "Namespace":
			live.SetGroupVersionKind(it.obj.GroupVersionKind())
			target = append(target, live)
		}
	}
	c := runbook.Check{Name: CheckPresent, OK: len(missing) == 0}
	if c.OK {
		c.Evidence = fmt.Sprintf("all %d objects on %s", len(ex.want), s.cfg.TargetLabel)
	} else {
		c.Evidence = fmt.Sprintf("missing on %s: %s", s.cfg.TargetLabel, strings.Join(missing, ", "))
	}
	return target, c, nil
}

// driftCheck compares the mapped source with the target (rewrite.Drift).
func driftCheck(m rewrite.Mapping, source, target []*unstructured.Unstructured) runbook.Check {
	findings := rewrite.Drift(m, source, target)
	c := runbook.Check{Name: CheckNoDrift, OK: len(findings) == 0}
	if c.OK {
		c.Evidence = fmt.Sprintf("source (mapped) and target agree on %d objects", len(target))
		return c
	}
	lines := make([]string, 0, len(findings))
	for _, f := range findings {
		path := f.Path
		if path == "" {
			path = "(whole object)"
		}
		lines = append(lines, fmt.Sprintf("%s/%s %s: source %s, target %s", f.Kind, f.Name, path, f.Source, f.Target))
	}
	c.Evidence = strings.Join(lines, "\n")
	return c
}

// referencesCheck scans the target objects for the old account.
func referencesCheck(m rewrite.Mapping, target []*unstructured.Unstructured) runbook.Check {
	refs := rewrite.References(m, target)
	c := runbook.Check{Name: CheckReferences, OK: len(refs) == 0}
	if c.OK {
		c.Evidence = fmt.Sprintf("no old account id or resource name in %d objects", len(target))
		return c
	}
	lines := make([]string, 0, len(refs))
	for _, r := range refs {
		lines = append(lines, fmt.Sprintf("%s %s/%s %s: %s (%s)", r.Kind, r.Namespace, r.Name, r.Path, r.Match, r.Why))
	}
	c.Evidence = strings.Join(lines, "\n")
	return c
}
