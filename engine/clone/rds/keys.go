package rds

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// keyInfo is a KMS key as the steps need it.
type keyInfo struct {
	arn, id string
	alias   string   // its first alias: a customer alias if it has one
	aliases []string // all of them, customer aliases first
	managed bool     // AWS-managed (such as aws/rds): no other account may use it
}

// describeName is how a message names the key.
func (k keyInfo) describeName() string {
	if k.alias == "" {
		return k.arn
	}
	return strings.TrimPrefix(k.alias, "alias/") + " (" + k.arn + ")"
}

// readKey describes a key by id, ARN or alias; found is false when the
// account has no such key.
func readKey(ctx context.Context, api KMSAPI, id string) (k keyInfo, found bool, err error) {
	out, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if errors.As(err, new(*kmstypes.NotFoundException)) || isCode(err, "NotFoundException") {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("describe KMS key %s: %w", id, err)
	}
	md := out.KeyMetadata
	k = keyInfo{arn: aws.ToString(md.Arn), id: aws.ToString(md.KeyId), managed: md.KeyManager == kmstypes.KeyManagerTypeAws}
	aliases, err := api.ListAliases(ctx, &kms.ListAliasesInput{KeyId: md.KeyId})
	if err != nil {
		return k, true, fmt.Errorf("list the aliases of KMS key %s: %w", k.arn, err)
	}
	for _, a := range aliases.Aliases {
		k.aliases = append(k.aliases, aws.ToString(a.AliasName))
	}
	slices.SortFunc(k.aliases, func(a, b string) int { // customer aliases first
		return cmpBool(strings.HasPrefix(a, "alias/aws/"), strings.HasPrefix(b, "alias/aws/"), a, b)
	})
	if len(k.aliases) > 0 {
		k.alias = k.aliases[0]
	}
	return k, true, nil
}

func cmpBool(x, y bool, a, b string) int {
	switch {
	case x == y:
		return strings.Compare(a, b)
	case x:
		return 1
	}
	return -1
}

// sourceKeys reads the key of an encrypted resource in the old account
// and, for an AWS-managed one, the key to share with: without one the
// resource cannot be cloned, and the error says what to do.
func (c *common) sourceKeys(ctx context.Context, encrypted bool, keyID string) (src, share keyInfo, err error) {
	if !encrypted {
		return src, share, nil
	}
	src, found, err := readKey(ctx, c.sourceKMS, keyID)
	if err != nil {
		return src, share, c.fail("old account %s: %w; check that the source profile may describe KMS keys", c.sourceAccount, err)
	}
	if !found {
		return src, share, c.fail("its KMS key %s is not visible in the old account %s; check the source profile's KMS access", keyID, c.sourceAccount)
	}
	if !src.managed {
		return src, share, nil
	}
	if c.shareKey == "" {
		return src, share, fmt.Errorf("clone %s %s: %w: it is encrypted with the AWS-managed KMS key %s, which AWS lets no other account use, so AWS refuses to share its snapshots with account %s. "+
			"To clone it, create a customer-managed KMS key in account %s whose key policy lets account %s use it (kms:DescribeKey, kms:CreateGrant, kms:Decrypt) and name it as this %s's share key in the plan: "+
			"ferry then copies the snapshot under that key in the old account and shares the copy",
			c.noun, c.name, ErrUnshareableKey, src.describeName(), c.targetAccount, c.sourceAccount, c.targetAccount, c.short)
	}
	share, found, err = readKey(ctx, c.sourceKMS, c.shareKey)
	switch {
	case err != nil:
		return src, share, c.fail("old account %s: share key: %w", c.sourceAccount, err)
	case !found:
		return src, share, c.fail("its share key %s does not exist in the old account %s; create it there or fix the plan", c.shareKey, c.sourceAccount)
	case share.managed:
		return src, share, c.fail("its share key %s is AWS-managed too, and cannot be shared either; name a customer-managed key", share.describeName())
	}
	return src, share, nil
}

// wantKey finds the new account's key for the source key src: the plan's
// target key, else src's entry in the plan's KMS key table, else src's
// alias through the mapping. An AWS-managed alias (alias/aws/rds) names
// the new account's own, which AWS creates on first use: key is then that
// alias.
func (c *common) wantKey(ctx context.Context, src keyInfo) (key, keyName string, err error) {
	key, fix := c.targetKey, fmt.Sprintf("or fix this %s's target key in the plan", c.short)
	if key == "" {
		if from, to := c.tableKey(src); to != "" {
			key, fix = to, fmt.Sprintf("or fix the entry for %s in the plan's KMS key table", from)
		}
	}
	if key == "" {
		if src.alias == "" {
			return "", "", c.fail("its KMS key %s has no alias to map to a key of account %s; give it an alias, or name its key in the plan's KMS key table or as this %s's target key",
				src.arn, c.targetAccount, c.short)
		}
		key, fix = rewrite.String(c.mapping, src.alias), fmt.Sprintf("or map %s to an existing key's alias in the plan's mapping.names", src.alias)
	}
	k, found, err := readKey(ctx, c.targetKMS, key)
	switch {
	case err != nil:
		return "", "", c.fail("%s: %w; check that the target profile may describe KMS keys", c.onTarget(), err)
	case !found && strings.HasPrefix(key, "alias/aws/"):
		return key, key + " (AWS-managed; AWS creates it on first use)", nil
	case !found:
		return "", "", c.fail("no KMS key %s in account %s to encrypt the copy with; create it there (a customer-managed key RDS may use), %s", key, c.targetAccount, fix)
	case arnAccount(k.arn) != c.targetAccount:
		return "", "", c.fail("KMS key %s is in account %s, not the plan's target account %s; check the target profile or the plan's key for it", key, arnAccount(k.arn), c.targetAccount)
	}
	return k.arn, k.describeName(), nil
}

// tableKey is the entry of the plan's KMS key table for k: by its ARN,
// else its key id, else one of its aliases by name (customer aliases
// first), else one by alias ARN. from is the entry's key, to its value;
// both "" when none matches.
func (c *common) tableKey(k keyInfo) (from, to string) {
	for _, cand := range append([]string{k.arn, k.id}, k.aliases...) {
		if v, ok := c.kmsKeys[cand]; ok && cand != "" {
			return cand, v
		}
	}
	for _, from := range slices.Sorted(maps.Keys(c.kmsKeys)) {
		_, alias, ok := strings.Cut(from, ":alias/")
		if ok && strings.HasPrefix(from, "arn:") && arnAccount(from) == arnAccount(k.arn) && slices.Contains(k.aliases, "alias/"+alias) {
			return from, c.kmsKeys[from]
		}
	}
	return "", ""
}
