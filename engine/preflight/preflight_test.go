package preflight_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/preflight"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

type recorder struct{ progress []string }

func (r *recorder) Progress(p runbook.Progress)       { r.progress = append(r.progress, p.Message) }
func (r *recorder) Save(json.RawMessage) error        { return nil }
func (r *recorder) Saved() ([]json.RawMessage, error) { return nil, nil }
func connect(t *testing.T, s plan.Side, profile string) *cluster.Side {
	t.Helper()
	c, err := cluster.Connect(t.Context(), cluster.Config{Name: s.Label, Context: s.Kube.Context, AWSProfile: profile, Account: s.AWS.Account})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// step builds preflight on the sandbox; edit changes the plan, sourceProfile
// picks the source's AWS profile.
func step(t *testing.T, sourceProfile string, edit func(*plan.Plan)) *preflight.Step {
	t.Helper()
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	p, err := plan.Load(env.SB.Config().PlanPath())
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(p)
	}
	src, dst := connect(t, p.Source, sourceProfile), connect(t, p.Target, p.Target.AWS.Profile)
	return preflight.New(preflight.Config{Source: preflight.SideOf(p.Source, src), Target: preflight.SideOf(p.Target, dst),
		Namespaces: p.Namespaces, Plan: p})
}

func failing(checks []runbook.Check) map[string]string {
	out := map[string]string{}
	for _, c := range checks {
		if !c.OK {
			out[c.Name] = c.Evidence
		}
	}
	return out
}

// TestPreflightPasses: the sandbox as seeded is ready, and Apply says so.
func TestPreflightPasses(t *testing.T) {
	s := step(t, "ferry-old", nil)
	checks, err := s.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if f := failing(checks); len(f) > 0 {
		t.Fatalf("failing checks on the seeded sandbox: %v", f)
	}
	names := map[string]bool{}
	for _, c := range checks {
		names[c.Name] = true
	}
	for _, want := range []string{"KOPS AWS account", "EKS AWS account", "EKS cluster reachable", "EKS storage classes",
		"EKS ingress classes", "EKS serves apps/v1 deployments", "EKS serves apps/v1 statefulsets"} {
		if !names[want] {
			t.Errorf("no check %q in %v", want, names)
		}
	}
	rec := &recorder{}
	if err := s.Apply(t.Context(), rec); err != nil || len(rec.progress) != len(checks) {
		t.Errorf("Apply: %v, progress %v", err, rec.progress)
	}
}

// TestPreflightMissingStorageClass: a mapping to a class the target lacks
// fails, naming the class and the plan field.
func TestPreflightMissingStorageClass(t *testing.T) {
	s := step(t, "ferry-old", func(p *plan.Plan) { p.Mapping.StorageClasses = map[string]string{"gp2": "gp9"} })
	checks, err := s.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f := failing(checks)
	if ev := f["EKS storage classes"]; len(f) != 1 || !strings.Contains(ev, "gp9") || !strings.Contains(ev, "mapping.storageClasses") {
		t.Fatalf("failing checks %v; want only the storage classes, naming gp9 and the plan field", f)
	}
	if err := s.Apply(context.Background(), &recorder{}); err == nil || !strings.Contains(err.Error(), "gp9") {
		t.Errorf("Apply = %v, want a failure naming gp9", err)
	}
}

// TestPreflightWrongAccountProfile: the source's profile acting in the new
// account is caught, with the caller and both account ids.
func TestPreflightWrongAccountProfile(t *testing.T) {
	s := step(t, "ferry-new", nil)
	checks, err := s.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f := failing(checks)
	ev := f["KOPS AWS account"]
	if len(f) != 1 || !strings.Contains(ev, "222222222222") || !strings.Contains(ev, "111111111111") {
		t.Fatalf("failing checks %v; want only the KOPS account, naming both ids", f)
	}
}
