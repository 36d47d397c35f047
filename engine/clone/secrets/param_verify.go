package secrets

import (
	"context"
	"fmt"
	"strings"

	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Verify checks every parameter of the step in the new account: it
// exists; its value hashes as the mapped source's does; its type,
// description, KMS key, data type, pattern, tier and tags equal the
// mapped source's; neither value nor settings name an old account. Each
// check's evidence has a line per parameter.
func (s *paramStep) Verify(ctx context.Context) (checks []runbook.Check, err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	pairs, err := s.read(ctx, v)
	if err != nil {
		return nil, err
	}
	old := s.OldAccounts()
	exists, value := runbook.Check{Name: CheckExists, OK: true}, runbook.Check{Name: CheckValue, OK: true}
	settings, accounts := runbook.Check{Name: CheckSettings, OK: true}, runbook.Check{Name: CheckAccounts, OK: true}
	var lines [4][]string
	for _, pp := range pairs {
		name := pp.want.name
		if !pp.dst.found {
			exists.OK = false
			lines[0] = append(lines[0], fmt.Sprintf("%s: missing in %s (account %s); apply the step", name, s.TargetLabel, s.TargetAccount))
			continue
		}
		lines[0] = append(lines[0], fmt.Sprintf("%s: %s version %d", name, pp.dst.typ, pp.dst.version))
		w, h := digestOf(pp.want.value), digestOf(pp.dst.value)
		if w != h {
			value.OK = false
			lines[1] = append(lines[1], fmt.Sprintf("%s: want %s (the mapped source), have %s", name, w, h))
		} else {
			lines[1] = append(lines[1], fmt.Sprintf("%s: %s on both sides, after the mapping", name, h))
		}
		if bad := settingLines(pp); len(bad) > 0 {
			settings.OK = false
			lines[2] = append(lines[2], bad...)
		}
		found := valueFindings(name+" value", pp.dst.value, old)
		found = append(found, settingFindings(name, pp.dst.description, pp.dst.keyID, pp.dst.tags, old)...)
		if len(found) > 0 {
			accounts.OK = false
			lines[3] = append(lines[3], found...)
		}
	}
	if settings.OK {
		lines[2] = []string{fmt.Sprintf("type, description, KMS key, data type, pattern, tier and tags of %d parameters equal the mapped source's", len(pairs))}
	}
	if accounts.OK {
		lines[3] = []string{fmt.Sprintf("none of %s in the values or settings of %d parameters", strings.Join(old, ", "), len(pairs))}
	}
	out := []runbook.Check{exists, value, settings, accounts}
	for i := range out {
		out[i].Evidence = strings.Join(lines[i], "\n")
	}
	return out, nil
}

// settingLines lists how one target parameter's settings and tags differ
// from the mapped source's.
func settingLines(pp paramPair) []string {
	var out []string
	for _, d := range pp.differs() {
		if d == "value" {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s: want %s, have %s", pp.want.name, d, settingText(pp.want, d), settingText(pp.dst, d)))
	}
	for _, l := range tagLines(pp.want.tags, pp.dst.tags) {
		out = append(out, pp.want.name+" "+l)
	}
	return out
}

// settingText shows one setting of a parameter.
func settingText(p param, setting string) string {
	switch setting {
	case "type":
		return string(p.typ)
	case "description":
		return fmt.Sprintf("%q", p.description)
	case "KMS key":
		if p.typ != ssmtypes.ParameterTypeSecureString {
			return "(none)"
		}
		return keyText(p.keyID, defaultSSMKey)
	case "data type":
		return orText(p.dataType)
	case "allowed pattern":
		return fmt.Sprintf("%q", p.allowedPattern)
	}
	return string(p.tier)
}
