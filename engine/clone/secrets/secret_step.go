package secrets

import (
	"cmp"
	"context"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
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

// secretStep clones one secret. It keeps no state between calls. Its
// Step holds cfg's names, target label and accounts, the defaults filled
// in; cfg the rest.
type secretStep struct {
	awsstep.Step
	cfg SecretConfig
}

// NewSecretStep returns the runbook step that copies one secret.
func NewSecretStep(cfg SecretConfig) runbook.Step {
	return &secretStep{cfg: cfg, Step: awsstep.Step{StepID: SecretStepID(cfg.Name), StepKind: SecretKind, HaveClients: cfg.Source != nil && cfg.Target != nil,
		Verb: "Copy", Noun: "secret", Resource: "secret", API: "Secrets Manager",
		OldName: cfg.Name, NewName: rewrite.String(cfg.Mapping, cfg.Name), TargetLabel: cmp.Or(cfg.TargetLabel, "target"),
		SourceAccount: cfg.SourceAccount, TargetAccount: cfg.TargetAccount, Mapping: cfg.Mapping,
		Needs: cfg.Deps, Namespace: cfg.Namespace, Service: cfg.Service}}
}

// SecretStepID is the ID of the step that copies the secret:
// "aws/secretsmanager/<name>".
func SecretStepID(name string) string { return "aws/secretsmanager/" + name }
