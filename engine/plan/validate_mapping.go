package plan

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// RenameKinds are the resource kinds mapping.names may rename.
var RenameKinds = []string{"bucket", "cluster", "db-cluster", "db-cluster-parameter-group", "db-instance", "db-parameter-group", "db-subnet-group", "function",
	"key", "parameter", "policy", "queue", "repository", "role", "secret", "security-group", "stream", "table", "topic", "zone"}

func (d *decoder) checkMapping(r *rawPlan) {
	m := r.Mapping
	d.checkAccountMap(r)
	for _, from := range d.inFileOrder("mapping.registries", m.Registries) {
		p := fmt.Sprintf("mapping.registries[%s]", from)
		for _, host := range []string{from, m.Registries[from]} {
			if strings.Contains(host, "://") {
				d.fail(p, "%q has a scheme; write the registry host only, e.g. 111111111111.dkr.ecr.us-east-1.amazonaws.com", host)
			}
		}
	}
	d.checkRenames(m.Names)
	for _, field := range []struct {
		name string
		m    map[string]string
	}{{"storageClasses", m.StorageClasses}, {"ingressClasses", m.IngressClasses}} {
		for _, from := range d.inFileOrder("mapping."+field.name, field.m) {
			if field.m[from] == "" {
				d.fail(fmt.Sprintf("mapping.%s[%s]", field.name, from), "no target class; write %s: NEW-CLASS", from)
			}
		}
	}
	d.checkNodeSelectors(m.NodeSelectors)
	d.checkNamespaceMap(r)
	for kind, keys := range map[string][]string{"annotations": m.Ignore.Annotations, "labels": m.Ignore.Labels} {
		for i, k := range keys {
			if strings.Contains(strings.TrimSuffix(k, "*"), "*") || k == "" {
				d.fail(fmt.Sprintf("mapping.ignore.%s[%d]", kind, i), "%q: write a key, or a prefix ending in * (e.g. example.com/*)", k)
			}
		}
	}
}

// checkAccountMap checks the account rules agree with the sides: the source
// account may only map to the target account.
func (d *decoder) checkAccountMap(r *rawPlan) {
	src, dst := r.Source.AWS.Account, r.Target.AWS.Account
	for _, from := range d.inFileOrder("mapping.accounts", r.Mapping.Accounts) {
		p := fmt.Sprintf("mapping.accounts[%s]", from)
		to := r.Mapping.Accounts[from]
		d.checkAccountKey(p, from)
		if d.bad[p] {
			continue
		}
		d.checkAccount(p, to, from+": ", "of the account that replaces "+from)
		if !d.bad[p] && from == src && to != dst && dst != "" {
			d.fail(p, "maps the source account to %q, but target.aws.account is %q; map it to %q or fix target.aws.account", to, dst, dst)
		}
	}
}

func (d *decoder) checkRenames(rs []rawRename) {
	type key struct{ kind, from string }
	first := map[key]int{}
	for i, r := range rs {
		p := fmt.Sprintf("mapping.names[%d]", i)
		if !d.checkRename(p, r) {
			continue
		}
		k := key{r.Kind, r.From}
		prev, dup := first[k]
		switch {
		case !dup:
			first[k] = i
		case rs[prev].To == r.To:
			d.fail(p, "renames %s %q like the rule at line %d; remove one", r.Kind, r.From, d.at(fmt.Sprintf("mapping.names[%d]", prev)).line)
		default:
			d.fail(p+".to", "%s %q is renamed to %q here but to %q at line %d; keep one", r.Kind, r.From, r.To, rs[prev].To, d.at(fmt.Sprintf("mapping.names[%d]", prev)).line)
		}
	}
}

// checkRename checks one rule alone and reports whether it is well-formed.
func (d *decoder) checkRename(p string, r rawRename) bool {
	ok := true
	for _, f := range []struct{ name, val, example string }{
		{"kind", r.Kind, "bucket"}, {"from", r.From, "acme-legacy-*"}, {"to", r.To, "acme-platform-*"},
	} {
		if f.val == "" {
			d.missing(p+"."+f.name, fmt.Sprintf("add %s: %s", f.name, f.example))
			ok = false
		}
	}
	if r.Kind != "" && !slices.Contains(RenameKinds, r.Kind) {
		d.fail(p+".kind", "%q is not a kind ferry renames; %s", r.Kind, knownHint(r.Kind, RenameKinds))
		ok = false
	}
	for _, v := range []string{r.From, r.To} {
		if strings.Contains(strings.TrimSuffix(v, "*"), "*") {
			d.fail(p, "%q has * in the middle; only a trailing * (a prefix) is supported", v)
			return false
		}
	}
	if r.From != "" && r.To != "" && strings.HasSuffix(r.From, "*") != strings.HasSuffix(r.To, "*") {
		d.fail(p, "from %q and to %q: end both with * (a prefix rename) or neither (one name)", r.From, r.To)
		ok = false
	}
	return ok
}

func (d *decoder) checkNodeSelectors(rules []rawNodeSelector) {
	first := map[string]int{}
	for i, r := range rules {
		p := fmt.Sprintf("mapping.nodeSelectors[%d]", i)
		if len(r.From) == 0 {
			d.missing(p+".from", "add from: {LABEL: VALUE}, the source nodes' labels, e.g. kops.k8s.io/instancegroup: nodes")
		}
		if len(r.To) == 0 {
			d.missing(p+".to", "add to: {LABEL: VALUE}, the target nodes' labels, e.g. eks.amazonaws.com/nodegroup: general")
		}
		if len(r.From) == 0 {
			continue
		}
		k := fmt.Sprint(r.From) // fmt prints maps sorted: a stable key
		if prev, dup := first[k]; dup {
			d.fail(p+".from", "the same labels as the rule at line %d; keep one rule per set of labels", d.at(fmt.Sprintf("mapping.nodeSelectors[%d]", prev)).line)
			continue
		}
		first[k] = i
	}
}

// checkNamespaceMap wants renamed namespaces in scope, each to its own
// target, or the pairs of two namespaces would collide.
func (d *decoder) checkNamespaceMap(r *rawPlan) {
	targets := map[string]string{}
	for _, from := range d.inFileOrder("mapping.namespaces", r.Mapping.Namespaces) {
		p := fmt.Sprintf("mapping.namespaces[%s]", from)
		to := r.Mapping.Namespaces[from]
		switch other, dup := targets[to]; {
		case !slices.Contains(r.Namespaces, from):
			d.fail(p, "%q is not in namespaces; add it there or remove this rule", from)
		case len(validation.IsDNS1123Label(to)) > 0:
			d.fail(p, "%q is not a namespace name; use lower-case letters, digits and '-'", to)
		case dup:
			d.fail(p, "%q and %q both map to %q; give each its own target namespace", other, from, to)
		default:
			targets[to] = from
		}
	}
}
