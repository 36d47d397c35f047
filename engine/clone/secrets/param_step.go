package secrets

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// ParameterKind is the runbook step kind of an SSM parameter clone.
const ParameterKind = "clone-ssm-parameter"

// ParameterChangeKind is the Kind of a parameter's Change in a change set.
const ParameterChangeKind = "AWS::SSM::Parameter"

// ParameterSourceAPI is the part of SSM the step reads in the old account.
// The real *ssm.Client satisfies it; nothing in it writes.
type ParameterSourceAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, opts ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
	DescribeParameters(ctx context.Context, in *ssm.DescribeParametersInput, opts ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error)
	ListTagsForResource(ctx context.Context, in *ssm.ListTagsForResourceInput, opts ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error)
}

// ParameterTargetAPI is the part of SSM the step calls in the new account:
// the reads, and the writes Apply and Rollback make. The real *ssm.Client
// satisfies it.
type ParameterTargetAPI interface {
	ParameterSourceAPI
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, opts ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	AddTagsToResource(ctx context.Context, in *ssm.AddTagsToResourceInput, opts ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(ctx context.Context, in *ssm.RemoveTagsFromResourceInput, opts ...func(*ssm.Options)) (*ssm.RemoveTagsFromResourceOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, opts ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
}

// ParameterConfig is what a parameter clone step needs.
type ParameterConfig struct {
	// Path names what the step copies: one parameter ("/orders/db/host"),
	// or, ending in "/", every parameter under that path at any depth
	// ("/orders/"), as the old account holds them each time the step
	// plans, applies or verifies. New names are old ones through the
	// mapping.
	Path string
	// Source reads the old account; Target reads and writes the new one.
	Source ParameterSourceAPI
	Target ParameterTargetAPI
	// Mapping is the plan's mapping table; values, descriptions and tag
	// values pass through it.
	Mapping rewrite.Mapping
	// KMSKeys maps the old account's KMS keys to the new account's, as in
	// SecretConfig. A SecureString on the default aws/ssm key stays on the
	// target's default key, and stays a SecureString.
	KMSKeys map[string]string
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids. No copied
	// value may hold SourceAccount (nor any old account of the mapping).
	SourceAccount, TargetAccount string
	// Deps are steps to run first, e.g. preflight.
	Deps []string
	// Namespace and Service scope the step to the service that reads the
	// parameters, for runbook filters; empty means runbook-wide.
	Namespace, Service string
}

// paramStep clones one parameter or a path's parameters. It keeps no
// state between calls. Its OldName is the path, NewName the path through
// the mapping.
type paramStep struct {
	awsstep.Step
	cfg ParameterConfig
}

// NewParameterStep returns the runbook step that copies the parameter or
// the parameters under the path cfg.Path names.
func NewParameterStep(cfg ParameterConfig) runbook.Step {
	return &paramStep{cfg: cfg, Step: awsstep.Step{StepID: ParameterStepID(cfg.Path), StepKind: ParameterKind, HaveClients: cfg.Source != nil && cfg.Target != nil,
		Verb: "Copy", Noun: "SSM", Resource: "parameter", API: "SSM",
		OldName: cfg.Path, NewName: rewrite.String(cfg.Mapping, cfg.Path), TargetLabel: cmp.Or(cfg.TargetLabel, "target"),
		SourceAccount: cfg.SourceAccount, TargetAccount: cfg.TargetAccount, Mapping: cfg.Mapping,
		Needs: cfg.Deps, Namespace: cfg.Namespace, Service: cfg.Service}}
}

// ParameterStepID is the ID of the step that copies path: "aws/ssm" and
// the path ("aws/ssm/orders/" for "/orders/", "aws/ssm/orders/db/host").
func ParameterStepID(path string) string {
	if strings.HasPrefix(path, "/") {
		return "aws/ssm" + path
	}
	return "aws/ssm/" + path
}

// isPrefix says whether the step copies a path's parameters rather than one.
func (s *paramStep) isPrefix() bool { return strings.HasSuffix(s.cfg.Path, "/") }

// Title names the parameter or path and the target.
func (s *paramStep) Title() string {
	what := "SSM parameter " + s.cfg.Path
	if s.isPrefix() {
		what = "SSM parameters under " + s.cfg.Path
	}
	if s.NewName != s.OldName {
		return fmt.Sprintf("Copy %s as %s to %s", what, s.NewName, s.TargetLabel)
	}
	return fmt.Sprintf("Copy %s to %s", what, s.TargetLabel)
}

// checkConfig refuses a configuration that could write to the old account
// or compare against nothing.
func (s *paramStep) checkConfig() error {
	return s.CheckConfig(func() error {
		if s.cfg.Path == "" || s.cfg.Path == "/" {
			return s.Fail("name one parameter or a path below the root, e.g. /orders/, under resources.ssm in the plan")
		}
		return nil
	})
}
