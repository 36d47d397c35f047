package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// param is one parameter as read live; found is false when it does not
// exist.
type param struct {
	found          bool
	name, arn      string
	typ            ssmtypes.ParameterType
	value          []byte
	version        int64
	description    string
	keyID          string
	dataType       string
	allowedPattern string
	tier           ssmtypes.ParameterTier
	tags           map[string]string
}

// readParam reads a parameter's value (decrypted), metadata and tags; one
// that does not exist is no error. name may carry a ":version" selector.
// The value goes into v.
func readParam(ctx context.Context, api ParameterSourceAPI, name string, v *vault) (param, error) {
	g, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return param{name: name}, nil
	}
	if err != nil {
		return param{}, fmt.Errorf("read parameter %s: %w", name, err)
	}
	p := param{found: true, name: aws.ToString(g.Parameter.Name), arn: aws.ToString(g.Parameter.ARN), typ: g.Parameter.Type,
		value: []byte(aws.ToString(g.Parameter.Value)), version: g.Parameter.Version, dataType: aws.ToString(g.Parameter.DataType), tags: map[string]string{}}
	v.keep(p.value)
	d, err := api.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssmtypes.ParameterStringFilter{
		{Key: aws.String("Name"), Option: aws.String("Equals"), Values: []string{p.name}}}})
	if err != nil {
		return p, fmt.Errorf("describe parameter %s: %w", p.name, err)
	}
	for _, m := range d.Parameters {
		if aws.ToString(m.Name) == p.name {
			p.description, p.keyID, p.allowedPattern, p.tier = aws.ToString(m.Description), aws.ToString(m.KeyId), aws.ToString(m.AllowedPattern), m.Tier
		}
	}
	t, err := api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter, ResourceId: aws.String(p.name)})
	if err != nil {
		return p, fmt.Errorf("read the tags of parameter %s: %w", p.name, err)
	}
	for _, tag := range t.TagList {
		p.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return p, nil
}

// sourceNames is the parameter the step names, or every parameter under
// its path, sorted.
func (s *paramStep) sourceNames(ctx context.Context) ([]string, error) {
	if !s.isPrefix() {
		return []string{s.cfg.Path}, nil
	}
	in := &ssm.GetParametersByPathInput{Path: aws.String(strings.TrimSuffix(s.cfg.Path, "/")), Recursive: aws.Bool(true)}
	var names []string
	for {
		out, err := s.cfg.Source.GetParametersByPath(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list the parameters under %s: %w", s.cfg.Path, err)
		}
		for _, p := range out.Parameters {
			names = append(names, aws.ToString(p.Name))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	slices.Sort(names)
	return names, nil
}

// paramPair is one parameter of the clone: both sides, and what the
// target should hold.
type paramPair struct {
	src, dst, want param
	keyNote        string // why the KMS key cannot be mapped
}

// read reads every parameter of the step on both sides. SecureString
// values are read decrypted, GetParametersByPath only lists names.
func (s *paramStep) read(ctx context.Context, v *vault) ([]paramPair, error) {
	if err := s.checkConfig(); err != nil {
		return nil, err
	}
	names, err := s.sourceNames(ctx)
	if err != nil {
		return nil, s.Fail("old account %s: %w; check that the source profile can read SSM there", s.SourceAccount, err)
	}
	var out []paramPair
	for _, name := range names {
		src, err := readParam(ctx, s.cfg.Source, name, v)
		if err != nil {
			return nil, s.Fail("old account %s: %w; check that the source profile can read (and decrypt) it", s.SourceAccount, err)
		}
		if !src.found {
			continue
		}
		pp := paramPair{src: src, want: s.wanted(src)}
		if src.typ == ssmtypes.ParameterTypeSecureString {
			pp.want.keyID, pp.keyNote = mapKey(s.Mapping, s.cfg.KMSKeys, src.keyID, defaultSSMKey)
		}
		v.keep(pp.want.value)
		if pp.dst, err = readParam(ctx, s.cfg.Target, pp.want.name, v); err != nil {
			return nil, s.Fail("%s (account %s): %w; check that the target profile can read (and decrypt) it", s.TargetLabel, s.TargetAccount, err)
		}
		if pp.dst.found && arnAccount(pp.dst.arn) != "" && arnAccount(pp.dst.arn) != s.TargetAccount {
			return nil, s.Fail("parameter %s on the target side is in account %q, not the plan's target account %s; check the target profile",
				pp.want.name, arnAccount(pp.dst.arn), s.TargetAccount)
		}
		out = append(out, pp)
	}
	if len(out) == 0 {
		return nil, s.Fail("no such parameter in the old account %s; check the name, or drop it from the plan's resources.ssm", s.SourceAccount)
	}
	return out, nil
}

// wanted is a source parameter as the target should hold it (its KMS key
// is mapped by the caller).
func (s *paramStep) wanted(src param) param {
	m := s.Mapping
	return param{name: rewrite.String(m, src.name), typ: src.typ, value: mapValue(m, src.value), description: rewrite.String(m, src.description),
		dataType: src.dataType, allowedPattern: src.allowedPattern, tier: src.tier, tags: awsstep.MapTags(m, src.tags)}
}

// differs lists what of the target parameter differs from the wanted one,
// tags aside: what a PutParameter must change.
func (pp paramPair) differs() []string {
	w, h := pp.want, pp.dst
	var out []string
	if digestOf(w.value) != digestOf(h.value) {
		out = append(out, "value")
	}
	if w.typ != h.typ {
		out = append(out, "type")
	}
	if w.description != h.description {
		out = append(out, "description")
	}
	if w.typ == ssmtypes.ParameterTypeSecureString && !sameKey(w.keyID, h.keyID, defaultSSMKey) {
		out = append(out, "KMS key")
	}
	if orText(w.dataType) != orText(h.dataType) {
		out = append(out, "data type")
	}
	if w.allowedPattern != h.allowedPattern {
		out = append(out, "allowed pattern")
	}
	// Advanced parameters cannot go back to Standard: only an upgrade counts.
	if w.tier == ssmtypes.ParameterTierAdvanced && h.tier != ssmtypes.ParameterTierAdvanced {
		out = append(out, "tier")
	}
	return out
}

// orText is a data type with its default filled in.
func orText(dataType string) string {
	if dataType == "" {
		return "text"
	}
	return dataType
}
