package tui

import (
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// The fixtures mirror sandbox/SCENARIO.md: KOPS (account 111111111111) is
// the source, EKS (222222222222) the target.

// secretValue is the seeded Secret value that must never reach the screen.
const secretValue = "s3cr3t-0rders-Pa55!"

// now is the pinned clock of every test; the snapshot was built 30 s ago.
var now = time.Date(2026, 3, 2, 10, 0, 30, 0, time.UTC)

// fakeInventory serves canned snapshots and objects, and signals Changed
// the way the engine does: capacity 1, a send that never blocks.
type fakeInventory struct {
	mu      sync.Mutex
	snap    inventory.Snapshot
	objects map[string][2][]*unstructured.Unstructured
	changed chan struct{}
	// objectsHook runs inside Objects; tests use it to make Objects panic.
	objectsHook func()
}

func newFakeInventory(t testing.TB) *fakeInventory {
	objs := scenarioObjects(t)
	return &fakeInventory{snap: scenarioSnapshot(objs), objects: objs, changed: make(chan struct{}, 1)}
}

func (f *fakeInventory) Snapshot() inventory.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}

func (f *fakeInventory) Changed() <-chan struct{} { return f.changed }

func (f *fakeInventory) Objects(key string) (source, target []*unstructured.Unstructured) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.objectsHook != nil {
		f.objectsHook()
	}
	o := f.objects[key]
	return o[0], o[1]
}

func (f *fakeInventory) set(snap inventory.Snapshot) {
	f.mu.Lock()
	f.snap = snap
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func scenarioMapping() rewrite.Mapping {
	return rewrite.Mapping{
		Accounts:       map[string]string{"111111111111": "222222222222"},
		Registries:     map[string]string{"111111111111.dkr.ecr.us-east-1.amazonaws.com": "222222222222.dkr.ecr.us-east-1.amazonaws.com"},
		Names:          []rewrite.Rename{{Kind: "bucket", From: "acme-legacy-*", To: "acme-platform-*"}},
		StorageClasses: map[string]string{"gp2": "gp3"},
		IngressClasses: map[string]string{"nginx": "alb"},
		IRSA:           true,
		Ignore:         rewrite.Ignore{Annotations: []string{"sandbox.ferry.dev/*"}, Labels: []string{"sandbox.ferry.dev/*"}},
	}
}

func scenarioConfig(inv Inventory) Config {
	return Config{
		Environment: "sandbox",
		PlanFile:    "ferry.yaml",
		Source: SideInfo{Label: "KOPS", Cluster: "kops", Account: "111111111111",
			Caller: "arn:aws:iam::111111111111:user/ferry-operator", Expires: now.Add(55 * time.Minute)},
		Target: SideInfo{Label: "EKS", Cluster: "eks:acme-platform (us-east-1)", Account: "222222222222",
			Caller: "arn:aws:iam::222222222222:user/ferry-operator", Expires: now.Add(8*time.Minute + 30*time.Second)},
		Mapping:   scenarioMapping(),
		Inventory: inv,
		Now:       func() time.Time { return now },
	}
}

// workload is a side's state; images are "container=tag" pairs.
func workload(kind string, ready, desired, restarts int32, repo string, tags ...string) *inventory.Workload {
	w := &inventory.Workload{Kind: kind, Desired: desired, Ready: ready, Updated: ready, Available: ready,
		Restarts: restarts, Rollout: inventory.RolloutComplete, Pods: int(desired)}
	for _, t := range tags {
		w.Images = append(w.Images, inventory.Image{Container: repo, Ref: "ecr/" + repo + ":" + t, Tag: t})
	}
	return w
}

func scenarioSnapshot(objs map[string][2][]*unstructured.Unstructured) inventory.Snapshot {
	m := scenarioMapping()
	pair := func(ns, name string, src, dst *inventory.Workload) inventory.Pair {
		p := inventory.Pair{Namespace: ns, Name: name, Source: src, Target: dst}
		if o, ok := objs[p.Key()]; ok && src != nil && dst != nil {
			p.Drift = rewrite.Drift(m, o[0], o[1])
			p.References = rewrite.References(m, o[1])
		}
		p.State = fixtureState(p)
		return p
	}
	failing := workload("Deployment", 0, 1, 14, "fulfillment-worker", "1.4.2")
	failing.Waiting = []string{"CrashLoopBackOff"}
	failing.Warnings = []inventory.Event{
		{Object: "Pod/fulfillment-worker-6c9d7f-x2x9z", Reason: "BackOff", Count: 57, Last: now.Add(-40 * time.Second),
			Message: "Back-off restarting failed container fulfillment-worker in pod fulfillment-worker-6c9d7f-x2x9z_orders"},
	}
	return inventory.Snapshot{
		Generation: 7,
		Built:      now.Add(-30 * time.Second),
		Source:     inventory.SideState{Name: "KOPS", Health: inventory.HealthUp, Since: now.Add(-time.Hour)},
		Target:     inventory.SideState{Name: "EKS", Health: inventory.HealthUp, Since: now.Add(-time.Hour)},
		Pairs: []inventory.Pair{
			pair("orders", "fulfillment-worker", workload("Deployment", 1, 1, 0, "fulfillment-worker", "1.4.2"), failing),
			pair("orders", "invoice-renderer", workload("Deployment", 1, 1, 0, "invoice-renderer", "1.0"), nil),
			pair("orders", "orders-api", workload("Deployment", 3, 3, 0, "orders-api", "3.2.0"), workload("Deployment", 2, 2, 0, "orders-api", "3.2.0")),
			pair("payments", "checkout-api", workload("Deployment", 2, 2, 0, "checkout-api", "1.8.0"), workload("Deployment", 2, 2, 0, "checkout-api", "1.8.0")),
			pair("payments", "ledger", workload("StatefulSet", 1, 1, 0, "ledger", "2.3.1"), workload("StatefulSet", 1, 1, 1, "ledger", "2.4.0")),
			pair("payments", "refund-worker", workload("Deployment", 1, 1, 0, "refund-worker", "0.9.3"), workload("Deployment", 1, 1, 0, "refund-worker", "0.9.3")),
			pair("platform", "auth-gateway", workload("Deployment", 2, 2, 0, "auth-gateway", "5.1.0"), workload("Deployment", 2, 2, 0, "auth-gateway", "5.1.0")),
			pair("platform", "feature-flags", workload("Deployment", 1, 1, 0, "feature-flags", "2.0.1"), workload("Deployment", 1, 1, 0, "feature-flags", "2.0.1")),
		},
	}
}

// fixtureState is the engine's rule (inventory.pairState) for synced sides.
func fixtureState(p inventory.Pair) string {
	switch {
	case p.Target == nil:
		return inventory.StateOnlySource
	case p.Source == nil:
		return inventory.StateOnlyTarget
	case len(p.Target.Waiting) > 0:
		return inventory.StateFailingTarget
	case len(p.Drift) > 0:
		return inventory.StateDrifted
	}
	return inventory.StateInSync
}

func scenarioObjects(t testing.TB) map[string][2][]*unstructured.Unstructured {
	return map[string][2][]*unstructured.Unstructured{
		"payments/ledger": {
			objs(t, ledger("111111111111", "2.3.1", "100")),
			objs(t, ledger("222222222222", "2.4.0", "250"))},
		"orders/orders-api": {
			objs(t, ordersAPI("111111111111", "3", "500m"), ordersSecret),
			objs(t, ordersAPI("222222222222", "2", "250m"), ordersSecret)},
		"payments/refund-worker": {
			objs(t, refundWorker("111111111111"), refundConfig("111111111111")),
			// The one wrong reference: eks still names the old queue.
			objs(t, refundWorker("222222222222"), refundConfig("111111111111"))},
	}
}

func objs(t testing.TB, manifests ...string) []*unstructured.Unstructured {
	t.Helper()
	out := make([]*unstructured.Unstructured, len(manifests))
	for i, manifest := range manifests {
		j, err := yaml.YAMLToJSON([]byte(manifest))
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
		out[i] = &unstructured.Unstructured{}
		if err := out[i].UnmarshalJSON(j); err != nil {
			t.Fatalf("fixture: %v\n%s", err, manifest)
		}
	}
	return out
}

func ledger(account, tag, batch string) string {
	return `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ledger, namespace: payments}
spec:
  serviceName: ledger
  replicas: 1
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      initContainers:
      - {name: migrate, image: "` + account + `.dkr.ecr.us-east-1.amazonaws.com/ledger:` + tag + `", args: [migrate]}
      containers:
      - name: ledger
        image: ` + account + `.dkr.ecr.us-east-1.amazonaws.com/ledger:` + tag + `
        env:
        - {name: LEDGER_TABLE_ARN, value: "arn:aws:dynamodb:us-east-1:` + account + `:table/ledger-entries"}
        - {name: LEDGER_BATCH_SIZE, value: "` + batch + `"}
        volumeMounts: [{name: data, mountPath: /var/lib/ledger}]
      volumes: [{name: data, emptyDir: {}}]
`
}

func ordersAPI(account, replicas, cpu string) string {
	return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders-api, namespace: orders}
spec:
  replicas: ` + replicas + `
  selector: {matchLabels: {app: orders-api}}
  template:
    metadata: {labels: {app: orders-api}}
    spec:
      initContainers: [{name: wait-for-db, image: "` + account + `.dkr.ecr.us-east-1.amazonaws.com/wait-for:1.0"}]
      containers:
      - name: orders-api
        image: ` + account + `.dkr.ecr.us-east-1.amazonaws.com/orders-api:3.2.0
        resources: {limits: {cpu: ` + cpu + `, memory: 256Mi}}
        env:
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: orders-db, key: password}}}
        - {name: DB_ADMIN_PASSWORD, value: "` + secretValue + `"}
`
}

// ordersSecret carries the seeded value in data (base64) and, as kubectl
// apply leaves it, in the last-applied annotation.
const ordersSecret = `
apiVersion: v1
kind: Secret
type: Opaque
metadata:
  name: orders-db
  namespace: orders
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"` + secretValue + `"}}'
data: {password: czNjcjN0LTByZGVycy1QYTU1IQ==}
`

func refundWorker(account string) string {
	return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: refund-worker, namespace: payments}
spec:
  replicas: 1
  selector: {matchLabels: {app: refund-worker}}
  template:
    metadata: {labels: {app: refund-worker}}
    spec:
      containers:
      - name: refund-worker
        image: ` + account + `.dkr.ecr.us-east-1.amazonaws.com/refund-worker:0.9.3
        envFrom: [{configMapRef: {name: refund-worker-config}}]
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
`
}

func refundConfig(account string) string {
	return `
apiVersion: v1
kind: ConfigMap
metadata: {name: refund-worker-config, namespace: payments}
data: {REFUNDS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/` + account + `/refunds"}
`
}
