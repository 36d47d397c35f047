package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// secretMerged is a secret's undo records merged, oldest first: the first
// record to touch a part of the secret saw it before any apply.
type secretMerged struct {
	created      bool
	versions     []string // every version the clone wrote
	wrote        []digest // and their values' digests
	valueTouched bool
	priorVersion string
	prior        *digest
	description  *string
	kmsKey       *string
	tags         awsstep.TagUndo
}

func (s *secretStep) merge(records []json.RawMessage) (secretMerged, error) {
	var m secretMerged
	for i, raw := range records {
		var r secretUndo
		if err := s.ReadUndo(i, raw, &r); err != nil {
			return m, err
		}
		if i == 0 {
			m.created = r.Created
		}
		if r.Wrote != nil {
			m.wrote = append(m.wrote, *r.Wrote)
		}
		if r.Version != "" {
			m.versions = append(m.versions, r.Version)
			if !m.valueTouched {
				m.valueTouched, m.priorVersion, m.prior = true, r.PriorVersion, r.Prior
			}
		}
		if r.PriorDescription != nil && m.description == nil {
			m.description, m.kmsKey = r.PriorDescription, r.PriorKMSKey
		}
		m.tags.Add(r.PriorTags, r.AddedTags)
	}
	return m, nil
}

// Rollback deletes the secret if the clone created it, else makes the
// version that was current before the clone current again and puts back
// its description, KMS key and tags. A secret whose current version is not
// one the clone wrote (or the original) was changed since: the rollback
// refuses, naming it, before any write. The old account is never touched.
func (s *secretStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) (err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	if err := s.CheckConfig(); err != nil {
		return err
	}
	m, err := s.merge(records)
	if err != nil {
		return err
	}
	cur, err := readSecret(ctx, s.cfg.Target, s.NewName, v)
	if err != nil {
		return s.Fail("%s (account %s): %w", s.TargetLabel, s.TargetAccount, err)
	}
	var msg string
	switch {
	case len(records) == 0:
		msg = fmt.Sprintf("nothing to undo for secret %s: no apply wrote to it", s.NewName)
	case (!cur.exists() || cur.deleted) && m.created:
		msg = fmt.Sprintf("secret %s is already gone from %s", s.NewName, s.TargetLabel)
	case !cur.exists() || cur.deleted:
		return s.Fail("secret %s, which existed before the clone, is gone from %s; restore it by hand", s.NewName, s.TargetLabel)
	case m.created:
		msg, err = s.deleteCreated(ctx, m, cur)
	default:
		msg, err = s.restore(ctx, m, cur, v)
	}
	if err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// ours says whether the secret's current value is one the clone wrote: by
// version id, or by digest where the service numbered the version itself
// (an emulator that ignores ClientRequestToken).
func (m secretMerged) ours(cur secret) bool {
	return slices.Contains(m.versions, cur.version) || slices.Contains(m.wrote, digestOf(cur.value))
}

// deleteCreated deletes a secret the clone created, unless its value was
// changed since. No recovery window: the value lives on in the old
// account, and a window would block the name from a new apply.
func (s *secretStep) deleteCreated(ctx context.Context, m secretMerged, cur secret) (string, error) {
	if !m.ours(cur) {
		return "", s.changedSince(cur)
	}
	_, err := s.cfg.Target.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(cur.arn), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if err != nil {
		return "", s.Fail("delete secret %s, which the clone created, in %s: %w; delete it by hand or roll back again", s.NewName, s.TargetLabel, err)
	}
	return fmt.Sprintf("deleted secret %s, which the clone created, in %s", s.NewName, s.TargetLabel), nil
}

func (s *secretStep) changedSince(cur secret) error {
	return s.Fail("secret %s in %s holds version %s, which the clone did not write: it was changed since; the rollback leaves it alone, restore it by hand if needed",
		s.NewName, s.TargetLabel, cur.version)
}

// restore puts back what the clone changed on a secret that existed:
// the previous current version, then settings and tags.
func (s *secretStep) restore(ctx context.Context, m secretMerged, cur secret, v *vault) (string, error) {
	moveValue, err := s.valueRestorable(m, cur)
	if err != nil {
		return "", err
	}
	var done []string
	id := aws.String(cur.arn)
	if moveValue {
		_, err := s.cfg.Target.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: id,
			VersionStage: aws.String(stageCurrent), MoveToVersionId: aws.String(m.priorVersion), RemoveFromVersionId: aws.String(cur.version)})
		if err != nil {
			return "", s.Fail("make version %s current again for secret %s in %s: %w; roll back again, or restore it by hand", m.priorVersion, s.NewName, s.TargetLabel, err)
		}
		if back, err := readSecret(ctx, s.cfg.Target, s.NewName, v); err != nil || m.prior == nil || digestOf(back.value) != *m.prior {
			return "", s.Fail("secret %s in %s: version %s is current again but its value does not hash to %s as before the clone (%v); check it by hand",
				s.NewName, s.TargetLabel, m.priorVersion, m.prior, err)
		}
		done = append(done, fmt.Sprintf("version %s current again (value %s)", m.priorVersion, m.prior))
	}
	if m.description != nil && (cur.description != *m.description || !sameKey(cur.kmsKey, *m.kmsKey, defaultSecretsKey)) {
		key := *m.kmsKey
		if key == "" {
			key = defaultSecretsKey
		}
		if _, err := s.cfg.Target.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, Description: m.description, KmsKeyId: aws.String(key)}); err != nil {
			return "", s.Fail("restore the description and KMS key of secret %s in %s: %w; roll back again", s.NewName, s.TargetLabel, err)
		}
		done = append(done, "description and KMS key")
	}
	tset, untag := m.tags.Restore(cur.tags)
	if err := s.writeTags(ctx, id, tset, untag); err != nil {
		return "", s.Fail("restore the tags of secret %s in %s: %w; roll back again", s.NewName, s.TargetLabel, err)
	}
	if len(tset)+len(untag) > 0 {
		done = append(done, "tags")
	}
	if len(done) == 0 {
		return fmt.Sprintf("secret %s in %s is already as before", s.NewName, s.TargetLabel), nil
	}
	return fmt.Sprintf("restored secret %s in %s: %s", s.NewName, s.TargetLabel, strings.Join(done, "; ")), nil
}

// valueRestorable says whether the value needs its previous version made
// current, refusing when that cannot be done safely.
func (s *secretStep) valueRestorable(m secretMerged, cur secret) (bool, error) {
	switch {
	case !m.valueTouched || cur.version == m.priorVersion:
		return false, nil
	case !m.ours(cur):
		return false, s.changedSince(cur)
	case m.priorVersion == "":
		return false, s.Fail("secret %s in %s had no value before the clone, and Secrets Manager cannot take a value away; delete the secret by hand if it should go",
			s.NewName, s.TargetLabel)
	}
	return true, nil
}

// RollbackPreview names, from the undo records alone, what a rollback
// would do in the new account, for the confirmation an operator answers
// before it runs.
func (s *secretStep) RollbackPreview(records []json.RawMessage) ([]string, error) {
	m, err := s.merge(records)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("secret %s in %s (account %s)", s.NewName, s.TargetLabel, s.TargetAccount)
	if m.created {
		return []string{"delete " + where + ", which the clone created, without a recovery window (the value stays in the old account)"}, nil
	}
	var out []string
	if m.valueTouched {
		out = append(out, fmt.Sprintf("make version %s (value %s) current again for %s", m.priorVersion, m.prior, where))
	}
	if m.description != nil {
		out = append(out, "restore the description and KMS key of "+where)
	}
	if len(m.tags.Keys()) > 0 {
		out = append(out, fmt.Sprintf("restore tags %s of %s", strings.Join(m.tags.Keys(), ", "), where))
	}
	return out, nil
}

// PlanRollback is RollbackPreview as the runbook's rollback confirmation
// shows it.
func (s *secretStep) PlanRollback(_ context.Context, records []json.RawMessage) (runbook.ChangeSet, error) {
	lines, err := s.RollbackPreview(records)
	return runbook.ChangeSet{Step: s.ID(), Notes: lines}, err
}
