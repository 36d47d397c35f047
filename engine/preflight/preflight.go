// Package preflight is the runbook's first step: before anything is
// copied, both sides are who the plan says, both clusters answer, and the
// target can take what the source runs (namespaces, storage and ingress
// classes, the kinds and API versions in use) — like Crane's validate.
package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// ID is the preflight step's ID; every other step depends on it.
const ID = "preflight"

// Side is one connected side as preflight needs it.
type Side struct {
	Label    string
	Account  string // the plan's expected account id
	Identity cluster.Identity
	Kube     kubernetes.Interface
}

// SideOf takes what preflight needs from a connection and the plan.
func SideOf(p plan.Side, s *cluster.Side) Side {
	return Side{Label: p.Label, Account: p.AWS.Account, Identity: s.Identity, Kube: s.Kube}
}

// Config is what the step checks.
type Config struct {
	Source, Target Side
	Namespaces     []string // source namespaces in scope
	Plan           *plan.Plan
}

// Step checks; it changes nothing. Its Apply runs the checks and fails when
// one fails, so the steps that depend on it cannot run against a target
// that is not ready.
type Step struct{ cfg Config }

// New returns the preflight step.
func New(cfg Config) *Step { return &Step{cfg: cfg} }

// ID implements runbook.Step.
func (s *Step) ID() string { return ID }

// Kind implements runbook.Step.
func (s *Step) Kind() string { return "preflight" }

// Title implements runbook.Step.
func (s *Step) Title() string {
	return fmt.Sprintf("Preflight: %s and %s are who the plan says, and %s can take the services",
		s.cfg.Source.Label, s.cfg.Target.Label, s.cfg.Target.Label)
}

// Deps implements runbook.Step.
func (s *Step) Deps() []string { return nil }

// Scope implements runbook.Step: runbook-wide.
func (s *Step) Scope() (string, string) { return "", "" }

// Plan implements runbook.Step: nothing to change, only what will be
// checked.
func (s *Step) Plan(context.Context) (runbook.ChangeSet, error) {
	return runbook.ChangeSet{Step: ID, Notes: []string{
		"preflight changes nothing: applying it runs its checks",
		fmt.Sprintf("checks: both AWS identities (%s %s, %s %s), both clusters reachable, target namespaces, storage and ingress classes, API kinds served",
			s.cfg.Source.Label, s.cfg.Source.Account, s.cfg.Target.Label, s.cfg.Target.Account),
	}}, nil
}

// Apply implements runbook.Step: it runs the checks and fails on the first
// failing ones, naming them.
func (s *Step) Apply(ctx context.Context, rec runbook.Recorder) error {
	checks, err := s.Verify(ctx)
	if err != nil {
		return err
	}
	var failed []string
	for _, c := range checks {
		rec.Progress(runbook.Progress{Message: c.Name + ": " + passFail(c.OK)})
		if !c.OK {
			failed = append(failed, c.Name+" ("+c.Evidence+")")
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("preflight failed: %s", strings.Join(failed, "; "))
	}
	return nil
}

// Rollback implements runbook.Step: preflight changed nothing.
func (s *Step) Rollback(context.Context, []json.RawMessage, runbook.Recorder) error { return nil }

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// Verify implements runbook.Step: every check, with evidence.
func (s *Step) Verify(ctx context.Context) ([]runbook.Check, error) {
	src, dst := s.cfg.Source, s.cfg.Target
	checks := []runbook.Check{
		identityCheck(src), identityCheck(dst),
		reachable(src), reachable(dst),
	}
	if !checks[3].OK {
		return checks, nil // nothing more can be asked of a target that does not answer
	}
	checks = append(checks, s.namespaces(ctx), s.storageClasses(ctx), s.ingressClasses(ctx))
	checks = append(checks, s.kindsServed(ctx)...)
	return checks, nil
}

func identityCheck(sd Side) runbook.Check {
	c := runbook.Check{Name: sd.Label + " AWS account"}
	switch {
	case sd.Identity.Error != "":
		c.Evidence = "could not ask STS who we are: " + sd.Identity.Error
	case sd.Identity.Account != sd.Account:
		c.Evidence = fmt.Sprintf("the profile acts as %s in account %s; the plan expects %s — fix the profile (or the plan's account)",
			sd.Identity.ARN, sd.Identity.Account, sd.Account)
	default:
		c.OK, c.Evidence = true, sd.Identity.ARN+" in "+sd.Identity.Account
	}
	return c
}

func reachable(sd Side) runbook.Check {
	c := runbook.Check{Name: sd.Label + " cluster reachable"}
	v, err := sd.Kube.Discovery().ServerVersion()
	if err != nil {
		c.Evidence = err.Error()
		return c
	}
	c.OK, c.Evidence = true, "Kubernetes "+v.GitVersion
	return c
}

// namespaces: those missing on the target are created by the clone steps;
// the check says which, and fails only when the target refuses to list.
func (s *Step) namespaces(ctx context.Context) runbook.Check {
	c := runbook.Check{Name: s.cfg.Target.Label + " namespaces"}
	var have, missing []string
	for _, ns := range s.targetNamespaces() {
		_, err := s.cfg.Target.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		switch {
		case err == nil:
			have = append(have, ns)
		case apierrors.IsNotFound(err):
			missing = append(missing, ns)
		default:
			c.Evidence = fmt.Sprintf("get namespace %s: %v", ns, err)
			return c
		}
	}
	c.OK, c.Evidence = true, "present: "+list(have)
	if len(missing) > 0 {
		c.Evidence += "; created by the clone steps: " + strings.Join(missing, ", ")
	}
	return c
}

func (s *Step) targetNamespaces() []string {
	out := make([]string, 0, len(s.cfg.Namespaces))
	for _, ns := range s.cfg.Namespaces {
		if to, ok := s.cfg.Plan.Mapping.Namespaces[ns]; ok {
			ns = to
		}
		out = append(out, ns)
	}
	return out
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// storageClasses: every class the mapping maps to must exist on the target.
func (s *Step) storageClasses(ctx context.Context) runbook.Check {
	return classCheck(s.cfg.Target.Label+" storage classes", s.cfg.Plan.Mapping.StorageClasses, "mapping.storageClasses",
		func(name string) error {
			_, err := s.cfg.Target.Kube.StorageV1().StorageClasses().Get(ctx, name, metav1.GetOptions{})
			return err
		})
}

// ingressClasses: every class the mapping maps to must exist on the target.
func (s *Step) ingressClasses(ctx context.Context) runbook.Check {
	return classCheck(s.cfg.Target.Label+" ingress classes", s.cfg.Plan.Mapping.IngressClasses, "mapping.ingressClasses",
		func(name string) error {
			_, err := s.cfg.Target.Kube.NetworkingV1().IngressClasses().Get(ctx, name, metav1.GetOptions{})
			return err
		})
}

func classCheck(name string, mapping map[string]string, field string, get func(string) error) runbook.Check {
	c := runbook.Check{Name: name}
	var targets []string
	for _, to := range mapping {
		targets = append(targets, to)
	}
	slices.Sort(targets)
	targets = slices.Compact(targets)
	var missing []string
	for _, t := range targets {
		if err := get(t); err != nil {
			if !apierrors.IsNotFound(err) {
				c.Evidence = fmt.Sprintf("get %s: %v", t, err)
				return c
			}
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		c.Evidence = fmt.Sprintf("missing on the target: %s (named by the plan's %s: create them there, or map to a class that exists)",
			strings.Join(missing, ", "), field)
		return c
	}
	c.OK, c.Evidence = true, "present: "+list(targets)
	return c
}
