package clone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

var (
	cmGVR     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	secretGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	saGVR     = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	svcGVR    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	nsGVR     = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	depGVR    = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

var testMapping = rewrite.Mapping{
	Accounts:       map[string]string{"111111111111": "222222222222"},
	Registries:     map[string]string{"111111111111.dkr.ecr.us-east-1.amazonaws.com": "222222222222.dkr.ecr.us-east-1.amazonaws.com"},
	IngressClasses: map[string]string{"nginx": "alb"},
	IRSA:           true,
}

// sourceObjects is one service on the source: every kind a clone handles,
// a kube2iam role, a Secret holding the seeded value, and a PDB of another
// service that must be left out.
func sourceObjects(t *testing.T) []*unstructured.Unstructured {
	return []*unstructured.Unstructured{
		obj(t, `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"api","namespace":"shop","uid":"u1","resourceVersion":"7"},"secrets":[{"name":"api-token-x"}]}`),
		obj(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"api-config","namespace":"shop"},"data":{"QUEUE":"https://sqs.us-east-1.amazonaws.com/111111111111/q"}}`),
		obj(t, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"api-db","namespace":"shop","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"stringData\":{\"password\":\"`+seeded+`\"}}"}},"type":"Opaque","data":{"password":"czNjcjN0LTByZGVycy1QYTU1IQ=="}}`),
		obj(t, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"shop"},"spec":{"clusterIP":"10.0.0.9","clusterIPs":["10.0.0.9"],"selector":{"app":"api"},"ports":[{"port":80,"targetPort":8080}]}}`),
		obj(t, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop","generation":4},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"},"annotations":{"iam.amazonaws.com/role":"arn:aws:iam::111111111111:role/api"}},"spec":{"serviceAccountName":"api","containers":[{"name":"api","image":"111111111111.dkr.ecr.us-east-1.amazonaws.com/api:1.0","envFrom":[{"configMapRef":{"name":"api-config"}},{"secretRef":{"name":"api-db"}}]}]}}},"status":{"replicas":2}}`),
		obj(t, `{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"api","namespace":"shop"},"spec":{"minReplicas":2,"maxReplicas":4,"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"api"}}}`),
		obj(t, `{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"api","namespace":"shop"},"spec":{"ingressClassName":"nginx","defaultBackend":{"service":{"name":"api","port":{"number":80}}}}}`),
	}
}

func sourcePDBObjects(t *testing.T) []*unstructured.Unstructured {
	return []*unstructured.Unstructured{
		obj(t, `{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"api","namespace":"shop"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"api"}}}}`),
		obj(t, `{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"other","namespace":"shop"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"other"}}}}`),
	}
}

// fixture is a source with the service and a target holding the
// namespace, the same Service (with its own clusterIP) and an older
// ConfigMap.
func fixture(t *testing.T, targetNamespace bool) (ServiceConfig, *fake.FakeDynamicClient, *fake.FakeDynamicClient) {
	t.Helper()
	listed := sourceObjects(t)
	src := newFake(append(slices.Clone(listed), sourcePDBObjects(t)...)...)
	var dst []*unstructured.Unstructured
	if targetNamespace {
		dst = append(dst,
			obj(t, `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","resourceVersion":"3"}}`),
			obj(t, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"shop","resourceVersion":"5"},"spec":{"clusterIP":"10.9.9.9","clusterIPs":["10.9.9.9"],"selector":{"app":"api"},"ports":[{"port":80,"targetPort":8080}]}}`),
			obj(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"api-config","namespace":"shop","resourceVersion":"6","labels":{"old":"yes"}},"data":{"QUEUE":"stale"}}`))
	}
	target := newFake(dst...)
	// The listing is stale on purpose: the step must read the source live.
	listed[1].Object["data"] = map[string]any{"QUEUE": "from-a-stale-cache"}
	cfg := ServiceConfig{Namespace: "shop", Name: "api", TargetLabel: "EKS", Source: src, Target: target,
		Mapping: testMapping, RolloutWait: -1,
		Objects: func(context.Context) ([]*unstructured.Unstructured, error) { return listed, nil }}
	return cfg, src, target
}

func opsOf(cs runbook.ChangeSet) []string {
	var out []string
	for _, c := range cs.Changes {
		out = append(out, fmt.Sprintf("%s %s %s", c.Op, c.Kind, c.Name))
	}
	return out
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	s := NewServiceStep(ServiceConfig{Namespace: "payments", Name: "ledger", TargetLabel: "EKS", Deps: []string{"shared/payments"}})
	ns, name := s.Scope()
	got := []string{s.ID(), s.Kind(), s.Title(), strings.Join(s.Deps(), ","), ns + "/" + name}
	want := []string{"clone/payments/ledger", "clone-k8s", "Clone payments/ledger to EKS", "preflight,shared/payments", "payments/ledger"}
	if !slices.Equal(got, want) {
		t.Errorf("identity = %q, want %q", got, want)
	}
}

func TestPlanOrderOpsIRSAAndSecrets(t *testing.T) {
	t.Parallel()
	cfg, _, target := fixture(t, true)
	cs, err := NewServiceStep(cfg).Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"none Namespace shop", "create ServiceAccount api", "update ConfigMap api-config", "create Secret api-db",
		"none Service api", "create Deployment api", "create HorizontalPodAutoscaler api", "create PodDisruptionBudget api", "create Ingress api"}
	if got := opsOf(cs); !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	byKind := map[string]runbook.Change{}
	for _, c := range cs.Changes {
		byKind[c.Kind] = c
	}
	checks := []struct{ what, text, want string }{
		{"IRSA on the ServiceAccount", byKind["ServiceAccount"].After, "eks.amazonaws.com/role-arn: arn:aws:iam::222222222222:role/api"},
		{"new registry", byKind["Deployment"].After, "222222222222.dkr.ecr.us-east-1.amazonaws.com/api:1.0"},
		{"live source, mapped", byKind["ConfigMap"].After, "https://sqs.us-east-1.amazonaws.com/222222222222/q"},
		{"target before", byKind["ConfigMap"].Before, "QUEUE: stale"},
		{"hashed secret", byKind["Secret"].After, "password: sha256:"},
		{"ingress class", byKind["Ingress"].After, "ingressClassName: alb"},
	}
	for _, c := range checks {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s: %q not in\n%s", c.what, c.want, c.text)
		}
	}
	if strings.Contains(byKind["Deployment"].After, "iam.amazonaws.com/role") {
		t.Error("the kube2iam annotation survived on the pod template")
	}
	if len(cs.Notes) != 1 || !strings.Contains(cs.Notes[0], "ServiceAccount api gets eks.amazonaws.com/role-arn=arn:aws:iam::222222222222:role/api") {
		t.Errorf("notes = %q, want the IRSA move", cs.Notes)
	}
	b, _ := json.Marshal(cs)
	assertNoSecret(t, "the change set", string(b))
	if getObj(t, target, secretGVR, "shop", "api-db") != nil {
		t.Error("Plan wrote the Secret to the target")
	}
}

func TestPlanMissingNamespaceCreatesItFirst(t *testing.T) {
	t.Parallel()
	cfg, _, target := fixture(t, false)
	cs, err := NewServiceStep(cfg).Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs.Changes {
		if c.Op != runbook.OpCreate || (i == 0) != (c.Kind == "Namespace") {
			t.Errorf("change %d = %s %s, want a create with the Namespace first", i, c.Op, c.Kind)
		}
	}
	if len(cs.Notes) == 0 || !strings.Contains(cs.Notes[0], "namespace shop does not exist on EKS") {
		t.Errorf("notes = %q, want the missing namespace explained", cs.Notes)
	}
	var dryRuns int
	for _, a := range target.Actions() {
		if a.GetVerb() == "patch" {
			dryRuns++
		}
	}
	if dryRuns != 1 {
		t.Errorf("%d dry-runs against the target, want 1 (the Namespace): objects in a missing namespace cannot be dry-run", dryRuns)
	}
}

func TestApplySavesBeforeWritingIsIdempotentAndRollsBack(t *testing.T) {
	t.Parallel()
	cfg, _, target := fixture(t, true)
	step := NewServiceStep(cfg)
	priorCM := getObj(t, target, cmGVR, "shop", "api-config")
	rec := &memRecorder{check: func(u undoRecord) {
		// Save comes before the write: the target still holds the prior state.
		gvr := schema.GroupVersionResource{Group: u.Group, Version: u.Version, Resource: u.Resource}
		live, _ := target.Tracker().Get(gvr, u.Namespace, u.Name)
		if (live != nil) != u.Existed {
			t.Errorf("undo for %s saved after the write (existed %v, now present %v)", u.describe(), u.Existed, live != nil)
		}
	}}
	if err := step.Apply(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	var saved []string
	for _, raw := range rec.undo {
		var u undoRecord
		_ = json.Unmarshal(raw, &u)
		saved = append(saved, fmt.Sprintf("%s %s existed=%v prior=%v", u.Kind, u.Name, u.Existed, u.Prior != nil))
	}
	wantSaved := []string{"ServiceAccount api existed=false prior=false", "ConfigMap api-config existed=true prior=true",
		"Secret api-db existed=false prior=false", "Deployment api existed=false prior=false",
		"HorizontalPodAutoscaler api existed=false prior=false", "PodDisruptionBudget api existed=false prior=false",
		"Ingress api existed=false prior=false"}
	if !slices.Equal(saved, wantSaved) {
		t.Errorf("undo records:\n%s\nwant:\n%s", strings.Join(saved, "\n"), strings.Join(wantSaved, "\n"))
	}
	if len(rec.progress) != 9 || rec.progress[8].Done != 9 || rec.progress[8].Total != 9 {
		t.Errorf("progress:\n%s", rec.messages())
	}
	assertNoSecret(t, "progress", rec.messages())

	again := &memRecorder{}
	if err := step.Apply(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	if len(again.undo) != 0 || strings.Count(again.messages(), "unchanged") != 9 {
		t.Errorf("second apply saved %d undo records, progress:\n%s", len(again.undo), again.messages())
	}

	// A later record for the ConfigMap must not win over the first one.
	later, _ := json.Marshal(undoRecord{Version: "v1", Resource: "configmaps", Kind: "ConfigMap", Namespace: "shop",
		Name: "api-config", Existed: true, Prior: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"QUEUE": "later"}}})
	back := &memRecorder{}
	if err := step.Rollback(t.Context(), append(slices.Clone(rec.undo), later), back); err != nil {
		t.Fatal(err)
	}
	if cm := getObj(t, target, cmGVR, "shop", "api-config"); !same(cm, priorCM) {
		t.Errorf("ConfigMap not restored: %v, want %v", cm.Object, priorCM.Object)
	}
	for _, gone := range []struct {
		gvr  schema.GroupVersionResource
		name string
	}{{saGVR, "api"}, {secretGVR, "api-db"}, {depGVR, "api"}} {
		if getObj(t, target, gone.gvr, "shop", gone.name) != nil {
			t.Errorf("%s %s created by the clone survived the rollback", gone.gvr.Resource, gone.name)
		}
	}
	if getObj(t, target, svcGVR, "shop", "api") == nil || getObj(t, target, nsGVR, "", "shop") == nil {
		t.Error("the rollback removed objects the clone never wrote")
	}
	if !strings.HasPrefix(back.progress[0].Message, "deleted Ingress") || len(back.progress) != 7 {
		t.Errorf("rollback progress, want Ingress first and 7 steps:\n%s", back.messages())
	}
}

func TestApplyErrorNamesObjectAndMasksSecret(t *testing.T) {
	t.Parallel()
	cfg, _, target := fixture(t, true)
	target.PrependReactor("patch", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if len(a.(k8stesting.PatchActionImpl).PatchOptions.DryRun) > 0 {
			return false, nil, nil
		}
		return true, nil, errors.New(`Secret "api-db" is invalid: data[password]: Invalid value: "` + seeded + `"`)
	})
	err := NewServiceStep(cfg).Apply(t.Context(), &memRecorder{})
	if err == nil {
		t.Fatal("Apply succeeded against a failing API server")
	}
	for _, want := range []string{"clone shop/api", "Secret shop/api-db", "[redacted]", "plan again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	assertNoSecret(t, "the error", err.Error())
}

func TestRollbackRefusesForeignRecords(t *testing.T) {
	t.Parallel()
	cfg, _, _ := fixture(t, true)
	err := NewServiceStep(cfg).Rollback(t.Context(), []json.RawMessage{json.RawMessage(`{"step":"x"}`)}, &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "undo record 1 names no object") {
		t.Errorf("err = %v, want the foreign record refused", err)
	}
}
