package rds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// want is the target instance the clone makes: the source's settings with
// every name through the mapping.
type want struct {
	class, engine, version, storageType string
	storage                             int32
	encrypted                           bool
	key                                 string // the target key's ARN, or an alias/aws/ alias AWS creates on first use
	keyName                             string // for people
	subnetGroup, parameterGroup         string
	securityGroups                      []string
	tags                                map[string]string
	multiAZ, public                     bool
}

// wanted maps the source instance and checks that the new account has the
// key, subnet group and parameter group the mapping names.
func (s *instanceStep) wanted(ctx context.Context, sd sides) (want, error) {
	src := sd.src
	w := want{class: aws.ToString(src.DBInstanceClass), engine: aws.ToString(src.Engine), version: aws.ToString(src.EngineVersion),
		storageType: aws.ToString(src.StorageType), storage: aws.ToInt32(src.AllocatedStorage), encrypted: aws.ToBool(src.StorageEncrypted),
		multiAZ: aws.ToBool(src.MultiAZ), public: aws.ToBool(src.PubliclyAccessible), tags: map[string]string{}}
	for _, t := range src.TagList {
		w.tags[aws.ToString(t.Key)] = rewrite.String(s.cfg.Mapping, aws.ToString(t.Value))
	}
	if err := s.wantKey(ctx, sd, &w); err != nil {
		return w, err
	}
	if err := s.wantGroups(ctx, src, &w); err != nil {
		return w, err
	}
	var unmapped []string
	for _, g := range src.VpcSecurityGroups {
		id := aws.ToString(g.VpcSecurityGroupId)
		to := rewrite.String(s.cfg.Mapping, id)
		if to == id {
			unmapped = append(unmapped, id)
		}
		w.securityGroups = append(w.securityGroups, to)
	}
	slices.Sort(w.securityGroups)
	if len(unmapped) > 0 {
		return w, s.fail("security group %s belongs to the old account's VPC and has no counterpart in the plan; map each to a security group of the new account's VPC in mapping.names (from: %s, to: sg-...)",
			strings.Join(unmapped, ", "), unmapped[0])
	}
	return w, nil
}

// wantKey finds the new account's key: TargetKey, else the source key's
// alias through the mapping. An AWS-managed alias (alias/aws/rds) names the
// new account's own, which AWS creates on first use.
func (s *instanceStep) wantKey(ctx context.Context, sd sides, w *want) error {
	if !w.encrypted {
		return nil
	}
	key := s.cfg.TargetKey
	if key == "" {
		if sd.srcKey.alias == "" {
			return s.fail("its KMS key %s has no alias to map to a key of account %s; give it an alias, or name the target key for this instance in the plan",
				sd.srcKey.arn, s.cfg.TargetAccount)
		}
		key = rewrite.String(s.cfg.Mapping, sd.srcKey.alias)
	}
	k, found, err := readKey(ctx, s.cfg.TargetKMS, key)
	switch {
	case err != nil:
		return s.fail("%s (account %s): %w; check that the target profile may describe KMS keys", s.cfg.TargetLabel, s.cfg.TargetAccount, err)
	case !found && strings.HasPrefix(key, "alias/aws/"):
		w.key, w.keyName = key, key+" (AWS-managed; AWS creates it on first use)"
	case !found:
		return s.fail("no KMS key %s in account %s to encrypt the copy with; create it there (a customer-managed key RDS may use), or map %s to an existing key's alias in the plan's mapping.names",
			key, s.cfg.TargetAccount, sd.srcKey.alias)
	case arnAccount(k.arn) != s.cfg.TargetAccount:
		return s.fail("KMS key %s is in account %s, not the plan's target account %s; check the target profile or the target key", key, arnAccount(k.arn), s.cfg.TargetAccount)
	default:
		w.key, w.keyName = k.arn, k.describeName()
	}
	return nil
}

// wantGroups maps the subnet and parameter groups and checks the new
// account has them (default.* parameter groups exist everywhere).
func (s *instanceStep) wantGroups(ctx context.Context, src *types.DBInstance, w *want) error {
	if src.DBSubnetGroup != nil {
		from := aws.ToString(src.DBSubnetGroup.DBSubnetGroupName)
		w.subnetGroup = rewrite.String(s.cfg.Mapping, from)
		out, err := s.cfg.Target.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(w.subnetGroup)})
		if isCode(err, "DBSubnetGroupNotFoundFault") || (err == nil && len(out.DBSubnetGroups) == 0) {
			return s.fail("DB subnet group %s does not exist in %s (account %s); create it in the new VPC, or map %s to one that exists in the plan's mapping.names",
				w.subnetGroup, s.cfg.TargetLabel, s.cfg.TargetAccount, from)
		}
		if err != nil {
			return s.fail("%s (account %s): describe DB subnet group %s: %w", s.cfg.TargetLabel, s.cfg.TargetAccount, w.subnetGroup, err)
		}
		if a := arnAccount(aws.ToString(out.DBSubnetGroups[0].DBSubnetGroupArn)); a != "" && a != s.cfg.TargetAccount {
			return s.fail("the target profile reaches account %s, not the plan's target account %s; check the target profile", a, s.cfg.TargetAccount)
		}
	}
	if len(src.DBParameterGroups) == 0 {
		return nil
	}
	from := aws.ToString(src.DBParameterGroups[0].DBParameterGroupName)
	w.parameterGroup = rewrite.String(s.cfg.Mapping, from)
	if strings.HasPrefix(w.parameterGroup, "default.") {
		return nil
	}
	_, err := s.cfg.Target.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String(w.parameterGroup)})
	if isCode(err, "DBParameterGroupNotFound") {
		return s.fail("DB parameter group %s does not exist in %s (account %s); create it with the settings of %s in the old account, or map %s to one that exists in the plan's mapping.names",
			w.parameterGroup, s.cfg.TargetLabel, s.cfg.TargetAccount, from, from)
	}
	if err != nil {
		return s.fail("%s (account %s): describe DB parameter group %s: %w", s.cfg.TargetLabel, s.cfg.TargetAccount, w.parameterGroup, err)
	}
	return nil
}

// have is an instance's settings in want's terms.
func have(in *types.DBInstance) want {
	h := want{class: aws.ToString(in.DBInstanceClass), engine: aws.ToString(in.Engine), version: aws.ToString(in.EngineVersion),
		storageType: aws.ToString(in.StorageType), storage: aws.ToInt32(in.AllocatedStorage), encrypted: aws.ToBool(in.StorageEncrypted),
		key: aws.ToString(in.KmsKeyId), multiAZ: aws.ToBool(in.MultiAZ), public: aws.ToBool(in.PubliclyAccessible), tags: map[string]string{}}
	if in.DBSubnetGroup != nil {
		h.subnetGroup = aws.ToString(in.DBSubnetGroup.DBSubnetGroupName)
	}
	if len(in.DBParameterGroups) > 0 {
		h.parameterGroup = aws.ToString(in.DBParameterGroups[0].DBParameterGroupName)
	}
	for _, g := range in.VpcSecurityGroups {
		h.securityGroups = append(h.securityGroups, aws.ToString(g.VpcSecurityGroupId))
	}
	slices.Sort(h.securityGroups)
	for _, t := range in.TagList {
		h.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return h
}

// differences lists each setting of h that is not w's, "name: want X, have Y".
// A key w names by alias (not created yet) matches any key.
func differences(w, h want) []string {
	var out []string
	cmp := func(name, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: want %s, have %s", name, shown(a), shown(b)))
		}
	}
	cmp("class", w.class, h.class)
	cmp("engine", w.engine+" "+w.version, h.engine+" "+h.version)
	cmp("storage", fmt.Sprintf("%d GiB %s", w.storage, w.storageType), fmt.Sprintf("%d GiB %s", h.storage, h.storageType))
	cmp("encrypted", fmt.Sprint(w.encrypted), fmt.Sprint(h.encrypted))
	if !strings.HasPrefix(w.key, "alias/") {
		cmp("KMS key", w.key, h.key)
	}
	cmp("subnet group", w.subnetGroup, h.subnetGroup)
	cmp("parameter group", w.parameterGroup, h.parameterGroup)
	cmp("security groups", strings.Join(w.securityGroups, ","), strings.Join(h.securityGroups, ","))
	cmp("multi-AZ", fmt.Sprint(w.multiAZ), fmt.Sprint(h.multiAZ))
	cmp("publicly accessible", fmt.Sprint(w.public), fmt.Sprint(h.public))
	for _, k := range slices.Sorted(maps.Keys(w.tags)) {
		if v, ok := h.tags[k]; !ok || v != w.tags[k] {
			out = append(out, fmt.Sprintf("tag %s: want %s, have %s", k, shown(w.tags[k]), shown(v)))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(h.tags)) {
		if _, ok := w.tags[k]; !ok {
			out = append(out, fmt.Sprintf("tag %s: want none, have %s", k, shown(h.tags[k])))
		}
	}
	return out
}

func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// render is the target instance for a change set: one setting a line.
func (w want) render(id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "identifier: %s\nengine: %s %s\nclass: %s\nstorage: %d GiB %s\n", id, w.engine, w.version, w.class, w.storage, w.storageType)
	if w.encrypted {
		fmt.Fprintf(&b, "encrypted: yes, KMS key %s\n", w.keyName)
	} else {
		b.WriteString("encrypted: no\n")
	}
	fmt.Fprintf(&b, "subnet group: %s\nparameter group: %s\nsecurity groups: [%s]\nmulti-AZ: %v\npublicly accessible: %v\n",
		shown(w.subnetGroup), shown(w.parameterGroup), strings.Join(w.securityGroups, ", "), w.multiAZ, w.public)
	if len(w.tags) > 0 {
		b.WriteString("tags:\n")
		for _, k := range slices.Sorted(maps.Keys(w.tags)) {
			fmt.Fprintf(&b, "  %s: %s\n", k, w.tags[k])
		}
	}
	return b.String()
}

// restoreTags are w's tags as RDS takes them.
func (w want) restoreTags() []types.Tag {
	var out []types.Tag
	for _, k := range slices.Sorted(maps.Keys(w.tags)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(w.tags[k])})
	}
	return out
}
