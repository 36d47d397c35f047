package rds

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// common is the part of a step's configuration both steps have, copied
// from InstanceConfig or ClusterConfig, with the helpers that need only it:
// how errors name the step, undo records, waiting, the KMS keys, groups and
// tags through the mapping.
type common struct {
	id    string // the step's ID
	noun  string // "RDS instance", "Aurora DB cluster": what errors name
	short string // "instance", "cluster": "this instance's share key"
	name  string

	sourceKMS, targetKMS                KMSAPI
	mapping                             rewrite.Mapping
	label, sourceAccount, targetAccount string
	targetKey, shareKey                 string
	kmsKeys                             map[string]string
	poll, maxPoll                       time.Duration
}

// defaults fills the zero values of a configuration's shared settings.
func (c *common) defaults() {
	if c.label == "" {
		c.label = "target"
	}
	if c.poll <= 0 {
		c.poll = DefaultPoll
	}
	if c.maxPoll < c.poll {
		c.maxPoll = max(DefaultMaxPoll, c.poll)
	}
}

func (c *common) fail(format string, args ...any) error {
	return fmt.Errorf("clone %s %s: "+format, append([]any{c.noun, c.name}, args...)...)
}

// checkAccounts refuses accounts that could write to the wrong account or
// compare against nothing.
func (c *common) checkAccounts() error {
	switch {
	case c.sourceAccount == "" || c.targetAccount == "":
		return c.fail("the plan names no source or target account id; set source.aws.account and target.aws.account in the plan")
	case c.targetAccount == c.sourceAccount || c.mapping.Accounts[c.targetAccount] != "":
		return c.fail("target account %s is an old account; fix the plan's target.aws.account or mapping.accounts", c.targetAccount)
	}
	return nil
}

// mapName is an identifier or name through the mapping.
func (c *common) mapName(name string) string { return rewrite.String(c.mapping, name) }

// onTarget names the target side in errors: "EKS (account 222222222222)".
func (c *common) onTarget() string {
	return fmt.Sprintf("%s (account %s)", c.label, c.targetAccount)
}

// save records u durably before the write it describes.
func (c *common) save(rec runbook.Recorder, u undoRecord) error {
	raw, err := json.Marshal(u)
	if err != nil {
		return c.fail("encode the undo record: %w", err)
	}
	if err := rec.Save(raw); err != nil {
		return c.fail("save the undo record before writing: %w; nothing was written, fix the journal's storage and apply again", err)
	}
	return nil
}

// tags mark a snapshot the step makes with the step's ID, for people
// looking at either account's console.
func (c *common) tags() []types.Tag {
	return []types.Tag{{Key: aws.String("ferry.dev/step"), Value: aws.String(c.id)}}
}

// mapTags is tags with every value through the mapping.
func (c *common) mapTags(tags []types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		out[aws.ToString(t.Key)] = rewrite.String(c.mapping, aws.ToString(t.Value))
	}
	return out
}

// tagList is tags as RDS takes them, sorted by key.
func tagList(tags map[string]string) []types.Tag {
	var out []types.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// tagMap is an RDS tag list as a map.
func tagMap(tags []types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// mapSecurityGroups maps VPC security group ids, sorted; every one must
// have a counterpart in the plan, as the old VPC's mean nothing in the new.
func (c *common) mapSecurityGroups(groups []types.VpcSecurityGroupMembership) ([]string, error) {
	var out, unmapped []string
	for _, g := range groups {
		id := aws.ToString(g.VpcSecurityGroupId)
		to := rewrite.String(c.mapping, id)
		if to == id {
			unmapped = append(unmapped, id)
		}
		out = append(out, to)
	}
	slices.Sort(out)
	if len(unmapped) > 0 {
		return out, c.fail("security group %s belongs to the old account's VPC and has no counterpart in the plan; map each to a security group of the new account's VPC in mapping.names (from: %s, to: sg-...)",
			strings.Join(unmapped, ", "), unmapped[0])
	}
	return out, nil
}

// securityGroupIDs are a resource's VPC security group ids, sorted.
func securityGroupIDs(groups []types.VpcSecurityGroupMembership) []string {
	var out []string
	for _, g := range groups {
		out = append(out, aws.ToString(g.VpcSecurityGroupId))
	}
	slices.Sort(out)
	return out
}

type subnetGroupDescriber interface {
	DescribeDBSubnetGroups(ctx context.Context, in *rds.DescribeDBSubnetGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error)
}

type parameterGroupDescriber interface {
	DescribeDBParameterGroups(ctx context.Context, in *rds.DescribeDBParameterGroupsInput, opts ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error)
}

// mapSubnetGroup maps the subnet group from and checks the new account has
// it, in the target account.
func (c *common) mapSubnetGroup(ctx context.Context, api subnetGroupDescriber, from string) (string, error) {
	to := rewrite.String(c.mapping, from)
	out, err := api.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(to)})
	if isCode(err, "DBSubnetGroupNotFoundFault") || (err == nil && len(out.DBSubnetGroups) == 0) {
		return to, c.fail("DB subnet group %s does not exist in %s; create it in the new VPC, or map %s to one that exists in the plan's mapping.names",
			to, c.onTarget(), from)
	}
	if err != nil {
		return to, c.fail("%s: describe DB subnet group %s: %w", c.onTarget(), to, err)
	}
	if a := arnAccount(aws.ToString(out.DBSubnetGroups[0].DBSubnetGroupArn)); a != "" && a != c.targetAccount {
		return to, c.fail("the target profile reaches account %s, not the plan's target account %s; check the target profile", a, c.targetAccount)
	}
	return to, nil
}

// mapParameterGroup maps the DB parameter group from and checks the new
// account has it (default.* groups exist everywhere).
func (c *common) mapParameterGroup(ctx context.Context, api parameterGroupDescriber, from string) (string, error) {
	to := rewrite.String(c.mapping, from)
	if strings.HasPrefix(to, "default.") {
		return to, nil
	}
	_, err := api.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String(to)})
	if isCode(err, "DBParameterGroupNotFound") {
		return to, c.fail("DB parameter group %s does not exist in %s; create it with the settings of %s in the old account, or map %s to one that exists in the plan's mapping.names",
			to, c.onTarget(), from, from)
	}
	if err != nil {
		return to, c.fail("%s: describe DB parameter group %s: %w", c.onTarget(), to, err)
	}
	return to, nil
}

// oldNote says the old account is not touched and what stays there.
func (c *common) oldNote(old []string) string {
	if len(old) == 0 {
		return fmt.Sprintf("nothing in the old account %s is touched", c.sourceAccount)
	}
	return fmt.Sprintf("nothing in the old account %s is touched: it keeps %s; delete that there when the migration is done",
		c.sourceAccount, strings.Join(old, ", "))
}

func createOp(exists bool) runbook.Op {
	if exists {
		return runbook.OpNone
	}
	return runbook.OpCreate
}

// derivedSuffix is the short hash snapshot names end in: the same for the
// same step and accounts, so a resumed or repeated apply finds what an
// earlier one made.
func derivedSuffix(stepID, sourceAccount, targetAccount string) string {
	h := sha256.Sum256([]byte(stepID + "/" + sourceAccount + "/" + targetAccount))
	return fmt.Sprintf("%x", h[:3])
}
