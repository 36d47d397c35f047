package plan

import (
	"errors"
	"strings"
	"testing"
)

// valid is the smallest plan Parse accepts; the error cases edit it, so the
// line numbers below are this text's.
const valid = `apiVersion: ferry.dev/v1alpha1
kind: Plan
environment:
  name: staging
source:
  kube:
    context: kops
  aws:
    region: us-east-1
    account: "111111111111"
target:
  kube:
    context: eks
  aws:
    region: us-east-1
    account: "222222222222"
namespaces: [payments, orders]
`

// edit returns valid with old replaced by new, failing if old is absent so
// a case cannot silently test the valid plan.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := valid
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("edit: %q is not in the plan", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edits []string
		want  []string
	}{
		{"bad YAML", []string{"[payments, orders]", "[payments, orders"}, []string{
			"ferry.yaml:17:13: invalid YAML: sequence end token ']' not found; check the indentation and quoting on this line or the one above",
		}},
		{"bad YAML on line 1", []string{"apiVersion: ferry.dev/v1alpha1", "apiVersion: ferry.dev: v1alpha1"}, []string{
			"ferry.yaml:1:13: invalid YAML: mapping value is not allowed in this context; check the indentation and quoting on this line or the one above",
		}},
		{"unknown field with suggestion", []string{"namespaces:", "namespace:"}, []string{
			"ferry.yaml:1:1: namespaces: missing; list the source namespaces to migrate, e.g. namespaces: [payments, orders]",
			"ferry.yaml:17:1: namespace: unknown field; did you mean namespaces?",
		}},
		{"unknown nested field", []string{"    region: us-east-1\n    account: \"222", "    regoin: us-east-1\n    account: \"222"}, []string{
			"ferry.yaml:14:3: target.aws.region: missing; add region: us-east-1 (the region of the account's resources)",
			"ferry.yaml:15:5: target.aws.regoin: unknown field; did you mean region?",
		}},
		{"unknown field, nothing close", []string{"kind: Plan", "kind: Plan\nflavour: x"}, []string{
			"ferry.yaml:3:1: flavour: unknown field; known fields here: apiVersion, kind, environment, source, target, namespaces, mapping, services, resources, cutover",
		}},
		{"wrong types", []string{"name: staging", "name: staging\n  protected: yes", "[payments, orders]", "payments"}, []string{
			`ferry.yaml:5:14: environment.protected: want true or false, got the string "yes"; write protected: true or protected: false, unquoted`,
			`ferry.yaml:18:13: namespaces: want a list, got the string "payments"; write a list, e.g. namespaces: [payments]`,
		}},
		{"number where a string belongs", []string{"context: eks", "context: 42"}, []string{
			`ferry.yaml:13:14: target.kube.context: want a string, got the number 42; quote it: context: "42"`,
		}},
		{"missing required", []string{"apiVersion: ferry.dev/v1alpha1\n", "", "    account: \"111111111111\"\n", ""}, []string{
			"ferry.yaml:1:1: apiVersion: missing; start the file with apiVersion: ferry.dev/v1alpha1",
			`ferry.yaml:7:3: source.aws.account: missing; add account: "111111111111" (aws sts get-caller-identity --profile PROFILE prints it)`,
		}},
		{"unsupported apiVersion and kind", []string{"ferry.dev/v1alpha1", "ferry.dev/v1", "kind: Plan", "kind: Runbook"}, []string{
			`ferry.yaml:1:13: apiVersion: "ferry.dev/v1" is not supported; use apiVersion: ferry.dev/v1alpha1`,
			`ferry.yaml:2:7: kind: "Runbook" is not supported; use kind: Plan`,
		}},
		{"account too short, unquoted", []string{`account: "111111111111"`, "account: 11111111111"}, []string{
			`ferry.yaml:10:14: source.aws.account: "11111111111" is not a 12-digit AWS account id; quote it, e.g. account: "111111111111"`,
		}},
		{"account too short, quoted", []string{`"111111111111"`, `"1111"`}, []string{
			`ferry.yaml:10:14: source.aws.account: "1111" is not a 12-digit AWS account id; use the 12 digits aws sts get-caller-identity --profile PROFILE prints it`,
		}},
		{"account unquoted int", []string{`account: "222222222222"`, "account: 222222222222"}, []string{
			`ferry.yaml:16:14: target.aws.account: 222222222222 is a number to YAML, which drops leading zeros; quote it: account: "222222222222"`,
		}},
		{"account with leading zero unquoted", []string{`account: "222222222222"`, "account: 022222222222"}, []string{
			`ferry.yaml:16:14: target.aws.account: 022222222222 is a number to YAML, which drops leading zeros; quote it: account: "022222222222"`,
		}},
		{"same account on both sides", []string{`"222222222222"`, `"111111111111"`}, []string{
			`ferry.yaml:16:14: target.aws.account: "111111111111" is source.aws.account too; ferry moves between two accounts: set the target account's id`,
		}},
		{"both context and eks", []string{"    context: kops", "    context: kops\n    eks: {cluster: legacy}"}, []string{
			"ferry.yaml:6:3: source.kube: both context and eks are set; keep one: context for a kubeconfig context, eks for an EKS cluster by name",
		}},
		{"neither context nor eks", []string{"  kube:\n    context: eks", "  kube: {}"}, []string{
			"ferry.yaml:12:3: target.kube: neither context nor eks is set; write kube: {context: NAME} for a kubeconfig context, or kube: {eks: {cluster: NAME, region: REGION}}",
		}},
		{"duplicate namespace", []string{"[payments, orders]", "[payments, orders, payments]"}, []string{
			`ferry.yaml:17:32: namespaces[2]: "payments" is listed twice (first at line 17); remove one`,
		}},
		{"KMS key table", []string{"namespaces: [payments, orders]\n", "namespaces: [payments, orders]\nmapping:\n  kmsKeys:\n" +
			"    alias/orders: alias/orders\n" +
			"    orders-key: alias/orders2\n" +
			"    arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab: alias/x\n" +
			"    1234abcd-12ab-34cd-56ef-1234567890ab: arn:aws:kms:us-east-1:111111111111:alias/y\n" +
			"    mrk-0123456789abcdef0123456789abcdef: \"\"\n" +
			"resources:\n  rdsShareKey: alias/aws/rds\n"}, []string{
			`ferry.yaml:21:17: mapping.kmsKeys[orders-key]: "orders-key" is not a KMS key reference of the old account; write a key id (1234abcd-12ab-34cd-56ef-1234567890ab), an alias (alias/orders) or the ARN of either`,
			`ferry.yaml:22:82: mapping.kmsKeys[arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab]: "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab" is in account 333333333333, not the old account 111111111111; the table maps old keys to new ones`,
			`ferry.yaml:23:43: mapping.kmsKeys[1234abcd-12ab-34cd-56ef-1234567890ab]: "arn:aws:kms:us-east-1:111111111111:alias/y" is in account 111111111111, not the new account 222222222222; name a key the new account holds`,
			`ferry.yaml:24:43: mapping.kmsKeys[mrk-0123456789abcdef0123456789abcdef]: no new key; write mrk-0123456789abcdef0123456789abcdef: NEW-KEY (alias, key id or ARN in account 222222222222)`,
			`ferry.yaml:26:16: resources.rdsShareKey: "alias/aws/rds" is AWS-managed; AWS-managed keys (alias/aws/...) are never shared with another account; create a customer-managed key whose key policy lets the new account use it`,
		}},
		{"source account mapped elsewhere", []string{"namespaces:", "mapping:\n  accounts:\n    \"111111111111\": \"333333333333\"\nnamespaces:"}, []string{
			`ferry.yaml:19:21: mapping.accounts[111111111111]: maps the source account to "333333333333", but target.aws.account is "222222222222"; map it to "222222222222" or fix target.aws.account`,
		}},
		{"one name renamed to two", []string{"namespaces:", "mapping:\n  names:\n" +
			"    - {kind: bucket, from: acme-legacy-invoices, to: acme-invoices}\n" +
			"    - {kind: bucket, from: acme-legacy-invoices, to: acme-platform-invoices}\nnamespaces:"}, []string{
			`ferry.yaml:20:54: mapping.names[1].to: bucket "acme-legacy-invoices" is renamed to "acme-platform-invoices" here but to "acme-invoices" at line 19; keep one`,
		}},
		{"two rules for one class", []string{"namespaces:", "mapping:\n  storageClasses:\n    gp2: gp2\n    gp2: gp3\nnamespaces:"}, []string{
			"ferry.yaml:20:5: mapping.storageClasses[gp2]: two rules for gp2 (first at line 19); keep one",
		}},
		{"prefix renamed to a name", []string{"namespaces:", "mapping:\n  names:\n    - {kind: bucket, from: acme-legacy-*, to: acme-platform}\nnamespaces:"}, []string{
			`ferry.yaml:19:7: mapping.names[0]: from "acme-legacy-*" and to "acme-platform": end both with * (a prefix rename) or neither (one name)`,
		}},
		{"two namespaces into one", []string{"namespaces:", "mapping:\n  namespaces: {payments: money, orders: money}\nnamespaces:"}, []string{
			`ferry.yaml:18:41: mapping.namespaces[orders]: "payments" and "orders" both map to "money"; give each its own target namespace`,
		}},
		{"service outside the namespaces", []string{"[payments, orders]\n", "[payments, orders]\nservices:\n  - {namespace: billing, name: invoices}\n"}, []string{
			`ferry.yaml:19:17: services[0].namespace: "billing" is not in namespaces (payments, orders); add it there or fix the namespace`,
		}},
		{"field written twice", []string{"kind: Plan", "kind: Plan\nkind: Plan"}, []string{
			"ferry.yaml:3:1: kind: written twice (first at line 2); keep one",
		}},
		{"colour eaten by a comment", []string{"source:\n", "source:\n  color: #ff8700\n"}, []string{
			`ferry.yaml:6:3: source.color: #ff8700 is read as a YAML comment, so the colour is empty; quote it: color: "#ff8700"`,
		}},
		{"probe with one URL", []string{"[payments, orders]\n", "[payments, orders]\nservices:\n  - namespace: orders\n    name: orders-api\n    probes:\n      - {name: public, sourceURL: http://orders.old/healthz}\n"}, []string{
			"ferry.yaml:22:9: services[0].probes[0].targetURL: missing; a probe with sourceURL needs targetURL too",
		}},
		{"bucket kept its global name, resource twice", []string{"[payments, orders]\n", "[payments, orders]\nresources:\n  s3: [acme-legacy-invoices]\n  sqs: [refunds, refunds]\n"}, []string{
			`ferry.yaml:19:8: resources.s3[0]: bucket "acme-legacy-invoices" would keep its name, but bucket names are global and the old account still holds it; add a mapping.names rule (e.g. from: acme-legacy-*, to: acme-platform-*)`,
			`ferry.yaml:20:18: resources.sqs[1]: "refunds" is listed twice (first at line 20); drop one`,
		}},
		{"second document", []string{"[payments, orders]\n", "[payments, orders]\n---\nkind: Plan\n"}, []string{
			"ferry.yaml:19:1: a second YAML document (after ---); keep one plan per file",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("ferry.yaml", []byte(edit(t, c.edits...)))
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Parse = %+v, %v; want Errors", p, err)
			}
			got := strings.Split(es.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestParseCollectsEveryError proves one load reports all problems, in file
// order, not just the first.
func TestParseCollectsEveryError(t *testing.T) {
	t.Parallel()
	_, err := Parse("ferry.yaml", []byte(edit(t,
		"kind: Plan", "kind: Plna",
		`account: "111111111111"`, "account: 1",
		"namespaces:", "namespace:")))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v; want Errors", err)
	}
	var paths []string
	for _, e := range es {
		paths = append(paths, e.Path)
	}
	want := "namespaces kind source.aws.account namespace"
	if strings.Join(paths, " ") != want {
		t.Errorf("paths = %q, want %q\n%v", strings.Join(paths, " "), want, err)
	}
}

func TestParseValidPlan(t *testing.T) {
	t.Parallel()
	p, err := Parse("ferry.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if p.File != "ferry.yaml" || p.Environment.Name != "staging" || len(p.Namespaces) != 2 {
		t.Errorf("plan = %+v", p)
	}
}

func TestParseSuggest(t *testing.T) {
	t.Parallel()
	known := []string{"apiVersion", "kind", "namespaces", "storageClasses", "ingressClasses"}
	for in, want := range map[string]string{
		"namespace":      "namespaces",
		"apiversion":     "apiVersion",
		"storageclasses": "storageClasses",
		"ingresClasses":  "ingressClasses",
		"kinds":          "kind",
		"flavour":        "",
		"x":              "",
	} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
