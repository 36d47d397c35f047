package clone

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// world is a private sandbox wired as the CLI wires it: dynamic clients,
// the target's RESTMapper, and a live inventory as the object source.
type world struct {
	p        *plan.Plan
	src, dst dynamic.Interface
	inv      *inventory.Inventory
	mapper   *restmapper.DeferredDiscoveryRESTMapper
	said     []string // everything the steps said, searched for the secret
}

func newWorld(t *testing.T, env *sandboxtest.Env) *world {
	t.Helper()
	p, err := plan.Load(env.SB.Config().PlanPath())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{p: p}
	if w.src, err = dynamic.NewForConfig(env.REST(t, "kops")); err != nil {
		t.Fatal(err)
	}
	if w.dst, err = dynamic.NewForConfig(env.REST(t, "eks")); err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(env.REST(t, "eks"))
	if err != nil {
		t.Fatal(err)
	}
	w.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	w.inv = inventory.New(env.Kube(t, "kops"), env.Kube(t, "eks"), inventory.Config{SourceName: p.Source.Label,
		TargetName: p.Target.Label, Namespaces: p.Namespaces, Mapping: p.Mapping})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.inv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	wait, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := w.inv.WaitSynced(wait); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) step(key string, rolloutWait time.Duration) runbook.Step {
	ns, name, _ := strings.Cut(key, "/")
	return NewServiceStep(ServiceConfig{Namespace: ns, Name: name, TargetLabel: w.p.Target.Label,
		Source: w.src, Target: w.dst, Mapper: w.mapper, Mapping: w.p.Mapping, RolloutWait: rolloutWait,
		Objects: func(context.Context) ([]*unstructured.Unstructured, error) {
			src, _ := w.inv.Objects(key)
			return src, nil
		}})
}

// note keeps what a step said for the secret check and fails on an error.
func (w *world) note(t *testing.T, what string, v any, err error) {
	t.Helper()
	b, _ := json.Marshal(v)
	w.said = append(w.said, string(b))
	if err != nil {
		w.said = append(w.said, err.Error())
		t.Fatalf("%s: %v", what, err)
	}
}

func (w *world) plan(t *testing.T, s runbook.Step) runbook.ChangeSet {
	t.Helper()
	cs, err := s.Plan(t.Context())
	w.note(t, "plan "+s.ID(), cs, err)
	return cs
}

func (w *world) apply(t *testing.T, s runbook.Step) *memRecorder {
	t.Helper()
	rec := &memRecorder{}
	err := s.Apply(t.Context(), rec)
	w.note(t, "apply "+s.ID(), rec.progress, err)
	return rec
}

func (w *world) verify(t *testing.T, s runbook.Step) []runbook.Check {
	t.Helper()
	checks, err := s.Verify(t.Context())
	w.note(t, "verify "+s.ID(), checks, err)
	return checks
}

func (w *world) rollback(t *testing.T, s runbook.Step, rec *memRecorder) {
	t.Helper()
	back := &memRecorder{}
	err := s.Rollback(t.Context(), rec.undo, back)
	w.note(t, "rollback "+s.ID(), back.progress, err)
}

// targetObjects reads the objects a change set names from eks, by kind.
func (w *world) targetObjects(t *testing.T, cs runbook.ChangeSet) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	for _, c := range cs.Changes {
		if c.Kind == "Namespace" {
			continue
		}
		m, err := w.mapper.RESTMapping(schema.GroupKind{Group: groupOf(c.Kind), Kind: c.Kind})
		if err != nil {
			t.Fatal(err)
		}
		u, err := w.dst.Resource(m.Resource).Namespace(c.Namespace).Get(t.Context(), c.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			out[c.Kind+"/"+c.Name] = nil
		case err != nil:
			t.Fatal(err)
		default:
			out[c.Kind+"/"+c.Name] = u
		}
	}
	return out
}

func groupOf(kind string) string {
	for gk := range builtin {
		if gk.Kind == kind {
			return gk.Group
		}
	}
	return ""
}

func opsByKind(cs runbook.ChangeSet) map[string]runbook.Op {
	out := map[string]runbook.Op{}
	for _, c := range cs.Changes {
		out[c.Kind] = c.Op
	}
	return out
}

func failed(checks []runbook.Check) []string {
	var out []string
	for _, c := range checks {
		if !c.OK {
			out = append(out, c.Name+": "+c.Evidence)
		}
	}
	return out
}

// TestSandboxCloneDriftedAndMissing clones payments/ledger (drifted; its
// IRSA annotation removed from eks first, so the clone has to write it)
// and orders/invoice-renderer (only on kops), checks them in sync, applies
// again without a change, and rolls both back.
func TestSandboxCloneDriftedAndMissing(t *testing.T) {
	start := time.Now()
	env := sandboxtest.Isolated(t)
	w := newWorld(t, env)
	t.Logf("sandbox and inventory ready after %s", time.Since(start).Round(time.Millisecond))
	sa := w.dst.Resource(schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}).Namespace("payments")
	if _, err := sa.Patch(t.Context(), "ledger", types.MergePatchType,
		[]byte(`{"metadata":{"annotations":{"eks.amazonaws.com/role-arn":null}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	ledger, invoice := w.step("payments/ledger", time.Minute), w.step("orders/invoice-renderer", time.Minute)

	csL, csI := w.plan(t, ledger), w.plan(t, invoice)
	if ops := opsByKind(csL); ops["StatefulSet"] != runbook.OpUpdate || ops["ServiceAccount"] != runbook.OpUpdate || ops["Namespace"] != runbook.OpNone {
		t.Errorf("ledger plan = %v, want the StatefulSet and ServiceAccount updated", ops)
	}
	for _, c := range csI.Changes {
		if want := map[bool]runbook.Op{true: runbook.OpNone, false: runbook.OpCreate}[c.Kind == "Namespace"]; c.Op != want {
			t.Errorf("invoice-renderer plan: %s %s is %s, want %s", c.Kind, c.Name, c.Op, want)
		}
	}
	for _, c := range csL.Changes {
		t.Logf("ledger plan: %s %s %s/%s", c.Op, c.Kind, c.Namespace, c.Name)
	}
	t.Logf("ledger notes: %q", csL.Notes)
	if os.Getenv("CLONE_DUMP") != "" {
		b, _ := json.MarshalIndent(csL, "", "  ")
		_ = os.WriteFile(os.Getenv("CLONE_DUMP"), b, 0o600)
	}
	before := w.targetObjects(t, csL)

	t0 := time.Now()
	recL, recI := w.apply(t, ledger), w.apply(t, invoice)
	t.Logf("applied in %s", time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	for _, s := range []runbook.Step{ledger, invoice} {
		if bad := failed(w.verify(t, s)); len(bad) > 0 {
			t.Errorf("verify %s:\n%s", s.ID(), strings.Join(bad, "\n"))
		}
	}
	t.Logf("verified (rollouts included) in %s", time.Since(t0).Round(time.Millisecond))
	w.assertInSync(t, "payments/ledger", "orders/invoice-renderer")
	w.assertIRSA(t)
	w.assertReapplyChangesNothing(t, csL, csI, ledger, invoice)

	w.rollback(t, ledger, recL)
	after := w.targetObjects(t, csL)
	for k, b := range before {
		if !same(b, after[k]) {
			bs, _ := render(b)
			as, _ := render(after[k])
			t.Errorf("rollback did not restore %s:\nbefore:\n%s\nafter:\n%s", k, bs, as)
		}
	}
	w.rollback(t, invoice, recI)
	for k, u := range w.targetObjects(t, csI) {
		if u != nil {
			t.Errorf("rollback left %s, which the clone created", k)
		}
	}
	w.assertSecretNeverSaid(t)
}

// assertInSync waits for the inventory to show the services in sync.
func (w *world) assertInSync(t *testing.T, keys ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		snap := w.inv.Snapshot()
		var states []string
		for _, k := range keys {
			p, _ := snap.Pair(k)
			if p.State != inventory.StateInSync {
				states = append(states, fmt.Sprintf("%s %s %v", k, p.State, p.Drift))
			}
		}
		if len(states) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("inventory not in sync after the clone: %s", strings.Join(states, "; "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// assertIRSA checks kube2iam became IRSA: the role on the ServiceAccount in
// the new account, no kube2iam annotation on the target's pods.
func (w *world) assertIRSA(t *testing.T) {
	t.Helper()
	src := w.src.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}).Namespace("payments")
	dst := w.dst.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}).Namespace("payments")
	sa, err := w.dst.Resource(schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}).Namespace("payments").Get(t.Context(), "ledger", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sa.GetAnnotations()["eks.amazonaws.com/role-arn"]; got != "arn:aws:iam::222222222222:role/ledger" {
		t.Errorf("eks ServiceAccount ledger role-arn = %q, want the new account's role", got)
	}
	for side, c := range map[string]dynamic.ResourceInterface{"kops": src, "eks": dst} {
		sts, err := c.Get(t.Context(), "ledger", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		role, _, _ := unstructured.NestedString(sts.Object, "spec", "template", "metadata", "annotations", "iam.amazonaws.com/role")
		if (role != "") != (side == "kops") {
			t.Errorf("%s ledger pod annotation iam.amazonaws.com/role = %q", side, role)
		}
	}
}

// assertReapplyChangesNothing applies both steps again: no undo record, no
// write, every resourceVersion as it was.
func (w *world) assertReapplyChangesNothing(t *testing.T, csL, csI runbook.ChangeSet, steps ...runbook.Step) {
	t.Helper()
	rvs := func() map[string]string {
		out := map[string]string{}
		for _, cs := range []runbook.ChangeSet{csL, csI} {
			for k, u := range w.targetObjects(t, cs) {
				out[cs.Step+" "+k] = "absent"
				if u != nil {
					out[cs.Step+" "+k] = u.GetResourceVersion()
				}
			}
		}
		return out
	}
	first := rvs()
	for _, s := range steps {
		if rec := w.apply(t, s); len(rec.undo) != 0 {
			t.Errorf("re-applying %s saved %d undo records:\n%s", s.ID(), len(rec.undo), rec.messages())
		}
	}
	second := rvs()
	for k, rv := range first {
		if second[k] != rv {
			t.Errorf("re-apply changed %s: resourceVersion %s -> %s", k, rv, second[k])
		}
	}
}

// assertSecretNeverSaid plans and verifies orders-api, whose Secret holds
// the seeded value, and searches everything the steps said.
func (w *world) assertSecretNeverSaid(t *testing.T) {
	t.Helper()
	orders := w.step("orders/orders-api", -1)
	cs := w.plan(t, orders)
	if opsByKind(cs)["Secret"] == "" {
		t.Error("the orders-api plan has no Secret: the secret check would prove nothing")
	}
	w.verify(t, orders)
	assertNoSecret(t, "what the steps said", strings.Join(w.said, "\n"))
}
