package plan

import (
	"fmt"
	"regexp"
	"strings"
)

// KMS key references as AWS takes them: a key id (a UUID, or mrk- and 32
// hex digits for a multi-Region key), an alias, or the ARN of either.
var (
	kmsKeyID    = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	kmsAlias    = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]+$`)
	kmsARN      = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:([0-9]{12}):(key/.+|alias/.+)$`)
	kmsKeyHelp  = "write a key id (1234abcd-12ab-34cd-56ef-1234567890ab), an alias (alias/orders) or the ARN of either"
	managedHelp = "AWS-managed keys (alias/aws/...) are never shared with another account; create a customer-managed key whose key policy lets the new account use it"
)

// checkKMS checks the KMS key table and the RDS share key: references AWS
// would take, old keys in the old account, new keys in the new one.
func (d *decoder) checkKMS(r *rawPlan) {
	src, dst := r.Source.AWS.Account, r.Target.AWS.Account
	for _, from := range d.inFileOrder("mapping.kmsKeys", r.Mapping.KMSKeys) {
		p := fmt.Sprintf("mapping.kmsKeys[%s]", from)
		to := r.Mapping.KMSKeys[from]
		switch {
		case !validKMSRef(from):
			d.fail(p, "%q is not a KMS key reference of the old account; %s", from, kmsKeyHelp)
		case kmsAccount(from) != "" && src != "" && kmsAccount(from) != src && r.Mapping.Accounts[kmsAccount(from)] == "":
			d.fail(p, "%q is in account %s, not the old account %s; the table maps old keys to new ones", from, kmsAccount(from), src)
		case to == "":
			d.fail(p, "no new key; write %s: NEW-KEY (alias, key id or ARN in account %s)", from, orUnset(dst))
		case !validKMSRef(to):
			d.fail(p, "%q is not a KMS key reference; %s", to, kmsKeyHelp)
		case kmsAccount(to) != "" && dst != "" && kmsAccount(to) != dst:
			d.fail(p, "%q is in account %s, not the new account %s; name a key the new account holds", to, kmsAccount(to), dst)
		}
	}
	key := r.Resources.RDSShareKey
	switch {
	case key == "":
	case !validKMSRef(key):
		d.fail("resources.rdsShareKey", "%q is not a KMS key reference; %s", key, kmsKeyHelp)
	case strings.HasPrefix(kmsResource(key), "alias/aws/"):
		d.fail("resources.rdsShareKey", "%q is AWS-managed; %s", key, managedHelp)
	case kmsAccount(key) != "" && src != "" && kmsAccount(key) != src:
		d.fail("resources.rdsShareKey", "%q is in account %s; the share key must be in the old account %s, where the snapshot is re-encrypted", key, kmsAccount(key), src)
	}
}

func validKMSRef(s string) bool {
	return kmsKeyID.MatchString(s) || kmsAlias.MatchString(s) || kmsARN.MatchString(s)
}

// kmsAccount is the account of a key ARN, "" for an id or alias.
func kmsAccount(s string) string {
	if m := kmsARN.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// kmsResource is "alias/x" or "key/id" for an ARN, the reference itself
// otherwise.
func kmsResource(s string) string {
	if m := kmsARN.FindStringSubmatch(s); m != nil {
		return m[2]
	}
	return s
}

func orUnset(account string) string {
	if account == "" {
		return "(unset)"
	}
	return account
}
