package rds

import (
	"strings"
	"testing"
)

// TestKMSKeyTable: the target key is the plan's TargetKey, else the KMS
// key table's entry for the source key (by ARN, key id, any alias by name,
// or alias ARN, in that order), else the source key's alias mapped.
func TestKMSKeyTable(t *testing.T) {
	t.Parallel()
	k1 := "arn:aws:kms:us-east-1:" + oldAcct + ":key/k1"
	tests := []struct {
		name      string
		targetKey string
		table     map[string]string
		want      string // the new account's key id
	}{
		{"alias mapping without a table", "", nil, "n1"},
		{"by key ARN", "", map[string]string{k1: "alias/table-target"}, "n2"},
		{"by key id", "", map[string]string{"k1": "alias/table-target"}, "n2"},
		{"by alias name", "", map[string]string{"alias/orders-db": "alias/table-target"}, "n2"},
		{"by another alias", "", map[string]string{"alias/orders-legacy": "alias/table-target"}, "n2"},
		{"by alias ARN", "", map[string]string{"arn:aws:kms:us-east-1:" + oldAcct + ":alias/orders-legacy": "alias/table-target"}, "n2"},
		{"to a key ARN", "", map[string]string{"k1": "arn:aws:kms:us-east-1:" + newAcct + ":key/n3"}, "n3"},
		{"ARN before alias", "", map[string]string{"alias/orders-db": "alias/explicit", k1: "alias/table-target"}, "n2"},
		{"key id before alias ARN", "", map[string]string{"arn:aws:kms:us-east-1:" + oldAcct + ":alias/orders-db": "alias/explicit", "k1": "alias/table-target"}, "n2"},
		{"another account's alias ARN does not match", "", map[string]string{"arn:aws:kms:us-east-1:333333333333:alias/orders-db": "alias/table-target"}, "n1"},
		{"an unrelated entry", "", map[string]string{"alias/other": "alias/table-target"}, "n1"},
		{"target key first", "alias/explicit", map[string]string{k1: "alias/table-target"}, "n3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := keyTableWorld()
			s := w.step("orders-db", func(c *InstanceConfig) { c.TargetKey, c.KMSKeys = tt.targetKey, tt.table })
			sd, err := s.read(t.Context())
			must(t, err)
			if want := w.accounts[newAcct].keyARN(tt.want); sd.want.key != want {
				t.Errorf("target key %s, want %s", sd.want.key, want)
			}
		})
	}
}

// TestKMSKeyTableApply: the copy is made under the table's key, and a
// table naming a key the new account lacks is refused before any write,
// saying which entry to fix.
func TestKMSKeyTableApply(t *testing.T) {
	t.Parallel()
	w := keyTableWorld()
	s := w.step("orders-db", func(c *InstanceConfig) { c.KMSKeys = map[string]string{"alias/orders-db": "alias/table-target"} })
	must(t, s.Apply(t.Context(), &recorder{}))
	if got := w.writes(newAcct); len(got) == 0 || !strings.HasSuffix(got[0], "key "+w.accounts[newAcct].keyARN("n2")) {
		t.Errorf("new account writes %q: want the copy under key n2", got)
	}
	verifyOK(t, s)

	w = keyTableWorld()
	s = w.step("orders-db", func(c *InstanceConfig) { c.KMSKeys = map[string]string{"alias/orders-legacy": "alias/missing"} })
	err := s.Apply(t.Context(), &recorder{})
	if err == nil || !strings.Contains(err.Error(), "no KMS key alias/missing in account 222222222222") ||
		!strings.Contains(err.Error(), "fix the entry for alias/orders-legacy in the plan's KMS key table") {
		t.Errorf("apply with a missing table key: %v", err)
	}
	if w.writes(oldAcct) != nil || w.writes(newAcct) != nil {
		t.Errorf("wrote: %q %q", w.writes(oldAcct), w.writes(newAcct))
	}
}

// keyTableWorld is the seeded world with orders-db's key known by a second
// alias, and two more keys in the new account.
func keyTableWorld() *fakeWorld {
	w := newFakeWorld()
	w.seed()
	old, nu := w.accounts[oldAcct], w.accounts[newAcct]
	k := old.keys[old.keyARN("k1")]
	k.extra = []string{"alias/orders-legacy"}
	old.keys[old.keyARN("k1")] = k
	nu.addKey("n2", "alias/table-target", false)
	nu.addKey("n3", "alias/explicit", false)
	return w
}
