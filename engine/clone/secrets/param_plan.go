package secrets

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Plan compares each mapped source parameter with the target's: a change
// per parameter, create when the new account lacks it, update when its
// value (by hash), type, description, KMS key, data type, pattern, tier or
// tags differ, none otherwise. Values show as their hash.
func (s *paramStep) Plan(ctx context.Context) (cs runbook.ChangeSet, err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	cs = runbook.ChangeSet{Step: s.ID()}
	pairs, err := s.read(ctx, v)
	if err != nil {
		return cs, err
	}
	if err := s.needMappedKeys(pairs); err != nil {
		return cs, err
	}
	for _, pp := range pairs {
		ch := runbook.Change{Kind: ParameterChangeKind, Name: pp.want.name, After: renderParam(pp.want)}
		d := pp.differs()
		if set, remove := awsstep.TagDiff(pp.want.tags, pp.dst.tags); len(set)+len(remove) > 0 {
			d = append(d, "tags")
		}
		switch {
		case !pp.dst.found:
			ch.Op = runbook.OpCreate
		case len(d) == 0:
			ch.Op = runbook.OpNone
		default:
			ch.Op, ch.Before = runbook.OpUpdate, renderParam(pp.dst)
			cs.Notes = append(cs.Notes, fmt.Sprintf("update parameter %s: %s", pp.want.name, strings.Join(d, ", ")))
		}
		cs.Changes = append(cs.Changes, ch)
		if !bytes.Equal(pp.want.value, pp.src.value) {
			cs.Notes = append(cs.Notes, fmt.Sprintf("the value of %s names the old account or a renamed resource: the copy holds it rewritten through the mapping", pp.src.name))
		}
		if pp.want.keyID != "" {
			cs.Notes = append(cs.Notes, fmt.Sprintf("KMS key %s of %s is not cloned: it must exist in account %s before apply", pp.want.keyID, pp.want.name, s.TargetAccount))
		}
	}
	return cs, nil
}

// needMappedKeys refuses parameters whose KMS key has no counterpart.
func (s *paramStep) needMappedKeys(pairs []paramPair) error {
	var lines []string
	for _, pp := range pairs {
		if pp.keyNote != "" {
			lines = append(lines, pp.src.name+": "+pp.keyNote)
		}
	}
	if len(lines) > 0 {
		return s.Fail("%s", strings.Join(lines, "; "))
	}
	return nil
}

// renderParam shows a parameter as YAML, its value as a hash.
func renderParam(p param) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ntype: %s\n", p.name, p.typ)
	if p.description != "" {
		fmt.Fprintf(&b, "description: %s\n", p.description)
	}
	if p.typ == ssmtypes.ParameterTypeSecureString {
		fmt.Fprintf(&b, "kmsKey: %s\n", keyText(p.keyID, defaultSSMKey))
	}
	fmt.Fprintf(&b, "value: %s\ndataType: %s\n", digestOf(p.value), orText(p.dataType))
	if p.allowedPattern != "" {
		fmt.Fprintf(&b, "allowedPattern: %s\n", p.allowedPattern)
	}
	if p.tier != "" {
		fmt.Fprintf(&b, "tier: %s\n", p.tier)
	}
	renderTags(&b, p.tags)
	return b.String()
}
