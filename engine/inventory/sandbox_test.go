package inventory_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// sandboxPlan loads the plan the sandbox ships.
func sandboxPlan(t *testing.T) *plan.Plan {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p, err := plan.Load(filepath.Join(filepath.Dir(file), "..", "..", "sandbox", "ferry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startOn runs an inventory on a sandbox, as `ferry status` does.
func startOn(t *testing.T, env *sandboxtest.Env) (*inventory.Inventory, *plan.Plan) {
	t.Helper()
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	p := sandboxPlan(t)
	sides := map[string]*cluster.Side{}
	for name, s := range map[string]plan.Side{"source": p.Source, "target": p.Target} {
		c, err := cluster.Connect(t.Context(), cluster.Config{Name: s.Label, Context: s.Kube.Context,
			AWSProfile: s.AWS.Profile, Account: s.AWS.Account})
		if err != nil {
			t.Fatal(err)
		}
		sides[name] = c
	}
	inv := inventory.New(sides["source"].Kube, sides["target"].Kube, inventory.Config{
		SourceName: p.Source.Label, TargetName: p.Target.Label, Namespaces: p.Namespaces, Mapping: p.Mapping})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = inv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	wait, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := inv.WaitSynced(wait); err != nil {
		t.Fatal(err)
	}
	return inv, p
}

// waitSnap waits up to d for a snapshot satisfying ok.
func waitSnap(t *testing.T, inv *inventory.Inventory, d time.Duration, what string, ok func(inventory.Snapshot) bool) (inventory.Snapshot, time.Duration) {
	t.Helper()
	start := time.Now()
	deadline := time.After(d)
	for {
		s := inv.Snapshot()
		if ok(s) {
			return s, time.Since(start)
		}
		select {
		case <-inv.Changed():
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no snapshot with %s within %s", what, d)
		}
	}
}

func TestSandboxPairsStatesDriftReferences(t *testing.T) {
	inv, _ := startOn(t, sandboxtest.Get(t))
	snap, _ := waitSnap(t, inv, 30*time.Second, "8 pairs, fulfillment-worker failing", func(s inventory.Snapshot) bool {
		p, ok := s.Pair("orders/fulfillment-worker")
		return len(s.Pairs) == 8 && ok && p.State == inventory.StateFailingTarget
	})
	want := map[string]string{
		"payments/checkout-api": inventory.StateInSync, "platform/auth-gateway": inventory.StateInSync,
		"platform/feature-flags": inventory.StateInSync, "orders/invoice-renderer": inventory.StateOnlySource,
		"payments/ledger": inventory.StateDrifted, "orders/orders-api": inventory.StateDrifted,
		"payments/refund-worker": inventory.StateDrifted, "orders/fulfillment-worker": inventory.StateFailingTarget,
	}
	var drift, refs []string
	for _, p := range snap.Pairs {
		if want[p.Key()] != p.State {
			t.Errorf("%s: state %s, want %s", p.Key(), p.State, want[p.Key()])
		}
		for _, f := range p.Drift {
			drift = append(drift, fmt.Sprintf("%s %s/%s %s: %s -> %s", p.Key(), f.Kind, f.Name, f.Path, tag(f.Source), tag(f.Target)))
		}
		for _, r := range p.References {
			refs = append(refs, fmt.Sprintf("%s %s/%s/%s %s: %s", p.Key(), r.Kind, r.Namespace, r.Name, r.Path, r.Match))
		}
	}
	sort.Strings(drift)
	wantDrift := []string{
		"orders/orders-api Deployment/orders-api spec.replicas: 3 -> 2",
		"orders/orders-api Deployment/orders-api spec.template.spec.containers[orders-api].resources.limits.cpu: 500m -> 250m",
		"payments/ledger StatefulSet/ledger spec.template.spec.containers[ledger].env[LEDGER_BATCH_SIZE]: 100 -> 250",
		"payments/ledger StatefulSet/ledger spec.template.spec.containers[ledger].image: 2.3.1 -> 2.4.0",
		"payments/ledger StatefulSet/ledger spec.template.spec.initContainers[migrate].env[LEDGER_BATCH_SIZE]: 100 -> 250",
		"payments/ledger StatefulSet/ledger spec.template.spec.initContainers[migrate].image: 2.3.1 -> 2.4.0",
		"payments/refund-worker ConfigMap/refund-worker-config data.REFUNDS_QUEUE_URL: https://sqs.us-east-1.amazonaws.com/222222222222/refunds -> https://sqs.us-east-1.amazonaws.com/111111111111/refunds",
	}
	if strings.Join(drift, "\n") != strings.Join(wantDrift, "\n") {
		t.Errorf("drift:\n%s\nwant exactly:\n%s", strings.Join(drift, "\n"), strings.Join(wantDrift, "\n"))
	}
	wantRefs := []string{"payments/refund-worker ConfigMap/payments/refund-worker-config data.REFUNDS_QUEUE_URL: https://sqs.us-east-1.amazonaws.com/111111111111/refunds"}
	if strings.Join(refs, "\n") != strings.Join(wantRefs, "\n") {
		t.Errorf("references:\n%s\nwant exactly:\n%s", strings.Join(refs, "\n"), strings.Join(wantRefs, "\n"))
	}
	if s := fmt.Sprintf("%+v", snap); strings.Contains(s, "s3cr3t-0rders-Pa55!") {
		t.Error("the snapshot holds the seeded secret value")
	}
}

// tag shortens image references to their tag so the expectations read well.
func tag(v string) string {
	if strings.Contains(v, ".dkr.ecr.") {
		return inventory.Tag(v)
	}
	return v
}

// TestSandboxChangeVisibleWithinASecond scales and retags a service on eks
// and measures when the snapshot shows it. It changes seeded objects, so it
// runs on this package's own sandbox, not the shared one.
func TestSandboxChangeVisibleWithinASecond(t *testing.T) {
	env := sandboxtest.Isolated(t)
	inv, _ := startOn(t, env)
	cs := env.Kube(t, "eks")
	deps := cs.AppsV1().Deployments("platform")
	patch := func(body string) {
		t.Helper()
		if _, err := deps.Patch(context.Background(), "feature-flags", types.StrategicMergePatchType, []byte(body), metav1PatchOptions); err != nil {
			t.Fatal(err)
		}
	}
	image := func(tag string) string {
		return fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"feature-flags","image":"222222222222.dkr.ecr.us-east-1.amazonaws.com/feature-flags:%s"}]}}}}`, tag)
	}
	t.Cleanup(func() { patch(`{"spec":{"replicas":1}}`); patch(image("1.1.0")) })

	patch(`{"spec":{"replicas":2}}`)
	_, d := waitSnap(t, inv, time.Second, "feature-flags desired 2 on eks", func(s inventory.Snapshot) bool {
		p, ok := s.Pair("platform/feature-flags")
		return ok && p.Target != nil && p.Target.Desired == 2
	})
	t.Logf("scale visible after %s", d.Round(time.Millisecond))
	patch(image("1.2.0"))
	snap, d := waitSnap(t, inv, time.Second, "feature-flags retagged on eks", func(s inventory.Snapshot) bool {
		p, ok := s.Pair("platform/feature-flags")
		return ok && p.Target != nil && p.Target.Images[0].Tag == "1.2.0"
	})
	t.Logf("image change visible after %s", d.Round(time.Millisecond))
	if p, _ := snap.Pair("platform/feature-flags"); len(p.Drift) == 0 {
		t.Error("a retagged image on eks is not reported as drift")
	}
}

// TestSandboxSideDownAndBack stops the eks apiserver under a running
// inventory: the target shows down, then up again, without restarting it.
func TestSandboxSideDownAndBack(t *testing.T) {
	env := sandboxtest.Isolated(t)
	inv, _ := startOn(t, env)
	env.Stop(t, "eks", sandbox.ComponentAPIServer)
	_, d := waitSnap(t, inv, 30*time.Second, "eks down", func(s inventory.Snapshot) bool {
		return s.Target.Health == inventory.HealthDown && s.Source.Health == inventory.HealthUp
	})
	t.Logf("down reported after %s", d.Round(time.Millisecond))
	env.Start(t, "eks", sandbox.ComponentAPIServer)
	_, d = waitSnap(t, inv, 30*time.Second, "eks up again", func(s inventory.Snapshot) bool {
		return s.Target.Health == inventory.HealthUp
	})
	t.Logf("recovery reported %s after the restart", d.Round(time.Millisecond))
}

var metav1PatchOptions = metav1.PatchOptions{}

// TestSandboxListsOnceAndOnlyWarnings: on real apiservers the inventory
// starts each kind with one plain LIST (no watch-list stream) and then a
// watch, asks for warning events only, and still shows a new warning.
func TestSandboxListsOnceAndOnlyWarnings(t *testing.T) {
	env := sandboxtest.Isolated(t) // it adds events to a seeded namespace
	p := sandboxPlan(t)
	cs := env.Kube(t, "eks")
	events := cs.CoreV1().Events("platform")
	now := metav1.NewTime(time.Now())
	about := corev1.ObjectReference{Kind: "Deployment", Namespace: "platform", Name: "feature-flags"}
	for _, e := range []corev1.Event{
		{ObjectMeta: metav1.ObjectMeta{Name: "ferry-test-warning"}, InvolvedObject: about, Type: corev1.EventTypeWarning,
			Reason: "FerryTestWarning", Message: "seen", LastTimestamp: now, Count: 1},
		{ObjectMeta: metav1.ObjectMeta{Name: "ferry-test-normal"}, InvolvedObject: about, Type: corev1.EventTypeNormal,
			Reason: "FerryTestNormal", Message: "filtered", LastTimestamp: now, Count: 1},
	} {
		if _, err := events.Create(t.Context(), &e, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = events.Delete(context.Background(), e.Name, metav1.DeleteOptions{}) })
	}
	var mu sync.Mutex
	var urls []string
	client := func(side string) kubernetes.Interface {
		rc := env.REST(t, side)
		rc.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				urls = append(urls, r.URL.RequestURI())
				mu.Unlock()
				return rt.RoundTrip(r)
			})
		})
		c, err := kubernetes.NewForConfig(rc)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	inv := inventory.New(client("kops"), client("eks"), inventory.Config{
		SourceName: p.Source.Label, TargetName: p.Target.Label, Namespaces: p.Namespaces, Mapping: p.Mapping})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = inv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitSnap(t, inv, 30*time.Second, "the test warning on feature-flags", func(s inventory.Snapshot) bool {
		p, ok := s.Pair("platform/feature-flags")
		return ok && p.Target != nil && slices.ContainsFunc(p.Target.Warnings, func(e inventory.Event) bool { return e.Reason == "FerryTestWarning" })
	})

	mu.Lock()
	defer mu.Unlock()
	lists, watches := map[string]int{}, map[string]int{}
	for _, u := range urls {
		if strings.Contains(u, "sendInitialEvents") {
			t.Errorf("a watch-list request: %s", u)
		}
		path, query, _ := strings.Cut(u, "?")
		resource := path[strings.LastIndexByte(path, '/')+1:]
		if resource == "events" && !strings.Contains(query, "fieldSelector=type%3DWarning") {
			t.Errorf("events asked for without the warnings-only selector: %s", u)
		}
		if strings.Contains(query, "watch=true") {
			watches[resource]++
		} else if strings.HasPrefix(path, "/api") {
			lists[resource]++
		}
	}
	for _, r := range []string{"deployments", "statefulsets", "daemonsets", "replicasets", "pods", "services", "ingresses",
		"configmaps", "secrets", "serviceaccounts", "horizontalpodautoscalers", "events"} {
		if lists[r] != 2 || watches[r] < 2 {
			t.Errorf("%s: %d lists and %d watches for two clusters, want one list and a watch each", r, lists[r], watches[r])
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
