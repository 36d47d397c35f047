package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkCutover: the service is one the plan probes, every router names
// what it moves, stages increase within 1..100 and say how long they dwell.
func (d *decoder) checkCutover(r *rawPlan) {
	c := r.Cutover
	if c == nil {
		return
	}
	d.checkCutoverService(r)
	if c.Interval != "" {
		d.checkDuration("cutover.interval", c.Interval, "interval: 10s")
	}
	if len(c.Routers) == 0 {
		d.missing("cutover.routers", "list at least one router, e.g. - route53: {account: source, zone: acme.example., record: shop.acme.example., type: CNAME, targetValue: eks-ingress.acme.example.}")
	}
	for i, rt := range c.Routers {
		d.checkRouter(fmt.Sprintf("cutover.routers[%d]", i), rt)
	}
	if g := c.Gates; g != nil && g.ErrorRate != nil {
		e := g.ErrorRate
		d.checkRate("cutover.gates.errorRate.max", e.Max, true)
		d.checkRate("cutover.gates.errorRate.margin", e.Margin, false)
		if e.Window != "" {
			d.checkDuration("cutover.gates.errorRate.window", e.Window, "window: 1m")
		}
	}
	d.checkStages(c.Steps)
}

func (d *decoder) checkCutoverService(r *rawPlan) {
	const p = "cutover.service"
	svc := r.Cutover.Service
	ns, name, ok := strings.Cut(svc, "/")
	if svc == "" {
		d.missing(p, "add service: NAMESPACE/NAME, one of services")
		return
	}
	if !ok || ns == "" || name == "" {
		d.fail(p, "%q is not NAMESPACE/NAME; write e.g. service: orders/orders-api", svc)
		return
	}
	var known []string
	for _, s := range r.Services {
		known = append(known, s.Namespace+"/"+s.Name)
	}
	if !slices.Contains(known, svc) {
		d.fail(p, "%s is not in services (%s); list it there with its probes, which are the cutover's gates", svc, strings.Join(known, ", "))
	}
}

// checkRouter wants exactly one router kind with its required fields.
func (d *decoder) checkRouter(p string, rt rawRouter) {
	n := 0
	for _, set := range []bool{rt.Route53 != nil, rt.ALB != nil, rt.APIGateway != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		d.fail(p, "want exactly one of route53, alb or apiGateway, got %d; one router per list item", n)
		return
	}
	switch {
	case rt.Route53 != nil:
		x, q := rt.Route53, p+".route53"
		d.checkRouterAccount(q, x.Account)
		d.require(q, map[string]string{"zone": x.Zone, "record": x.Record, "type": x.Type, "targetValue": x.TargetValue},
			"zone: acme.example., record: shop.acme.example., type: CNAME, targetValue: the target's load balancer name")
		if x.Type != "" && !slices.Contains([]string{"A", "AAAA", "CNAME"}, strings.ToUpper(x.Type)) {
			d.fail(q+".type", "%q: weighted cutover records are A, AAAA or CNAME", x.Type)
		}
		if x.SourceID != "" && x.SourceID == x.TargetID {
			d.fail(q+".targetId", "%q is the source's set identifier too; the two records need their own", x.TargetID)
		}
	case rt.ALB != nil:
		x, q := rt.ALB, p+".alb"
		d.checkRouterAccount(q, x.Account)
		d.require(q, map[string]string{"listener": x.Listener, "sourceTargetGroup": x.SourceTargetGroup, "targetTargetGroup": x.TargetTargetGroup},
			"listener: its ARN, sourceTargetGroup and targetTargetGroup: the two sides' target group ARNs")
		for _, f := range []struct{ k, v string }{{"listener", x.Listener}, {"rule", x.Rule}, {"sourceTargetGroup", x.SourceTargetGroup}, {"targetTargetGroup", x.TargetTargetGroup}} {
			if f.v != "" && !strings.HasPrefix(f.v, "arn:") {
				d.fail(q+"."+f.k, "%q is not an ARN; aws elbv2 describe-listeners / describe-target-groups print it", f.v)
			}
		}
	default:
		x, q := rt.APIGateway, p+".apiGateway"
		d.checkRouterAccount(q, x.Account)
		d.require(q, map[string]string{"restApi": x.RestAPI, "stage": x.Stage}, "restApi: the REST API id, stage: its stage name")
		if x.TargetDeployment == "" && len(x.CanaryVariables) == 0 {
			d.missing(q+".targetDeployment", "add targetDeployment: the deployment that calls the new backend, or canaryVariables: {backend: NEW_URL}")
		}
	}
}

func (d *decoder) checkRouterAccount(p, account string) {
	if account != "source" && account != "target" {
		d.fail(p+".account", "%q: write account: source or account: target, the side whose AWS profile reaches the router", account)
	}
}

// require reports each empty field in file order of the fix.
func (d *decoder) require(p string, fields map[string]string, fix string) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if fields[k] == "" {
			d.missing(p+"."+k, "add "+k+"; "+fix)
		}
	}
}

func (d *decoder) checkStages(steps []rawCutoverStep) {
	if len(steps) == 0 {
		d.missing("cutover.steps", "list the stages, e.g. - {percent: 10, dwell: 2m} then 50 and 100")
		return
	}
	prev := 0
	for i, s := range steps {
		p := fmt.Sprintf("cutover.steps[%d]", i)
		if s.Percent <= prev || s.Percent > 100 {
			d.fail(p+".percent", "%d after %d: stages send a growing share to the target, each within 1..100", s.Percent, prev)
		}
		prev = max(prev, s.Percent)
		if s.Dwell == "" {
			d.missing(p+".dwell", "add dwell: 2m, at least the record's TTL")
		} else {
			d.checkDuration(p+".dwell", s.Dwell, "dwell: 2m")
		}
	}
}

func (d *decoder) checkDuration(p, v, example string) {
	dur, err := time.ParseDuration(v)
	if err != nil || dur <= 0 {
		d.fail(p, "%q is not a positive duration; write e.g. %s (units s, m, h)", v, example)
	}
}

func (d *decoder) checkRate(p, v string, required bool) {
	if v == "" {
		if required {
			d.missing(p, "add the most error lines per second the target may log, e.g. max: 1")
		}
		return
	}
	if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
		d.fail(p, "%q is not a rate; write error lines per second, e.g. 0.5", v)
	}
}
