package secrets

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns, for secrets and parameters alike.
const (
	CheckExists   = "exists"
	CheckValue    = "value matches (by hash)"
	CheckSettings = "settings match"
	CheckAccounts = "no old-account ids"
)

// Verify checks the secret in the new account: it exists; its current
// value hashes as the mapped source's does; its description, KMS key and
// tags equal the mapped source's; neither its value nor its settings name
// an old account (the value's findings name JSON fields, never content).
func (s *secretStep) Verify(ctx context.Context) (checks []runbook.Check, err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	sd, err := s.read(ctx, v)
	if err != nil {
		return nil, err
	}
	if !sd.dst.exists() || sd.dst.deleted {
		return s.Missing(CheckExists, CheckValue, CheckSettings, CheckAccounts), nil
	}
	exists := s.Found(CheckExists, fmt.Sprintf("%s, current version %s", sd.dst.arn, sd.dst.version))
	return []runbook.Check{exists, valueCheck(sd.want, sd.dst), s.settingsCheck(sd), s.accountsCheck(sd.dst)}, nil
}

// valueCheck compares the digests of the wanted and the target's value.
func valueCheck(want, have secret) runbook.Check {
	w, h := digestOf(want.value), digestOf(have.value)
	c := runbook.Check{Name: CheckValue, OK: w == h && want.binary == have.binary && have.version != ""}
	switch {
	case have.version == "":
		c.Evidence = "the target holds no current value"
	case c.OK:
		c.Evidence = fmt.Sprintf("%s on both sides, after the mapping", h)
	case want.binary != have.binary:
		c.Evidence = fmt.Sprintf("want a %s value, have a %s one", valueType(want), valueType(have))
	default:
		c.Evidence = fmt.Sprintf("want %s (the mapped source), have %s", w, h)
	}
	return c
}

func valueType(s secret) string {
	if s.binary {
		return "binary"
	}
	return "string"
}

// settingsCheck lists every setting that differs.
func (s *secretStep) settingsCheck(sd secretSides) runbook.Check {
	var lines []string
	if sd.want.description != sd.dst.description {
		lines = append(lines, fmt.Sprintf("description: want %q, have %q", sd.want.description, sd.dst.description))
	}
	if !sameKey(sd.want.kmsKey, sd.dst.kmsKey, defaultSecretsKey) {
		lines = append(lines, fmt.Sprintf("KMS key: want %s, have %s", keyText(sd.want.kmsKey, defaultSecretsKey), keyText(sd.dst.kmsKey, defaultSecretsKey)))
	}
	lines = append(lines, tagLines(sd.want.tags, sd.dst.tags)...)
	return awsstep.Check(CheckSettings, lines, fmt.Sprintf("description, KMS key %s and %d tags equal the mapped source's",
		keyText(sd.dst.kmsKey, defaultSecretsKey), len(sd.dst.tags)))
}

// accountsCheck scans the target secret's value, description, KMS key and
// tags for old account ids.
func (s *secretStep) accountsCheck(sec secret) runbook.Check {
	f := s.Findings()
	f.Add(valueFindings("secret "+s.NewName+" value", sec.value, f.Old())...)
	f.Add(settingFindings("secret "+s.NewName, sec.description, sec.kmsKey, sec.tags, f.Old())...)
	return f.Check(CheckAccounts, fmt.Sprintf("the value, description, KMS key or %d tags", len(sec.tags)))
}

// settingFindings locates old account ids in settings, which are not
// secret: the ARN or URL around each is shown.
func settingFindings(where, description, kmsKey string, tags map[string]string, old []string) []string {
	var out []string
	scan := func(field, v string) {
		for _, loc := range rewrite.Locators(v, old) {
			out = append(out, fmt.Sprintf("%s %s: %s", where, field, loc))
		}
	}
	scan("description", description)
	scan("KMS key", kmsKey)
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		scan("tag "+k, tags[k])
	}
	return out
}
