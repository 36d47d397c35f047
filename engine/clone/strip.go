package clone

import (
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// serverMeta is metadata the source's API server or controllers wrote:
// identity, bookkeeping and lifecycle that mean nothing on another cluster.
var serverMeta = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
	"selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers"}

// bookkeeping annotations are written by controllers and kubectl; the
// last-applied copy would also carry a Secret's values and old references.
var bookkeeping = []string{"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/revision", "deprecated.daemonset.template.generation"}

// strip returns a copy of a source object without what the server wrote,
// ready to be mapped and applied to another cluster. Unlike
// rewrite.Normalize it keeps defaults and Secret values: the result is
// applied, not compared.
func strip(o *unstructured.Unstructured) *unstructured.Unstructured {
	out := o.DeepCopy()
	for _, f := range serverMeta {
		unstructured.RemoveNestedField(out.Object, "metadata", f)
	}
	if ann := out.GetAnnotations(); ann != nil {
		for _, k := range bookkeeping {
			delete(ann, k)
		}
		if len(ann) == 0 {
			ann = nil
		}
		out.SetAnnotations(ann)
	}
	unstructured.RemoveNestedField(out.Object, "status")
	unstructured.RemoveNestedField(out.Object, "spec", "template", "metadata", "creationTimestamp")
	switch out.GetKind() {
	case "Service":
		stripService(out)
	case "ServiceAccount":
		// Token Secrets generated on the source do not exist on the target.
		unstructured.RemoveNestedField(out.Object, "secrets")
	}
	rewrite.PruneNil(out.Object)
	return out
}

// stripService drops what the source cluster allocated: addresses (a
// headless "None" is kept, it is a choice) and node ports.
func stripService(o *unstructured.Unstructured) {
	if ip, _, _ := unstructured.NestedString(o.Object, "spec", "clusterIP"); ip != "None" {
		unstructured.RemoveNestedField(o.Object, "spec", "clusterIP")
		unstructured.RemoveNestedField(o.Object, "spec", "clusterIPs")
	}
	for _, f := range []string{"ipFamilies", "ipFamilyPolicy", "healthCheckNodePort"} {
		unstructured.RemoveNestedField(o.Object, "spec", f)
	}
	ports, _, _ := unstructured.NestedSlice(o.Object, "spec", "ports")
	for _, p := range ports {
		if m, ok := p.(map[string]any); ok {
			delete(m, "nodePort")
		}
	}
	if ports != nil {
		_ = unstructured.SetNestedSlice(o.Object, ports, "spec", "ports")
	}
}

// forUndo is a target object as an undo record keeps it: everything a
// rollback needs to put it back, minus identity and bookkeeping the
// server will not take back anyway.
func forUndo(o *unstructured.Unstructured) map[string]any {
	out := o.DeepCopy()
	for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"} {
		unstructured.RemoveNestedField(out.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(out.Object, "status")
	return out.Object
}

// same reports whether two versions of an object mean the same once the
// server's bookkeeping and defaults are set aside (rewrite.Normalize;
// Secrets compare by hash).
func same(a, b *unstructured.Unstructured) bool {
	return reflect.DeepEqual(rewrite.Normalize(a).Object, rewrite.Normalize(b).Object)
}

// render is an object as a change set shows it: normalized, Secret values
// as hashes.
func render(o *unstructured.Unstructured) (string, error) {
	return rewrite.Render(rewrite.Normalize(o))
}

func fromUnstructured(m map[string]any, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, into)
}
