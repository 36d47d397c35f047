package secrets

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// secretUndo is what Apply saves before its writes, and all Rollback needs
// to undo them, in a later process too. It holds digests, never values.
type secretUndo struct {
	// Secret is the secret's name in the new account, Account that account.
	Secret  string `json:"secret"`
	Account string `json:"account"`
	// Created says the write creates the secret: undone by deleting it.
	Created bool `json:"created,omitempty"`
	// Version is the id of the version the write makes, Wrote the digest
	// of its value.
	Version string  `json:"version,omitempty"`
	Wrote   *digest `json:"wrote,omitempty"`
	// PriorVersion was AWSCURRENT before the write, Prior the digest of its
	// value: a rollback makes it current again.
	PriorVersion string  `json:"priorVersion,omitempty"`
	Prior        *digest `json:"prior,omitempty"`
	// PriorDescription and PriorKMSKey are set when the write changes them.
	PriorDescription *string `json:"priorDescription,omitempty"`
	PriorKMSKey      *string `json:"priorKmsKey,omitempty"`
	// PriorTags holds the tags the write changes or removes as they were,
	// AddedTags the keys it adds.
	PriorTags map[string]string `json:"priorTags,omitempty"`
	AddedTags []string          `json:"addedTags,omitempty"`
}

// UndoTarget is the secret and account the write went to.
func (u secretUndo) UndoTarget() (name, account string) { return u.Secret, u.Account }

// Apply creates the secret in the new account, or brings an existing one
// to the mapped source's value, description, KMS key and tags, writing
// only what differs: a second Apply makes no write. The undo record is
// saved before the writes. The source is only read.
func (s *secretStep) Apply(ctx context.Context, rec runbook.Recorder) (err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	sd, err := s.read(ctx, v)
	if err != nil {
		return err
	}
	if err := s.needWritable(sd); err != nil {
		return err
	}
	var msg string
	if sd.dst.exists() {
		msg, err = s.update(ctx, sd, rec)
	} else {
		msg, err = s.create(ctx, sd, rec, v)
	}
	if err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// create makes the secret with its value, settings and tags in one call.
// The version id is chosen here, so the undo record names it and a retried
// create is recognised.
func (s *secretStep) create(ctx context.Context, sd secretSides, rec runbook.Recorder, v *vault) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", s.Fail("make a version id: %w", err)
	}
	wrote := digestOf(sd.want.value)
	if err := s.Save(rec, secretUndo{Secret: s.NewName, Account: s.TargetAccount, Created: true, Version: token, Wrote: &wrote}); err != nil {
		return "", err
	}
	in := &secretsmanager.CreateSecretInput{Name: aws.String(s.NewName), ClientRequestToken: aws.String(token)}
	if sd.want.description != "" {
		in.Description = aws.String(sd.want.description)
	}
	if sd.want.kmsKey != "" {
		in.KmsKeyId = aws.String(sd.want.kmsKey)
	}
	setValue(&in.SecretString, &in.SecretBinary, sd.want)
	for _, k := range slices.Sorted(maps.Keys(sd.want.tags)) {
		in.Tags = append(in.Tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(sd.want.tags[k])})
	}
	_, err = s.cfg.Target.CreateSecret(ctx, in)
	var exists *smtypes.ResourceExistsException
	if errors.As(err, &exists) {
		// A retry of a create that went through: ours if it holds our version.
		if dst, rerr := readSecret(ctx, s.cfg.Target, s.NewName, v); rerr == nil && dst.version == token {
			err = nil
		}
	}
	if err != nil {
		return "", s.Fail("create secret %s in %s: %w; fix what Secrets Manager says and apply again", s.NewName, s.TargetLabel, quiet(err, sd.want.value))
	}
	return fmt.Sprintf("created secret %s in %s: value %s", s.NewName, s.TargetLabel, wrote), nil
}

// update writes what differs on an existing secret, nothing if nothing
// does: settings first, so a new value is encrypted with the new key.
func (s *secretStep) update(ctx context.Context, sd secretSides, rec runbook.Recorder) (string, error) {
	d := sd.differs()
	if len(d) == 0 {
		return fmt.Sprintf("unchanged secret %s in %s", s.NewName, s.TargetLabel), nil
	}
	u := secretUndo{Secret: s.NewName, Account: s.TargetAccount}
	settings := slices.Contains(d, "description") || slices.Contains(d, "KMS key")
	if settings {
		u.PriorDescription, u.PriorKMSKey = aws.String(sd.dst.description), aws.String(sd.dst.kmsKey)
	}
	if slices.Contains(d, "value") {
		token, err := newToken()
		if err != nil {
			return "", s.Fail("make a version id: %w", err)
		}
		wrote, prior := digestOf(sd.want.value), digestOf(sd.dst.value)
		u.Version, u.Wrote, u.PriorVersion = token, &wrote, sd.dst.version
		if sd.dst.version != "" {
			u.Prior = &prior
		}
	}
	tset, untag := awsstep.TagDiff(sd.want.tags, sd.dst.tags)
	u.PriorTags, u.AddedTags = awsstep.PriorTags(sd.dst.tags, tset, untag)
	if err := s.Save(rec, u); err != nil {
		return "", err
	}
	if err := s.write(ctx, sd, u, settings, tset, untag); err != nil {
		return "", s.Fail("update secret %s in %s: %w; apply again, or roll back", s.NewName, s.TargetLabel, err)
	}
	return fmt.Sprintf("updated secret %s in %s: %s", s.NewName, s.TargetLabel, strings.Join(d, ", ")), nil
}

// write makes the calls of an update, skipping empty ones.
func (s *secretStep) write(ctx context.Context, sd secretSides, u secretUndo, settings bool, tset map[string]string, untag []string) error {
	id := aws.String(sd.dst.arn)
	if settings {
		key := sd.want.kmsKey
		if key == "" {
			key = defaultSecretsKey
		}
		_, err := s.cfg.Target.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, Description: aws.String(sd.want.description), KmsKeyId: aws.String(key)})
		if err != nil {
			return fmt.Errorf("update description and KMS key: %w", err)
		}
	}
	if u.Version != "" {
		in := &secretsmanager.PutSecretValueInput{SecretId: id, ClientRequestToken: aws.String(u.Version)}
		setValue(&in.SecretString, &in.SecretBinary, sd.want)
		if _, err := s.cfg.Target.PutSecretValue(ctx, in); err != nil {
			return fmt.Errorf("put the value: %w", quiet(err, sd.want.value))
		}
	}
	return s.writeTags(ctx, id, tset, untag)
}

// writeTags tags, then untags, skipping empty calls.
func (s *secretStep) writeTags(ctx context.Context, id *string, tset map[string]string, untag []string) error {
	if len(tset) > 0 {
		in := &secretsmanager.TagResourceInput{SecretId: id}
		for _, k := range slices.Sorted(maps.Keys(tset)) {
			in.Tags = append(in.Tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(tset[k])})
		}
		if _, err := s.cfg.Target.TagResource(ctx, in); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	if len(untag) > 0 {
		if _, err := s.cfg.Target.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: id, TagKeys: untag}); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
	}
	return nil
}

// setValue puts a secret's value into a request as string or binary.
func setValue(str **string, bin *[]byte, sec secret) {
	if sec.binary {
		*bin = sec.value
		return
	}
	*str = aws.String(string(sec.value))
}

// newToken is a random version id in UUID form, as Secrets Manager's
// ClientRequestToken wants.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
