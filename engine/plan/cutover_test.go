package plan

import (
	"strings"
	"testing"
	"time"
)

const cutoverPlan = `services:
  - namespace: orders
    name: orders-api
    probes:
      - name: create-order
        sourceURL: http://127.0.0.1:18080/orders
        targetURL: http://127.0.0.1:18081/orders
        method: POST
        expect: 201
        headers: {Content-Type: application/json}
        body: '{"sku":"demo"}'
        compare: [status]
cutover:
  service: orders/orders-api
  interval: 5s
  routers:
    - route53:
        account: source
        zone: acme.example.
        record: shop.acme.example.
        type: cname
        targetValue: eks-ingress.acme.example.
  gates:
    readyPods: false
    errorRate: {max: 1.5, margin: "0.5", window: 30s}
  steps:
    - {percent: 10, dwell: 60s}
    - {percent: 50, dwell: 2m, auto: true}
    - {percent: 100, dwell: 60s}
`

func TestParseCutover(t *testing.T) {
	t.Parallel()
	p, err := Parse("ferry.yaml", []byte(valid+cutoverPlan))
	if err != nil {
		t.Fatal(err)
	}
	c := p.Cutover
	if c == nil || c.Namespace != "orders" || c.Service != "orders-api" || c.Interval != 5*time.Second {
		t.Fatalf("cutover = %+v", c)
	}
	r := c.Routers[0]
	if r.Kind != RouterRoute53 || r.Account != "source" || r.Route53.Type != "CNAME" || r.Route53.SourceID != "source" || r.Route53.TargetID != "target" {
		t.Errorf("router = %+v %+v", r, r.Route53)
	}
	if !c.Gates.Probes || c.Gates.ReadyPods || c.Gates.ErrorRate == nil || c.Gates.ErrorRate.Max != 1.5 || c.Gates.ErrorRate.Margin != 0.5 || c.Gates.ErrorRate.Window != 30*time.Second {
		t.Errorf("gates = %+v %+v", c.Gates, c.Gates.ErrorRate)
	}
	if len(c.Steps) != 3 || c.Steps[1] != (CutoverStep{Percent: 50, Dwell: 2 * time.Minute, Auto: true}) {
		t.Errorf("steps = %+v", c.Steps)
	}
	pr := p.Services[0].Probes[0]
	if pr.Headers["Content-Type"] != "application/json" || pr.Body != `{"sku":"demo"}` || len(pr.Compare) != 1 {
		t.Errorf("probe = %+v", pr)
	}
}

func TestParseCutoverErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		old, new string
		want     string
	}{
		{"service not probed", "service: orders/orders-api", "service: orders/billing",
			"cutover.service: orders/billing is not in services (orders/orders-api)"},
		{"service form", "service: orders/orders-api", "service: orders-api", `cutover.service: "orders-api" is not NAMESPACE/NAME`},
		{"account", "account: source", "account: old", `cutover.routers[0].route53.account: "old": write account: source or account: target`},
		{"two kinds", "    - route53:\n", "    - apiGateway: {account: target, restApi: abc, stage: prod}\n      route53:\n", "want exactly one of route53, alb or apiGateway, got 2"},
		{"missing record", "        record: shop.acme.example.\n", "", "cutover.routers[0].route53.record: missing"},
		{"type", "type: cname", "type: MX", `"MX": weighted cutover records are A, AAAA or CNAME`},
		{"decreasing", "{percent: 50, dwell: 2m, auto: true}", "{percent: 5, dwell: 2m}", "cutover.steps[1].percent: 5 after 10"},
		{"dwell", "{percent: 100, dwell: 60s}", "{percent: 100, dwell: soon}", `cutover.steps[2].dwell: "soon" is not a positive duration`},
		{"no dwell", "{percent: 100, dwell: 60s}", "{percent: 100}", "cutover.steps[2].dwell: missing; add dwell: 2m, at least the record's TTL"},
		{"rate", "max: 1.5", "max: lots", `cutover.gates.errorRate.max: "lots" is not a rate`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(cutoverPlan, tc.old) {
				t.Fatalf("%q is not in the plan", tc.old)
			}
			_, err := Parse("ferry.yaml", []byte(valid+strings.Replace(cutoverPlan, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %v\nwant an error containing %q", err, tc.want)
			}
		})
	}
}
