package secrets

import (
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// Default KMS keys: a value on its service's default key stays on the
// target's default key, which is another key with the same alias.
const (
	defaultSecretsKey = "alias/aws/secretsmanager"
	defaultSSMKey     = "alias/aws/ssm"
)

// mapKey is the new account's key for a source value's key reference:
// "" for the service's default key (def), the key table's entry, the same
// alias (aliases are names the new account is expected to hold), or an
// alias ARN with its account mapped. A key id or key ARN has no name that
// carries over: without a table entry, problem says what to do.
func mapKey(m rewrite.Mapping, table map[string]string, key, def string) (mapped, problem string) {
	if isDefaultKey(key, def) {
		return "", ""
	}
	for _, k := range []string{key, keyResource(key), strings.TrimPrefix(keyResource(key), "key/")} {
		if to, ok := table[k]; ok {
			return to, ""
		}
	}
	switch {
	case strings.HasPrefix(key, "alias/"):
		return key, ""
	case strings.HasPrefix(key, "arn:") && strings.HasPrefix(keyResource(key), "alias/"):
		return rewrite.String(m, key), ""
	}
	return "", fmt.Sprintf("KMS key %s has no counterpart in the new account: add it to the plan's KMS key table, or encrypt the source with an alias both accounts hold", key)
}

// isDefaultKey says whether key names the service's default key.
func isDefaultKey(key, def string) bool {
	return key == "" || key == def || keyResource(key) == def
}

// keyResource is the part of a KMS ARN after the account ("alias/x",
// "key/1234..."); a bare key id becomes "key/<id>"; an alias stays.
func keyResource(key string) string {
	if strings.HasPrefix(key, "arn:") {
		parts := strings.SplitN(key, ":", 6)
		if len(parts) == 6 {
			return parts[5]
		}
		return key
	}
	if strings.HasPrefix(key, "alias/") || key == "" {
		return key
	}
	return "key/" + key
}

// sameKey says whether two key references name the same key of one
// account, as far as their text tells: default keys are equal, and an ARN
// equals its alias or key id.
func sameKey(a, b, def string) bool {
	if isDefaultKey(a, def) || isDefaultKey(b, def) {
		return isDefaultKey(a, def) && isDefaultKey(b, def)
	}
	return keyResource(a) == keyResource(b)
}

// keyText shows a key reference for people.
func keyText(key, def string) string {
	if isDefaultKey(key, def) {
		return "(the account's default key, " + strings.TrimPrefix(def, "alias/") + ")"
	}
	return key
}
