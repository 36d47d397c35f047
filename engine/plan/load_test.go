package plan

import (
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// full sets every field of the schema, in an unusual style where YAML allows
// one (flow mappings, an ANSI colour, an anchor), so a field the decoder
// drops shows up as a difference from the expected Plan.
const full = `apiVersion: ferry.dev/v1alpha1
kind: Plan
environment: {name: production, protected: true}
source:
  label: KOPS
  color: 208
  kube: {context: kops-prod}
  aws: {profile: old, region: eu-west-1, account: "011111111111", alias: acme-legacy}
target:
  label: EKS
  color: "#00AFFF"
  kube:
    eks: {cluster: platform, region: eu-central-1}
  aws: {profile: new, region: eu-west-1, account: "222222222222", alias: acme-platform}
namespaces: [payments, orders]
mapping:
  accounts:
    "333333333333": "444444444444"
  registries:
    011111111111.dkr.ecr.eu-west-1.amazonaws.com: 222222222222.dkr.ecr.eu-west-1.amazonaws.com
  names:
    - {kind: bucket, from: acme-legacy-*, to: acme-platform-*}
    - {kind: queue, from: refunds, to: refunds-v2}
  storageClasses: {gp2: gp3, fast: fast}
  ingressClasses: {nginx: alb}
  nodeSelectors:
    - from: {kops.k8s.io/instancegroup: nodes}
      to: {eks.amazonaws.com/nodegroup: general}
  namespaces: {orders: commerce}
  irsa: true
  ignore:
    annotations: &tooling [example.com/*, checksum/config]
    labels: *tooling
services:
  - namespace: payments
    name: checkout-api
    probes:
      - {name: health, path: /healthz}
      - name: public
        sourceURL: https://checkout.old.example.com/healthz
        targetURL: https://checkout.new.example.com/healthz
        method: post
        expect: 201
  - {namespace: orders, name: orders-api}
`

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseFullPlan(t *testing.T) {
	t.Parallel()
	got, err := Parse("full.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	tooling := []string{"example.com/*", "checksum/config"}
	want := &Plan{
		File:        "full.yaml",
		Environment: Environment{Name: "production", Protected: true},
		Source: Side{Label: "KOPS", Color: "208", Kube: KubeTarget{Context: "kops-prod"},
			AWS: AWS{Profile: "old", Region: "eu-west-1", Account: "011111111111", Alias: "acme-legacy"}},
		Target: Side{Label: "EKS", Color: "#00afff", Kube: KubeTarget{EKSCluster: "platform", EKSRegion: "eu-central-1"},
			AWS: AWS{Profile: "new", Region: "eu-west-1", Account: "222222222222", Alias: "acme-platform"}},
		Namespaces: []string{"payments", "orders"},
		Mapping: rewrite.Mapping{
			Accounts:   map[string]string{"011111111111": "222222222222", "333333333333": "444444444444"},
			Registries: map[string]string{"011111111111.dkr.ecr.eu-west-1.amazonaws.com": "222222222222.dkr.ecr.eu-west-1.amazonaws.com"},
			Names: []rewrite.Rename{
				{Kind: "bucket", From: "acme-legacy-*", To: "acme-platform-*"},
				{Kind: "queue", From: "refunds", To: "refunds-v2"},
			},
			StorageClasses: map[string]string{"gp2": "gp3", "fast": "fast"},
			IngressClasses: map[string]string{"nginx": "alb"},
			NodeSelectors: []rewrite.NodeSelectorRule{{
				From: map[string]string{"kops.k8s.io/instancegroup": "nodes"},
				To:   map[string]string{"eks.amazonaws.com/nodegroup": "general"},
			}},
			Namespaces: map[string]string{"orders": "commerce"},
			IRSA:       true,
			Ignore:     rewrite.Ignore{Annotations: tooling, Labels: tooling},
		},
		Services: []Service{
			{Namespace: "payments", Name: "checkout-api", Probes: []Probe{
				{Name: "health", Path: "/healthz", Method: "GET", Expect: 200},
				{Name: "public", Method: "POST", Expect: 201,
					SourceURL: mustURL(t, "https://checkout.old.example.com/healthz"),
					TargetURL: mustURL(t, "https://checkout.new.example.com/healthz")},
			}},
			{Namespace: "orders", Name: "orders-api"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(full) =\n%+v\nwant\n%+v", *got, *want)
	}
	if !got.Target.Kube.IsEKS() || got.Target.Kube.String() != "EKS cluster platform (eu-central-1)" ||
		got.Source.Kube.String() != "context kops-prod" {
		t.Errorf("kube targets: %v, %v", got.Source.Kube, got.Target.Kube)
	}
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	p, err := Parse("ferry.yaml", []byte(edit(t, "    context: eks", "    eks: {cluster: platform}")))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"source label", p.Source.Label, DefaultSourceLabel},
		{"target label", p.Target.Label, DefaultTargetLabel},
		{"source color", string(p.Source.Color), string(DefaultSourceColor)},
		{"target color", string(p.Target.Color), string(DefaultTargetColor)},
		{"eks region from aws.region", p.Target.Kube.EKSRegion, "us-east-1"},
		{"accounts rule from the sides", p.Mapping.Accounts["111111111111"], "222222222222"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if p.Environment.Protected || p.Mapping.IRSA || len(p.Services) != 0 {
		t.Errorf("defaults: protected %v, irsa %v, services %v", p.Environment.Protected, p.Mapping.IRSA, p.Services)
	}
}

// TestParseDefaultColorsStayApart: a side given the other's default colour
// pushes the other side onto a different one.
func TestParseDefaultColorsStayApart(t *testing.T) {
	t.Parallel()
	p, err := Parse("ferry.yaml", []byte(edit(t, "source:\n", "source:\n  color: \"#00afff\"\n")))
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.Color != DefaultTargetColor || p.Target.Color != DefaultSourceColor {
		t.Errorf("colors = %q, %q; want them swapped apart", p.Source.Color, p.Target.Color)
	}
}

// TestLoadSandboxPlan loads the plan the sandbox ships: the scenario's
// sides, namespaces and mapping (SCENARIO.md).
func TestLoadSandboxPlan(t *testing.T) {
	t.Parallel()
	p, err := Load(filepath.Join("..", "..", "sandbox", "ferry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"environment", p.Environment.Name, "sandbox"},
		{"source", p.Source.Label + " " + p.Source.Kube.Context + " " + p.Source.AWS.Profile + " " + p.Source.AWS.Account + " " + p.Source.AWS.Alias,
			"KOPS kops ferry-old 111111111111 acme-legacy"},
		{"target", p.Target.Label + " " + p.Target.Kube.Context + " " + p.Target.AWS.Profile + " " + p.Target.AWS.Account + " " + p.Target.AWS.Alias,
			"EKS eks ferry-new 222222222222 acme-platform"},
		{"namespaces", strings.Join(p.Namespaces, ","), "payments,orders,platform"},
		{"account", p.Mapping.Accounts["111111111111"], "222222222222"},
		{"registry", p.Mapping.Registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"], "222222222222.dkr.ecr.us-east-1.amazonaws.com"},
		{"storage class", p.Mapping.StorageClasses["gp2"], "gp3"},
		{"ingress class", p.Mapping.IngressClasses["nginx"], "alb"},
		{"ignore", strings.Join(append(p.Mapping.Ignore.Annotations, p.Mapping.Ignore.Labels...), ","), "sandbox.ferry.dev/*,sandbox.ferry.dev/*"},
		{"queues", strings.Join(p.Resources.SQS, ","), "orders-fulfillment-dlq,orders-fulfillment,refunds"},
		{"tables", strings.Join(p.Resources.DynamoDB, ","), "ledger-entries,orders"},
		{"buckets", strings.Join(p.Resources.S3, ","), "acme-legacy-invoices,acme-legacy-assets"},
		{"roles", strings.Join(p.Resources.IAM, ","), "checkout-api,ledger"},
		{"databases", strings.Join(p.Resources.RDS, ","), "orders-db"},
		{"zones", strings.Join(p.Resources.Route53, ","), "acme.internal"},
		{"secrets", strings.Join(p.Resources.Secrets, ","), "orders/db-password"},
		{"parameters", strings.Join(p.Resources.SSM, ","), "/orders/"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if p.Environment.Protected || !p.Mapping.IRSA {
		t.Errorf("protected = %v, irsa = %v; want false, true", p.Environment.Protected, p.Mapping.IRSA)
	}
	wantNames := []rewrite.Rename{{Kind: "bucket", From: "acme-legacy-*", To: "acme-platform-*"},
		{Kind: "db-subnet-group", From: "kops-private", To: "eks-private"},
		{Kind: "security-group", From: "sg-0a1c0ffee0000d001", To: "sg-0b2c0ffee0000e001"}}
	wantNodes := []rewrite.NodeSelectorRule{{
		From: map[string]string{"kops.k8s.io/instancegroup": "nodes-us-east-1a"},
		To:   map[string]string{"eks.amazonaws.com/nodegroup": "general-1"},
	}}
	if !reflect.DeepEqual(p.Mapping.Names, wantNames) || !reflect.DeepEqual(p.Mapping.NodeSelectors, wantNodes) {
		t.Errorf("names %+v, node selectors %+v", p.Mapping.Names, p.Mapping.NodeSelectors)
	}
	if len(p.Services) == 0 || p.Services[0].Name != "checkout-api" || len(p.Services[0].Probes) == 0 {
		t.Errorf("services = %+v; want checkout-api first, with probes", p.Services)
	}
	if c := p.Cutover; c == nil || c.Service != "orders-api" || len(c.Routers) != 1 || len(c.Steps) != 3 || c.Steps[0].Dwell != time.Minute {
		t.Errorf("cutover = %+v; want orders-api over one Route53 router in three stages, the first dwelling 60s", c)
	}
}

// TestResolve cannot run in parallel: it sets FERRY_PLAN.
func TestResolve(t *testing.T) {
	t.Setenv(EnvPlan, "")
	if path, src := Resolve(""); path != "ferry.yaml" || src != FromDefault {
		t.Errorf("Resolve with nothing set = %q, %q", path, src)
	}
	t.Setenv(EnvPlan, "/plans/env.yaml")
	if path, src := Resolve(""); path != "/plans/env.yaml" || src != FromEnv {
		t.Errorf("Resolve with FERRY_PLAN = %q, %q", path, src)
	}
	if path, src := Resolve("flag.yaml"); path != "flag.yaml" || src != FromFlag {
		t.Errorf("Resolve with --plan = %q, %q", path, src)
	}
}

func TestLoadOpenMissingFileSaysWhereAndHow(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	t.Setenv(EnvPlan, missing)
	for flag, want := range map[string]string{
		"":      "plan file " + missing + " (named by $FERRY_PLAN) does not exist; write one with `ferry init --source CTX --target CTX -o " + missing + "`",
		missing: "plan file " + missing + " (named by --plan) does not exist; write one with `ferry init",
	} {
		_, err := Open(flag)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Open(%q) = %v; want prefix %q", flag, err, want)
		}
	}
	t.Chdir(t.TempDir())
	t.Setenv(EnvPlan, "")
	_, err := Open("")
	if want := "plan file ferry.yaml (the default, as neither --plan nor $FERRY_PLAN is set) does not exist"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Open() = %v; want prefix %q", err, want)
	}
}

func TestLoadOpenReadsThePlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(path, []byte(valid), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvPlan, path)
	p, err := Open("")
	if err != nil || p.File != path {
		t.Fatalf("Open = %+v, %v", p, err)
	}
	if err := os.WriteFile(path, []byte("kind: Plan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.HasPrefix(err.Error(), path+":1:1: apiVersion: missing") {
		t.Errorf("Open(invalid) = %v; want the file's errors", err)
	}
}
