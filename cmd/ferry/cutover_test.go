package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

const shopRecord = "shop.acme.example."

// shopDNS reads the cutover's weighted records with a plain SDK client of
// its own: the independent read-back.
type shopDNS struct {
	c    *route53.Client
	zone string
}

func newShopDNS(t *testing.T, cfg aws.Config) *shopDNS {
	t.Helper()
	c := route53.NewFromConfig(cfg)
	zones, err := c.ListHostedZonesByName(t.Context(), &route53.ListHostedZonesByNameInput{DNSName: aws.String("acme.example.")})
	if err != nil || len(zones.HostedZones) == 0 || *zones.HostedZones[0].Name != "acme.example." {
		t.Fatalf("find acme.example.: %v %+v", err, zones)
	}
	return &shopDNS{c: c, zone: *zones.HostedZones[0].Id}
}

// records are shop's records by set identifier.
func (d *shopDNS) records(t *testing.T) map[string]r53types.ResourceRecordSet {
	t.Helper()
	out, err := d.c.ListResourceRecordSets(t.Context(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(d.zone)})
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string]r53types.ResourceRecordSet{}
	for _, r := range out.ResourceRecordSets {
		if *r.Name == shopRecord && r.SetIdentifier != nil {
			recs[*r.SetIdentifier] = r
		}
	}
	return recs
}

// weights are shop's weights, source/target; a missing target record is 0.
func (d *shopDNS) weights(t *testing.T) cutover.Weights {
	t.Helper()
	recs := d.records(t)
	w := cutover.Weights{}
	if r, ok := recs["source"]; ok {
		w.Source = int(*r.Weight)
	}
	if r, ok := recs["target"]; ok {
		w.Target = int(*r.Weight)
	}
	return w
}

// setTTL rewrites the source record with ttl, as an operator lowers a TTL
// before a cutover.
func (d *shopDNS) setTTL(t *testing.T, ttl int64) {
	t.Helper()
	src := d.records(t)["source"]
	src.TTL = aws.Int64(ttl)
	_, err := d.c.ChangeResourceRecordSets(t.Context(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(d.zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &src}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// cutoverPlan is the sandbox's plan with short dwells and a fast gate
// interval, written next to the journal.
func cutoverPlan(t *testing.T, sb *sandboxtest.Env, dwell10 string) string {
	t.Helper()
	b, err := os.ReadFile(sb.SB.Config().PlanPath())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, new := range map[string]string{
		"interval: 5s":               "interval: 1s",
		"{percent: 10, dwell: 60s}":  "{percent: 10, dwell: " + dwell10 + "}",
		"{percent: 50, dwell: 2m}":   "{percent: 50, dwell: 20s}",
		"{percent: 100, dwell: 60s}": "{percent: 100, dwell: 2s}",
		// The seeded pods log an error now and then: over a 5s window a
		// few of them would be a rate of 0.6/s, so the tests' error gate
		// lets that noise through (they test the probe gate failing).
		"max: 1, margin: 0.5, window: 30s": "max: 5, margin: 3, window: 5s",
	} {
		if !strings.Contains(s, old) {
			t.Fatalf("the sandbox plan has no %q", old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	p := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCutoverCLI walks the cutover on an isolated sandbox: a dwell shorter
// than the TTL refused, the probe catching the new side's POST 301, 10 ->
// 50 -> 100 with the weights read back after each stage, a 500 injected
// during the 50% dwell rolling back to 90/10 within a gate interval with
// the evidence journaled, and ferry rollback restoring 100/0.
func TestCutoverCLI(t *testing.T) {
	sb := sandboxtest.Isolated(t)
	f := newFerryProc(t, sb)
	cfg := sb.SB.Config()
	eks := sandboxtest.Side(t, "eks")
	dns := newShopDNS(t, sb.AWS(t, "kops"))
	planFile := cutoverPlan(t, sb, "3s")
	run := func(args ...string) (string, int) { return f.run(append(args, "--plan", planFile)...) }
	probe := func() (string, int) { return f.runPlain("probe", "orders-api", "--plan", planFile) }

	// The seeded record's TTL is 60s: a 3s dwell is refused, saying why.
	if out, code := run("plan", "cutover/orders-api/10"); code == 0 || !strings.Contains(out, "TTL of 1m0s") || !strings.Contains(out, "at least 1m0s") {
		t.Fatalf("plan with a dwell under the TTL: exit %d\n%s", code, out)
	}
	dns.setTTL(t, 1)

	out, code := probe()
	if code != exitFindings || !strings.Contains(out, "301 Moved Permanently") || !strings.Contains(out, "EKS") {
		t.Fatalf("probe before the fix: exit %d, want 1 naming EKS's 301\n%s", code, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "create-order") && strings.Contains(line, "KOPS") && !strings.Contains(line, "201 Created") {
			t.Errorf("the old side should pass create-order: %s", line)
		}
	}
	if err := cfg.SetWeb(t.Context(), eks, sandbox.WebSettings{}); err != nil {
		t.Fatal(err)
	}
	if out, code := probe(); code != 0 {
		t.Fatalf("probe after the fix: exit %d\n%s", code, out)
	}

	if out, code := run("run", "preflight", "--yes"); code != 0 {
		t.Fatalf("preflight: exit %d\n%s", code, out)
	}
	if out, code := run("run", "cutover/orders-api/10", "--yes"); code != 0 {
		t.Fatalf("10%%: exit %d\n%s", code, out)
	}
	if w := dns.weights(t); w != cutover.ToTarget(10) {
		t.Fatalf("after the 10%% stage Route53 holds %s, want 90/10", w)
	}

	// The 50% stage: the new side starts answering 500 mid-dwell.
	c := f.cmd(t.Context(), nil, "run", "cutover/orders-api/50", "--yes", "--plan", planFile)
	var buf strings.Builder
	c.Stdout, c.Stderr = &buf, &buf
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "weights at 50/50", func() bool { return dns.weights(t) == cutover.ToTarget(50) })
	if err := cfg.SetWeb(t.Context(), eks, sandbox.WebSettings{Fail5xx: true}); err != nil {
		t.Fatal(err)
	}
	failed := time.Now()
	waitUntil(t, 10*time.Second, "weights back at 90/10", func() bool { return dns.weights(t) == cutover.ToTarget(10) })
	if took := time.Since(failed); took > 4*time.Second {
		t.Errorf("weights came back %s after the failure; the gate interval is 1s", took)
	}
	if err := c.Wait(); err == nil {
		t.Fatalf("the 50%% stage succeeded with the new side failing:\n%s", buf.String())
	}
	st := journalState(t, f, "cutover/orders-api/50")
	if st.State != runbook.StateFailed || !strings.Contains(st.Error, `gate "probes" failed`) || !strings.Contains(st.Error, "500") {
		t.Fatalf("journaled 50%% stage: %s, %q; want failed with the probe's 500 as evidence", st.State, st.Error)
	}
	if err := cfg.SetWeb(t.Context(), eks, sandbox.WebSettings{}); err != nil {
		t.Fatal(err)
	}
	for _, pct := range []int{50, 100} {
		id := cutover.StepID("orders-api", pct)
		if out, code := run("run", id, "--yes"); code != 0 {
			t.Fatalf("%s: exit %d\n%s", id, code, out)
		}
		if w := dns.weights(t); w != cutover.ToTarget(pct) {
			t.Fatalf("after %s Route53 holds %s", id, w)
		}
	}
	if out, code := run("rollback", "--yes"); code != 0 || !strings.Contains(out, "now 100/0") {
		t.Fatalf("rollback: exit %d\n%s", code, out)
	}
	if recs := dns.records(t); len(recs) != 1 || *recs["source"].Weight != 100 {
		t.Fatalf("after the rollback shop's records are %+v; want the source's alone at 100", recs)
	}
}

// TestCutoverKilledDuringDwell: ferry killed mid-dwell comes back showing
// the stage interrupted where it was, the weights in AWS match the
// journal, and nothing moves without the operator.
func TestCutoverKilledDuringDwell(t *testing.T) {
	f, dns, planFile, c, _ := dwellingStage(t)
	waitUntil(t, 30*time.Second, "weights at 90/10", func() bool { return dns.weights(t) == cutover.ToTarget(10) })
	time.Sleep(1500 * time.Millisecond) // a gate check or two into the dwell
	_ = c.Process.Signal(syscall.SIGKILL)
	_ = c.Wait()

	out, code := f.run("cutover", "-o", "json", "--plan", planFile)
	var rep cutoverReport
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &rep); err != nil {
		t.Fatalf("cutover -o json: exit %d: %v\n%s", code, err, out)
	}
	if rep.Stages[0].State != runbook.StateInterrupted || !strings.HasPrefix(rep.Stages[0].Marker, "cutover: 10% to EKS") {
		t.Errorf("after the kill the 10%% stage is %s (%q); want interrupted with its marker", rep.Stages[0].State, rep.Stages[0].Marker)
	}
	if !rep.Matches || rep.Expected != cutover.ToTarget(10) {
		t.Errorf("journal expects %s, matches %t; routers %+v", rep.Expected, rep.Matches, rep.Routers)
	}
	time.Sleep(3 * time.Second)
	if w := dns.weights(t); w != cutover.ToTarget(10) {
		t.Errorf("weights moved to %s with nobody acting", w)
	}
	// The killed ferry's lock goes stale within 30s.
	if out, code := f.run("rollback", "--yes", "--wait", "45s", "--plan", planFile); code != 0 || !strings.Contains(out, "now 100/0") {
		t.Fatalf("rollback after the kill: exit %d\n%s", code, out)
	}
}

// TestRollbackStopsADwellingFerry: ferry rollback from a second terminal
// does not wait out the first ferry's 10-minute dwell: it asks that ferry
// to stop, which journals the stage as stopped at its request, and all
// traffic is back on the source within seconds.
func TestRollbackStopsADwellingFerry(t *testing.T) {
	f, dns, planFile, c, first := dwellingStage(t)
	id := cutover.StepID("orders-api", 10)

	start := time.Now()
	out, code := f.run("rollback", "--yes", "--plan", planFile)
	if code != 0 || !strings.Contains(out, "asked it to stop") || !strings.Contains(out, "now 100/0") {
		t.Fatalf("rollback during the other ferry's dwell: exit %d\n%s", code, out)
	}
	if took := time.Since(start); took > 25*time.Second {
		t.Errorf("rollback took %s; the other ferry should stop within seconds", took.Round(time.Second))
	}
	if recs := dns.records(t); len(recs) != 1 || *recs["source"].Weight != 100 {
		t.Errorf("after the rollback shop's records are %+v; want the source's alone at 100", recs)
	}
	if err := c.Wait(); err == nil {
		t.Errorf("the dwelling ferry exited 0 though stopped:\n%s", first.String())
	}
	stopped := false
	for _, r := range f.records() {
		stopped = stopped || r.Step == id && r.Outcome == runbook.OutcomeFailed && strings.Contains(r.Error, "stopped at the request of") && strings.Contains(r.Error, "ferry rollback")
	}
	if !stopped {
		t.Errorf("the journal does not say who stopped the stage; the first ferry printed:\n%s", first.String())
	}
}

// dwellingStage starts a ferry applying the 10% stage with a 10-minute
// dwell on an isolated sandbox (the TTL at 1s, the EKS endpoint fixed)
// and returns once the stage's marker is journaled: the weights moved.
func dwellingStage(t *testing.T) (f *ferryProc, dns *shopDNS, planFile string, c *exec.Cmd, out *strings.Builder) {
	t.Helper()
	sb := sandboxtest.Isolated(t)
	f = newFerryProc(t, sb)
	dns = newShopDNS(t, sb.AWS(t, "kops"))
	dns.setTTL(t, 1)
	if err := sb.SB.Config().SetWeb(t.Context(), sandboxtest.Side(t, "eks"), sandbox.WebSettings{}); err != nil {
		t.Fatal(err)
	}
	planFile = cutoverPlan(t, sb, "10m")
	if out, code := f.run("run", "preflight", "--yes", "--plan", planFile); code != 0 {
		t.Fatalf("preflight: exit %d\n%s", code, out)
	}
	id := cutover.StepID("orders-api", 10)
	c = f.cmd(t.Context(), nil, "run", id, "--yes", "--plan", planFile)
	out = &strings.Builder{}
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "the 10% stage's marker journaled", func() bool { return journalState(t, f, id).Marker != "" })
	return f, dns, planFile, c, out
}

func journalState(t *testing.T, f *ferryProc, id string) runbook.StepState {
	t.Helper()
	return runbook.States(f.records())[id]
}
