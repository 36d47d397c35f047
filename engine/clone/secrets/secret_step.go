package secrets

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// SecretKind is the runbook step kind of a secret clone.
const SecretKind = "clone-secret"

// SecretChangeKind is the Kind of a secret's Change in a change set.
const SecretChangeKind = "AWS::SecretsManager::Secret"

// SecretSourceAPI is the part of Secrets Manager the step reads in the old
// account. The real *secretsmanager.Client satisfies it; nothing in it
// writes.
type SecretSourceAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretTargetAPI is the part of Secrets Manager the step calls in the new
// account: the reads, and the writes Apply and Rollback make. The real
// *secretsmanager.Client satisfies it.
type SecretTargetAPI interface {
	SecretSourceAPI
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecret(ctx context.Context, in *secretsmanager.UpdateSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
	TagResource(ctx context.Context, in *secretsmanager.TagResourceInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *secretsmanager.UntagResourceInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.UntagResourceOutput, error)
	DeleteSecret(ctx context.Context, in *secretsmanager.DeleteSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
}

// SecretConfig is what a secret clone step needs.
type SecretConfig struct {
	// Name is the secret's name in the old account. Its name in the new one
	// is Name through the mapping.
	Name string
	// Source reads the old account; Target reads and writes the new one.
	Source SecretSourceAPI
	Target SecretTargetAPI
	// Mapping is the plan's mapping table; the value, description and tag
	// values pass through it.
	Mapping rewrite.Mapping
	// KMSKeys maps the old account's KMS keys (key id, key ARN, alias or
	// alias ARN) to the new account's. Aliases need no entry: an alias
	// keeps its name, an alias ARN gets its account mapped. A secret on
	// the default aws/secretsmanager key stays on the target's default key.
	KMSKeys map[string]string
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids. No copied
	// value may hold SourceAccount (nor any old account of the mapping),
	// and the step writes only to a secret whose ARN is in TargetAccount.
	SourceAccount, TargetAccount string
	// Deps are steps to run first, e.g. preflight.
	Deps []string
	// Namespace and Service scope the step to the service that reads the
	// secret, for runbook filters; empty means runbook-wide.
	Namespace, Service string
}

// secretStep clones one secret. It keeps no state between calls.
type secretStep struct {
	cfg    SecretConfig
	target string // the secret's name in the new account
}

// NewSecretStep returns the runbook step that copies one secret.
func NewSecretStep(cfg SecretConfig) runbook.Step {
	if cfg.TargetLabel == "" {
		cfg.TargetLabel = "target"
	}
	return &secretStep{cfg: cfg, target: rewrite.String(cfg.Mapping, cfg.Name)}
}

// SecretStepID is the ID of the step that copies the secret:
// "aws/secretsmanager/<name>".
func SecretStepID(name string) string { return "aws/secretsmanager/" + name }

// ID is SecretStepID of the source secret's name.
func (s *secretStep) ID() string { return SecretStepID(s.cfg.Name) }

// Kind is "clone-secret".
func (s *secretStep) Kind() string { return SecretKind }

// Title names the secret (and its new name, when the mapping renames it)
// and the target.
func (s *secretStep) Title() string {
	if s.target != s.cfg.Name {
		return fmt.Sprintf("Copy secret %s as %s to %s", s.cfg.Name, s.target, s.cfg.TargetLabel)
	}
	return fmt.Sprintf("Copy secret %s to %s", s.cfg.Name, s.cfg.TargetLabel)
}

// Deps are the configured steps.
func (s *secretStep) Deps() []string { return append([]string(nil), s.cfg.Deps...) }

// Scope is the configured namespace and service.
func (s *secretStep) Scope() (namespace, service string) { return s.cfg.Namespace, s.cfg.Service }

// fail wraps an error with the secret's name.
func (s *secretStep) fail(format string, args ...any) error {
	return fmt.Errorf("copy secret %s: "+format, append([]any{s.cfg.Name}, args...)...)
}

// checkConfig refuses a configuration that could write to the old account
// or compare against nothing.
func (s *secretStep) checkConfig() error {
	switch {
	case s.cfg.Source == nil || s.cfg.Target == nil:
		return s.fail("the step has no Secrets Manager client for the source or the target; build it with both")
	case s.cfg.TargetAccount == "":
		return s.fail("the plan names no target account id; set target.aws.account in the plan")
	case s.cfg.TargetAccount == s.cfg.SourceAccount || s.cfg.Mapping.Accounts[s.cfg.TargetAccount] != "":
		return s.fail("target account %s is an old account; fix the plan's target.aws.account or mapping.accounts", s.cfg.TargetAccount)
	}
	return nil
}
