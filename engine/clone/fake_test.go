package clone

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// seeded is the sandbox's distinctive Secret value (SCENARIO.md): it must
// never leave the package in a change set, a check, a progress message or
// an error.
const seeded = "s3cr3t-0rders-Pa55!"

// newFake is a dynamic fake whose server-side apply behaves enough like an
// API server's for the step: dry-runs change nothing, a create sets
// resourceVersion 1, an apply that changes nothing keeps the
// resourceVersion, other applies merge maps (lists replaced) and bump it.
func newFake(objs ...*unstructured.Unstructured) *fake.FakeDynamicClient {
	kinds := map[schema.GroupVersionResource]string{}
	for gk, b := range builtin {
		v := map[string]string{"": "v1", "apps": "v1", "autoscaling": "v2", "policy": "v1", "networking.k8s.io": "v1"}[gk.Group]
		kinds[schema.GroupVersionResource{Group: gk.Group, Version: v, Resource: b.resource}] = gk.Kind + "List"
	}
	rs := make([]runtime.Object, len(objs))
	for i, o := range objs {
		rs[i] = o.DeepCopy()
	}
	c := fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), kinds, rs...)
	c.PrependReactor("patch", "*", ssaReactor(c.Tracker()))
	return c
}

func ssaReactor(tr k8stesting.ObjectTracker) k8stesting.ReactionFunc {
	return func(a k8stesting.Action) (bool, runtime.Object, error) {
		pa, ok := a.(k8stesting.PatchActionImpl)
		if !ok || pa.GetPatchType() != types.ApplyPatchType {
			return false, nil, nil
		}
		cfg := &unstructured.Unstructured{}
		if err := json.Unmarshal(pa.GetPatch(), &cfg.Object); err != nil {
			return true, nil, err
		}
		integers(cfg.Object)
		gvr, ns, dry := pa.GetResource(), pa.GetNamespace(), len(pa.PatchOptions.DryRun) > 0
		cur, err := tr.Get(gvr, ns, pa.GetName())
		if apierrors.IsNotFound(err) {
			cfg.SetResourceVersion("1")
			if dry {
				return true, cfg, nil
			}
			return true, cfg, tr.Create(gvr, cfg, ns)
		}
		if err != nil {
			return true, nil, err
		}
		old := cur.(*unstructured.Unstructured)
		out := &unstructured.Unstructured{Object: merge(old.DeepCopy().Object, cfg.Object)}
		out.SetResourceVersion(old.GetResourceVersion())
		if reflect.DeepEqual(out.Object, old.Object) {
			return true, old, nil
		}
		var rv int
		fmt.Sscan(old.GetResourceVersion(), &rv)
		out.SetResourceVersion(fmt.Sprint(rv + 1))
		if !dry {
			err = tr.Update(gvr, out, ns)
		}
		return true, out, err
	}
}

// merge lays an apply configuration over an object: maps merge, anything
// else is replaced.
func merge(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

// memRecorder keeps undo payloads and progress in memory. check, when set,
// runs at each Save, before the write the record is for.
type memRecorder struct {
	mu       sync.Mutex
	undo     []json.RawMessage
	progress []runbook.Progress
	check    func(undoRecord)
}

func (r *memRecorder) Progress(p runbook.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, p)
}

func (r *memRecorder) Saved() ([]json.RawMessage, error) { return nil, nil }

func (r *memRecorder) Save(undo json.RawMessage) error {
	// A JSON round trip proves the record stands alone.
	var u undoRecord
	if err := json.Unmarshal(undo, &u); err != nil {
		return err
	}
	if r.check != nil {
		r.check(u)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.undo = append(r.undo, append(json.RawMessage(nil), undo...))
	return nil
}

func (r *memRecorder) messages() string {
	var b strings.Builder
	for _, p := range r.progress {
		fmt.Fprintf(&b, "%d/%d %s\n", p.Done, p.Total, p.Message)
	}
	return b.String()
}

// obj builds an unstructured object from YAML-ish JSON for fixtures.
func obj(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatalf("fixture %s: %v", s, err)
	}
	integers(u.Object)
	return u
}

// integers turns whole float64s into int64s, as the API machinery's JSON
// decoder does for objects read from a server.
func integers(node any) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if f, ok := v.(float64); ok && f == float64(int64(f)) {
				n[k] = int64(f)
				continue
			}
			integers(v)
		}
	case []any:
		for i, v := range n {
			if f, ok := v.(float64); ok && f == float64(int64(f)) {
				n[i] = int64(f)
				continue
			}
			integers(v)
		}
	}
}

// getObj reads an object from a fake, nil when absent.
func getObj(t *testing.T, c *fake.FakeDynamicClient, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := c.Resource(gvr).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// assertNoSecret fails when the seeded value, plain or base64, is in s.
func assertNoSecret(t *testing.T, where, s string) {
	t.Helper()
	for _, v := range []string{seeded, "czNjcjN0LTByZGVycy1QYTU1IQ=="} {
		if strings.Contains(s, v) {
			t.Errorf("%s holds the secret value %q:\n%s", where, v, s)
		}
	}
}
