package secrets

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// paramUndo is what Apply saves before writing one parameter, and all
// Rollback needs to undo it. It holds digests, never values.
type paramUndo struct {
	// Parameter is the name in the new account, Account that account.
	Parameter string `json:"parameter"`
	Account   string `json:"account"`
	// Created says the write creates the parameter: undone by deleting it.
	Created bool `json:"created,omitempty"`
	// Wrote is the digest of the value the write puts, when it puts one.
	Wrote *digest `json:"wrote,omitempty"`
	// Prior is the parameter before an overwrite: its version (read back
	// by "name:version" on rollback), the digest of its value and the
	// settings the overwrite replaces.
	Prior *priorParam `json:"prior,omitempty"`
	// PriorTags holds the tags the write changes or removes as they were,
	// AddedTags the keys it adds.
	PriorTags map[string]string `json:"priorTags,omitempty"`
	AddedTags []string          `json:"addedTags,omitempty"`
}

type priorParam struct {
	Version        int64                  `json:"version"`
	Value          digest                 `json:"value"`
	Type           ssmtypes.ParameterType `json:"type"`
	Description    string                 `json:"description,omitempty"`
	KeyID          string                 `json:"keyId,omitempty"`
	DataType       string                 `json:"dataType,omitempty"`
	AllowedPattern string                 `json:"allowedPattern,omitempty"`
}

// Apply writes each parameter that differs from its mapped source, one
// after the other, saving its undo record first; a second Apply makes no
// write, and one cut short resumes with what is still missing. The source
// is only read.
func (s *paramStep) Apply(ctx context.Context, rec runbook.Recorder) (err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	pairs, err := s.read(ctx, v)
	if err != nil {
		return err
	}
	if err := s.needMappedKeys(pairs); err != nil {
		return err
	}
	for i, pp := range pairs {
		msg, err := s.applyOne(ctx, pp, rec)
		if err != nil {
			return err
		}
		rec.Progress(runbook.Progress{Done: i + 1, Total: len(pairs), Message: msg})
	}
	return nil
}

// applyOne puts the parameter when its value or settings differ, then
// tags it.
func (s *paramStep) applyOne(ctx context.Context, pp paramPair, rec runbook.Recorder) (string, error) {
	d := pp.differs()
	tset, untag := awsstep.TagDiff(pp.want.tags, pp.dst.tags)
	if pp.dst.found && len(d)+len(tset)+len(untag) == 0 {
		return fmt.Sprintf("unchanged parameter %s in %s", pp.want.name, s.TargetLabel), nil
	}
	u := paramUndo{Parameter: pp.want.name, Account: s.TargetAccount, Created: !pp.dst.found}
	put := !pp.dst.found || len(d) > 0
	if put {
		wrote := digestOf(pp.want.value)
		u.Wrote = &wrote
	}
	if put && pp.dst.found {
		h := pp.dst
		u.Prior = &priorParam{Version: h.version, Value: digestOf(h.value), Type: h.typ, Description: h.description, KeyID: h.keyID,
			DataType: h.dataType, AllowedPattern: h.allowedPattern}
	}
	u.PriorTags, u.AddedTags = awsstep.PriorTags(pp.dst.tags, tset, untag)
	if err := s.Save(rec, u); err != nil {
		return "", err
	}
	if put {
		if err := s.put(ctx, pp.want, pp.dst.found); err != nil {
			return "", s.Fail("put parameter %s in %s: %w; fix what SSM says and apply again", pp.want.name, s.TargetLabel, err)
		}
	}
	if err := s.writeTags(ctx, pp.want.name, tset, untag); err != nil {
		return "", s.Fail("tag parameter %s in %s: %w; apply again", pp.want.name, s.TargetLabel, err)
	}
	switch {
	case !pp.dst.found:
		return fmt.Sprintf("created parameter %s (%s) in %s: value %s", pp.want.name, pp.want.typ, s.TargetLabel, digestOf(pp.want.value)), nil
	case put:
		return fmt.Sprintf("updated parameter %s in %s: %s", pp.want.name, s.TargetLabel, strings.Join(d, ", ")), nil
	}
	return fmt.Sprintf("updated the tags of parameter %s in %s", pp.want.name, s.TargetLabel), nil
}

// put writes a parameter whole. A SecureString on the default key is put
// without KeyId, which SSM reads as the account's default key.
func (s *paramStep) put(ctx context.Context, p param, overwrite bool) error {
	in := &ssm.PutParameterInput{Name: aws.String(p.name), Value: aws.String(string(p.value)), Type: p.typ, Overwrite: aws.Bool(overwrite)}
	if p.description != "" || overwrite {
		in.Description = aws.String(p.description)
	}
	if p.keyID != "" && p.typ == ssmtypes.ParameterTypeSecureString {
		in.KeyId = aws.String(p.keyID)
	}
	if p.dataType != "" {
		in.DataType = aws.String(p.dataType)
	}
	if p.allowedPattern != "" {
		in.AllowedPattern = aws.String(p.allowedPattern)
	}
	if p.tier == ssmtypes.ParameterTierAdvanced {
		in.Tier = p.tier
	}
	_, err := s.cfg.Target.PutParameter(ctx, in)
	return quiet(err, p.value)
}

// writeTags tags, then untags, skipping empty calls.
func (s *paramStep) writeTags(ctx context.Context, name string, tset map[string]string, untag []string) error {
	if len(tset) > 0 {
		in := &ssm.AddTagsToResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter, ResourceId: aws.String(name)}
		for _, k := range slices.Sorted(maps.Keys(tset)) {
			in.Tags = append(in.Tags, ssmtypes.Tag{Key: aws.String(k), Value: aws.String(tset[k])})
		}
		if _, err := s.cfg.Target.AddTagsToResource(ctx, in); err != nil {
			return err
		}
	}
	if len(untag) > 0 {
		_, err := s.cfg.Target.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter,
			ResourceId: aws.String(name), TagKeys: untag})
		return err
	}
	return nil
}
