package plan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

var (
	accountID = regexp.MustCompile(`^[0-9]{12}$`)
	// region matches AWS region names: us-east-1, eu-central-2, us-gov-west-1.
	region = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	// alias matches IAM account aliases: lower-case letters, digits, inner hyphens.
	alias    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{1,61})[a-z0-9]$`)
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// validate checks everything decoding could not: required fields, formats
// and contradictions. It reports with the positions the decoder recorded.
func (d *decoder) validate(r *rawPlan) {
	d.checkHeader(r)
	d.checkEnvironment(r.Environment)
	d.checkSide("source", &r.Source)
	d.checkSide("target", &r.Target)
	d.checkSidesDiffer(r)
	d.checkNamespaces(r.Namespaces)
	d.checkMapping(r)
	d.checkServices(r)
	d.checkResources(r)
	d.checkKMS(r)
	d.checkCutover(r)
}

func (d *decoder) checkHeader(r *rawPlan) {
	switch {
	case r.APIVersion == "":
		d.missing("apiVersion", "start the file with apiVersion: "+APIVersion)
	case r.APIVersion != APIVersion:
		d.fail("apiVersion", "%q is not supported; use apiVersion: %s", r.APIVersion, APIVersion)
	}
	switch {
	case r.Kind == "":
		d.missing("kind", "add kind: "+Kind)
	case r.Kind != Kind:
		d.fail("kind", "%q is not supported; use kind: %s", r.Kind, Kind)
	}
}

func (d *decoder) checkEnvironment(e rawEnv) {
	switch {
	case e.Name == "":
		d.missing("environment.name", "name the environment this plan migrates, e.g. name: staging")
	case len(validation.IsDNS1123Label(e.Name)) > 0:
		d.fail("environment.name", "%q is not a valid name; use lower-case letters, digits and '-', e.g. production", e.Name)
	}
}

func (d *decoder) checkSide(side string, s *rawSide) {
	d.checkColor(side+".color", s.Color)
	d.checkKube(side, s)
	p := side + ".aws"
	d.checkAccount(p+".account", s.AWS.Account, "account: ", fmt.Sprintf("aws sts get-caller-identity --profile %s prints it", orWord(s.AWS.Profile, "PROFILE")))
	switch {
	case s.AWS.Region == "":
		d.missing(p+".region", "add region: us-east-1 (the region of the account's resources)")
	case !region.MatchString(s.AWS.Region):
		d.fail(p+".region", "%q is not an AWS region; write one like us-east-1", s.AWS.Region)
	}
	if s.AWS.Alias != "" && !alias.MatchString(s.AWS.Alias) {
		d.fail(p+".alias", "%q is not an IAM account alias; aws iam list-account-aliases prints it (lower-case letters, digits, '-')", s.AWS.Alias)
	}
}

// checkKube wants exactly one of context and eks.
func (d *decoder) checkKube(side string, s *rawSide) {
	p := side + ".kube"
	const how = "kube: {context: NAME} for a kubeconfig context, or kube: {eks: {cluster: NAME, region: REGION}}"
	k := s.Kube
	switch {
	case d.bad[p] || d.bad[p+".context"] || d.bad[p+".eks"]:
		return
	case k.Context != "" && k.EKS != nil:
		d.fail(p, "both context and eks are set; keep one: context for a kubeconfig context, eks for an EKS cluster by name")
	case k.Context == "" && k.EKS == nil && d.value(p) != nil:
		d.fail(p, "neither context nor eks is set; write "+how)
	case k.Context == "" && k.EKS == nil:
		d.missing(p, "add "+how)
	case k.EKS != nil && k.EKS.Cluster == "":
		d.missing(p+".eks.cluster", "add cluster: NAME (aws eks list-clusters prints the names)")
	}
	if k.EKS == nil {
		return
	}
	switch r := k.EKS.Region; {
	case r == "" && s.AWS.Region == "":
		d.missing(p+".eks.region", "add region: REGION, or set "+side+".aws.region, which it defaults to")
	case r != "" && !region.MatchString(r):
		d.fail(p+".eks.region", "%q is not an AWS region; write one like us-east-1", r)
	}
}

func (d *decoder) checkColor(path, c string) {
	if c == "" {
		// An unquoted #rrggbb is a YAML comment, which leaves the colour empty.
		if e, ok := d.seen[path]; ok && e.val.kind == nullNode {
			if hex := hexAfterKey(d.lines, e.key); hex != "" {
				d.fail(path, "%s is read as a YAML comment, so the colour is empty; quote it: color: %q", hex, hex)
			}
		}
		return
	}
	if hexColor.MatchString(c) {
		return
	}
	if n, err := strconv.Atoi(c); err == nil && n >= 0 && n <= 255 {
		return
	}
	d.fail(path, "%q is not a colour; use \"#rrggbb\" (quoted: # starts a comment) or an ANSI number 0-255", c)
}

// hexAfterKey finds "#rrggbb" right after a key on its line.
func hexAfterKey(lines []string, key *node) string {
	if key == nil || key.line < 1 || key.line > len(lines) {
		return ""
	}
	rest := lines[key.line-1][min(key.col-1+len(key.text), len(lines[key.line-1])):]
	rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
	if len(rest) >= 7 && hexColor.MatchString(rest[:7]) {
		return rest[:7]
	}
	return ""
}

// checkAccount checks a 12-digit account id. lhs is how the value is
// written ("account: "), for the fix; where says how to find the id.
func (d *decoder) checkAccount(path, id, lhs, where string) {
	n := d.value(path)
	switch {
	case d.bad[path]:
	case id == "":
		d.missing(path, fmt.Sprintf("add %s\"111111111111\" (%s)", lhs, where))
	case !accountID.MatchString(id) && !n.quoted:
		d.fail(path, "%q is not a 12-digit AWS account id; quote it, e.g. %s\"111111111111\"", id, lhs)
	case !accountID.MatchString(id):
		d.fail(path, "%q is not a 12-digit AWS account id; use the 12 digits %s", id, where)
	case !n.quoted:
		d.fail(path, "%s is a number to YAML, which drops leading zeros; quote it: %s%q", id, lhs, id)
	}
}

// checkAccountKey checks an account id written as a mapping key.
func (d *decoder) checkAccountKey(path, id string) {
	k := d.seen[path].key
	switch {
	case !accountID.MatchString(id):
		d.errorf(k, path, "%q is not a 12-digit AWS account id; write the old account's 12 digits, quoted", id)
	case !k.quoted:
		d.errorf(k, path, "%s is a number to YAML, which drops leading zeros; quote it: %q: ...", id, id)
	}
}

func (d *decoder) checkSidesDiffer(r *rawPlan) {
	s, t := r.Source, r.Target
	if a := t.AWS.Account; a != "" && a == s.AWS.Account && !d.bad["source.aws.account"] && !d.bad["target.aws.account"] {
		d.fail("target.aws.account", "%q is source.aws.account too; ferry moves between two accounts: set the target account's id", a)
	}
	if s.Label != "" && strings.EqualFold(s.Label, t.Label) {
		d.fail("target.label", "%q is source.label too; give each side its own label", t.Label)
	}
	if s.Color != "" && normalColor(s.Color) == normalColor(t.Color) {
		d.fail("target.color", "%q is source.color too; give each side its own colour", t.Color)
	}
	if s.Kube.Context != "" && s.Kube.Context == t.Kube.Context {
		d.fail("target.kube.context", "%q is source.kube.context too; name the target cluster's context", t.Kube.Context)
	}
}

func (d *decoder) checkNamespaces(nss []string) {
	if len(nss) == 0 {
		d.missing("namespaces", "list the source namespaces to migrate, e.g. namespaces: [payments, orders]")
		return
	}
	first := map[string]int{}
	for i, ns := range nss {
		p := fmt.Sprintf("namespaces[%d]", i)
		switch prev, dup := first[ns]; {
		case d.bad[p]:
		case ns == "":
			d.fail(p, "empty; write a namespace name or remove the item")
		case dup:
			d.fail(p, "%q is listed twice (first at line %d); remove one", ns, d.at(fmt.Sprintf("namespaces[%d]", prev)).line)
		case len(validation.IsDNS1123Label(ns)) > 0:
			d.fail(p, "%q is not a namespace name; use lower-case letters, digits and '-'", ns)
		default:
			first[ns] = i
		}
	}
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}
