// Package clone holds the runbook steps that copy a service from the
// source cluster to the target: its objects are read live from the source,
// stripped of what the source's API server wrote, passed through the plan's
// mapping (rewrite.ApplyToService) and server-side applied to the target
// with the field manager "ferry". Plan is a server-side dry-run compared
// with what is live on the target; Apply saves each object's prior state
// before writing it; Rollback puts those states back.
package clone

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// FieldManager owns every field ferry applies to the target.
const FieldManager = "ferry"

// Kind is the runbook step kind of a service clone.
const Kind = "clone-k8s"

// PreflightStep is the step every clone depends on.
const PreflightStep = "preflight"

// DefaultRolloutWait is how long Verify waits for the target's rollout.
const DefaultRolloutWait = 2 * time.Minute

// ObjectSource returns a service's objects on the source as some cache holds
// them (inventory.Inventory.Objects, for instance). Only their kinds,
// namespaces and names are trusted: the step reads each one again, live,
// before planning or applying.
type ObjectSource func(ctx context.Context) ([]*unstructured.Unstructured, error)

// ServiceConfig is what a service clone step needs.
type ServiceConfig struct {
	// Namespace and Name name the service on the target (after the mapping).
	Namespace, Name string
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// Source and Target reach the two clusters.
	Source, Target dynamic.Interface
	// Mapper resolves kinds to resources on the target, so a kind the target
	// does not serve fails the plan; nil uses the built-in table of the
	// kinds a service clone handles (see kinds.go).
	Mapper meta.RESTMapper
	// Mapping is the plan's mapping table.
	Mapping rewrite.Mapping
	// Objects lists the service's source objects (workload, Services,
	// Ingresses, ConfigMaps, Secrets, ServiceAccount, HPA). PodDisruption-
	// Budgets selecting the workload's pods are found by the step itself.
	Objects ObjectSource
	// Deps are steps to run first besides PreflightStep, e.g. a shared-
	// objects step of the namespace.
	Deps []string
	// RolloutWait bounds how long Verify waits for the rollout to finish;
	// 0 means DefaultRolloutWait, a negative value checks once.
	RolloutWait time.Duration
}

// serviceStep clones one service. It keeps no state between calls: every
// method reads both clusters again.
type serviceStep struct {
	cfg ServiceConfig
}

// NewServiceStep returns the runbook step that clones one service.
func NewServiceStep(cfg ServiceConfig) runbook.Step {
	if cfg.TargetLabel == "" {
		cfg.TargetLabel = "target"
	}
	if cfg.RolloutWait == 0 {
		cfg.RolloutWait = DefaultRolloutWait
	}
	return &serviceStep{cfg: cfg}
}

// ID is "clone/<namespace>/<name>".
func (s *serviceStep) ID() string { return "clone/" + s.key() }

// Kind is "clone-k8s".
func (s *serviceStep) Kind() string { return Kind }

// Title names the service and the target.
func (s *serviceStep) Title() string {
	return fmt.Sprintf("Clone %s to %s", s.key(), s.cfg.TargetLabel)
}

// Deps is preflight and the configured extra steps.
func (s *serviceStep) Deps() []string {
	return append([]string{PreflightStep}, s.cfg.Deps...)
}

// Scope is the service's namespace and name on the target.
func (s *serviceStep) Scope() (namespace, service string) {
	return s.cfg.Namespace, s.cfg.Name
}

func (s *serviceStep) key() string { return s.cfg.Namespace + "/" + s.cfg.Name }

// fail wraps an error with the step's name, masking secret values.
func (s *serviceStep) fail(red redactor, format string, args ...any) error {
	return red.err(fmt.Errorf("clone %s: "+format, append([]any{s.key()}, args...)...))
}
