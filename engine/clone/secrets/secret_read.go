package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// stageCurrent is the version stage of a secret's current value.
const stageCurrent = "AWSCURRENT"

// secret is one secret as read live; arn is "" when it does not exist.
type secret struct {
	arn         string
	description string
	kmsKey      string
	tags        map[string]string
	deleted     bool   // scheduled for deletion
	version     string // the AWSCURRENT version's id, "" when it has none
	value       []byte
	binary      bool
}

func (s secret) exists() bool { return s.arn != "" }

// readSecret reads a secret's settings and current value; a secret that
// does not exist is no error. The value goes into v.
func readSecret(ctx context.Context, api SecretSourceAPI, name string, v *vault) (secret, error) {
	d, err := api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var nf *smtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return secret{}, nil
	}
	if err != nil {
		return secret{}, fmt.Errorf("describe secret %s: %w", name, err)
	}
	out := secret{arn: aws.ToString(d.ARN), description: aws.ToString(d.Description), kmsKey: aws.ToString(d.KmsKeyId),
		tags: map[string]string{}, deleted: d.DeletedDate != nil}
	for _, t := range d.Tags {
		out.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	if out.deleted || !hasCurrent(d.VersionIdsToStages) {
		return out, nil
	}
	g, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: d.ARN, VersionStage: aws.String(stageCurrent)})
	if err != nil {
		return out, fmt.Errorf("read the current value of secret %s: %w", name, err)
	}
	out.version = aws.ToString(g.VersionId)
	if g.SecretString != nil {
		out.value = []byte(*g.SecretString)
	} else {
		out.value, out.binary = g.SecretBinary, true
	}
	v.keep(out.value)
	return out, nil
}

// hasCurrent says whether any version holds AWSCURRENT. A service that
// does not list versions (nil) is asked anyway.
func hasCurrent(stages map[string][]string) bool {
	if stages == nil {
		return true
	}
	for _, st := range stages {
		for _, s := range st {
			if s == stageCurrent {
				return true
			}
		}
	}
	return false
}

// secretSides is the clone as read live: both secrets, and what the target
// should hold.
type secretSides struct {
	src, dst secret
	want     secret // arn unset; kmsKey "" for the default key
	keyNote  string // why the KMS key cannot be mapped, "" when it can
}

// read reads both secrets. The source must exist and hold a value; a
// target secret outside the target account is refused.
func (s *secretStep) read(ctx context.Context, v *vault) (secretSides, error) {
	if err := s.CheckConfig(); err != nil {
		return secretSides{}, err
	}
	src, err := readSecret(ctx, s.cfg.Source, s.cfg.Name, v)
	if err != nil {
		return secretSides{}, s.Fail("old account %s: %w; check that the source profile can read the secret there", s.SourceAccount, err)
	}
	switch {
	case !src.exists() || src.deleted:
		return secretSides{}, s.Fail("no such secret in the old account %s; check the name, or drop it from the plan's resources.secrets", s.SourceAccount)
	case src.version == "":
		return secretSides{}, s.Fail("the secret has no current value in the old account %s; give it one, or drop it from the plan", s.SourceAccount)
	}
	dst, err := readSecret(ctx, s.cfg.Target, s.NewName, v)
	if err != nil {
		return secretSides{}, s.Fail("%s (account %s): %w; check that the target profile can read secrets there", s.TargetLabel, s.TargetAccount, err)
	}
	if dst.exists() && arnAccount(dst.arn) != s.TargetAccount {
		return secretSides{}, s.Fail("secret %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			s.NewName, arnAccount(dst.arn), s.TargetAccount)
	}
	sd := secretSides{src: src, dst: dst}
	sd.want = secret{description: rewrite.String(s.Mapping, src.description), tags: awsstep.MapTags(s.Mapping, src.tags),
		value: mapValue(s.Mapping, src.value), binary: src.binary}
	sd.want.kmsKey, sd.keyNote = mapKey(s.Mapping, s.cfg.KMSKeys, src.kmsKey, defaultSecretsKey)
	v.keep(sd.want.value)
	return sd, nil
}

// arnAccount is the account field of an ARN, "" when s is not one.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// differs lists what of the target secret differs from the wanted one:
// "value", "description", "KMS key", "tags".
func (sd secretSides) differs() []string {
	var out []string
	if digestOf(sd.want.value) != digestOf(sd.dst.value) || sd.want.binary != sd.dst.binary || sd.dst.version == "" {
		out = append(out, "value")
	}
	if sd.want.description != sd.dst.description {
		out = append(out, "description")
	}
	if !sameKey(sd.want.kmsKey, sd.dst.kmsKey, defaultSecretsKey) {
		out = append(out, "KMS key")
	}
	if set, remove := awsstep.TagDiff(sd.want.tags, sd.dst.tags); len(set)+len(remove) > 0 {
		out = append(out, "tags")
	}
	return out
}
