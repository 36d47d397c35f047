package secrets

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan compares the mapped source secret with the target's: create when
// the new account has none, update when its value (by hash), description,
// KMS key or tags differ, none otherwise. The value shows as its hash.
func (s *secretStep) Plan(ctx context.Context) (cs runbook.ChangeSet, err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	cs = runbook.ChangeSet{Step: s.ID()}
	sd, err := s.read(ctx, v)
	if err != nil {
		return cs, err
	}
	if err := s.needWritable(sd); err != nil {
		return cs, err
	}
	ch := runbook.Change{Kind: SecretChangeKind, Name: s.NewName, After: renderSecret(s.NewName, sd.want)}
	switch d := sd.differs(); {
	case !sd.dst.exists():
		ch.Op = runbook.OpCreate
	case len(d) == 0:
		ch.Op = runbook.OpNone
	default:
		ch.Op, ch.Before = runbook.OpUpdate, renderSecret(s.NewName, sd.dst)
		cs.Notes = append(cs.Notes, fmt.Sprintf("update secret %s: %s", s.NewName, strings.Join(d, ", ")))
	}
	cs.Changes = []runbook.Change{ch}
	cs.Notes = append(cs.Notes, s.notes(sd)...)
	return cs, nil
}

// needWritable refuses what the step cannot write: a KMS key it cannot
// map, a target secret scheduled for deletion.
func (s *secretStep) needWritable(sd secretSides) error {
	switch {
	case sd.keyNote != "":
		return s.Fail("%s", sd.keyNote)
	case sd.dst.deleted:
		return s.Fail("secret %s in %s is scheduled for deletion; restore it (aws secretsmanager restore-secret) or wait for the deletion, then apply again",
			s.NewName, s.TargetLabel)
	}
	return nil
}

// notes say what the operator should know: the value was rewritten, a
// KMS alias must exist in the new account.
func (s *secretStep) notes(sd secretSides) []string {
	var out []string
	if !bytes.Equal(sd.want.value, sd.src.value) {
		out = append(out, "the value names the old account or a renamed resource: the copy holds it rewritten through the mapping")
	}
	if sd.want.kmsKey != "" {
		out = append(out, fmt.Sprintf("KMS key %s is not cloned: it must exist in account %s, with a policy letting Secrets Manager use it, before apply",
			sd.want.kmsKey, s.TargetAccount))
	}
	return out
}

// renderSecret shows a secret as YAML, its value as a hash.
func renderSecret(name string, sec secret) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", name)
	if sec.description != "" {
		fmt.Fprintf(&b, "description: %s\n", sec.description)
	}
	fmt.Fprintf(&b, "kmsKey: %s\n", keyText(sec.kmsKey, defaultSecretsKey))
	kind := "string"
	if sec.binary {
		kind = "binary"
	}
	if sec.version == "" && sec.arn != "" {
		b.WriteString("value: (none)\n")
	} else {
		fmt.Fprintf(&b, "value: %s\nvalueType: %s\n", digestOf(sec.value), kind)
	}
	renderTags(&b, sec.tags)
	return b.String()
}
