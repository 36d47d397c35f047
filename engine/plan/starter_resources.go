package plan

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// resourcesView is the plan's resources section as init proposes it, and
// the bucket renames the mapping needs for it.
type resourcesView struct {
	// Skipped says why the old account was not read; the section is then
	// an empty example.
	Skipped string
	Where   string // the old account and its profile
	Kinds   []kindView
	// BucketRules are mapping.names rules to fill in, one per bucket prefix.
	BucketRules []bucketRule
}

// bucketRule is a proposed bucket rename whose new name is the reader's to
// choose: From is a name or a prefix ending in *, Covers the buckets a
// prefix covers.
type bucketRule struct{ From, Covers string }

// kindView is one kind under resources: what the workloads use, listed;
// the rest commented out.
type kindView struct {
	Key, What, Action string
	Error             string // the failed listing's error on one line; "" when it worked
	Used, Unused      []itemView
}

// itemView is one resource line: its name as YAML, padding that aligns the
// kind's trailing comments, and the comment.
type itemView struct {
	Name, Pad, Comment string
}

// maxUsers is how many workloads a trailing comment names before "and N more".
const maxUsers = 4

func newResourcesView(s Starter) resourcesView {
	v := resourcesView{Skipped: s.AWS.Skipped, Where: "profile " + s.Source.Profile}
	if s.Source.Account != "" {
		v.Where = s.Source.Account + " (" + v.Where + ")"
	}
	if v.Skipped == "" && len(s.AWS.Kinds) == 0 {
		v.Skipped = "ferry init did not read the old account"
	}
	var buckets []string
	for _, k := range s.AWS.Kinds {
		kv := kindView{Key: k.Key, What: k.What, Action: k.Action}
		if k.Err != nil {
			kv.Error = strings.Join(strings.Fields(k.Err.Error()), " ")
		}
		// Comments start in one column; a commented-out line is two longer.
		col := 0
		for _, r := range k.Resources {
			col = max(col, len(yamlScalar(r.Name))+commentedOut(r))
		}
		for _, r := range k.Resources {
			name := yamlScalar(r.Name)
			it := itemView{Name: name, Pad: strings.Repeat(" ", col-len(name)-commentedOut(r)), Comment: usedByComment(r)}
			if len(r.UsedBy) > 0 {
				kv.Used = append(kv.Used, it)
			} else {
				kv.Unused = append(kv.Unused, it)
			}
			if k.Key == "s3" {
				buckets = append(buckets, r.Name)
			}
		}
		v.Kinds = append(v.Kinds, kv)
	}
	v.BucketRules = bucketRules(buckets, s.Source.Account, s.Target.Account)
	return v
}

// commentedOut is how much longer "# " makes the line of an unused resource.
func commentedOut(r FoundResource) int {
	if len(r.UsedBy) > 0 {
		return 0
	}
	return 2
}

// usedByComment names the workloads using a resource, or says none does.
func usedByComment(r FoundResource) string {
	c := "not referenced by any workload in the namespaces"
	if n := len(r.UsedBy); n > 0 {
		c = "used by " + strings.Join(r.UsedBy[:min(n, maxUsers)], ", ")
		if n > maxUsers {
			c += " and " + strconv.Itoa(n-maxUsers) + " more"
		}
	}
	if r.Note != "" {
		c = r.Note + "; " + c
	}
	return c
}

// bucketRules proposes one rename per group of buckets: a shared prefix
// (acme-legacy-* for acme-legacy-invoices and acme-legacy-assets) or the
// single name. Buckets that hold the old account id are left out: the accounts
// mapping renames them already.
func bucketRules(buckets []string, srcAccount, dstAccount string) []bucketRule {
	byAccount := rewrite.Mapping{Accounts: map[string]string{srcAccount: dstAccount}}
	groups := map[string][]string{}
	for _, b := range buckets {
		if srcAccount != "" && dstAccount != "" && rewrite.String(byAccount, b) != b {
			continue
		}
		first, _, _ := strings.Cut(b, "-")
		groups[first] = append(groups[first], b)
	}
	var rules []bucketRule
	for _, g := range sortedKeys(groups) {
		names := groups[g]
		slices.Sort(names)
		prefix := commonPrefix(names)
		if len(names) > 1 {
			prefix = prefix[:strings.LastIndexAny(prefix, "-.")+1]
		}
		if len(names) == 1 || prefix == "" {
			for _, n := range names {
				rules = append(rules, bucketRule{From: n})
			}
			continue
		}
		rules = append(rules, bucketRule{From: prefix + "*", Covers: strings.Join(names, ", ")})
	}
	return rules
}

func commonPrefix(names []string) string {
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}
