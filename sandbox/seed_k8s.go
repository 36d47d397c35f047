package sandbox

import (
	"context"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// SeedFieldManager owns every field the seed sets, so a re-seed after a ferry experiment
// takes back exactly those fields and leaves what others (ferry, controllers) own alone.
const SeedFieldManager = "ferry-sandbox"

// SeedCluster creates or updates the scenario on one cluster by server-side apply, in the
// order ScenarioObjects returns. Applying an unchanged scenario is a no-op on the API
// server, so running it twice changes nothing the second time.
func SeedCluster(ctx context.Context, cs kubernetes.Interface, cluster string) error {
	objs, err := ScenarioObjects(cluster)
	if err != nil {
		return err
	}
	for _, obj := range objs {
		if err := applyObject(ctx, cs, obj); err != nil {
			return fmt.Errorf("seed %s cluster: %w", cluster, err)
		}
	}
	return nil
}

// applyObject sends obj as an apply patch through the typed client of its kind. A patch
// of the typed object's JSON keeps ScenarioObjects the single source of truth; building
// parallel applyconfigurations would duplicate it.
func applyObject(ctx context.Context, cs kubernetes.Interface, obj runtime.Object) error {
	m, err := metaOf(obj)
	if err != nil {
		return err
	}
	body, err := applyBody(obj)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", m.kind, m.name, err)
	}
	if err := patchApply(ctx, cs, obj, m.namespace, m.name, body); err != nil {
		return fmt.Errorf("apply %s %s/%s: %w", m.kind, m.namespace, m.name, err)
	}
	return nil
}

type objMeta struct{ kind, namespace, name string }

func metaOf(obj runtime.Object) (objMeta, error) {
	acc, ok := obj.(metav1.Object)
	if !ok {
		return objMeta{}, fmt.Errorf("seed object %T has no metadata", obj)
	}
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	return objMeta{kind: kind, namespace: acc.GetNamespace(), name: acc.GetName()}, nil
}

// applyBody drops status: it belongs to controllers, and typed status structs serialise
// zero values (a StatefulSet's replicas: 0) that an apply would otherwise claim.
func applyBody(obj runtime.Object) ([]byte, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	delete(fields, "status")
	return json.Marshal(fields)
}

// patchApply dispatches on the seed's kinds; a kind missing here is a programming error
// caught by the tests, which seed every object ScenarioObjects returns.
func patchApply(ctx context.Context, cs kubernetes.Interface, obj runtime.Object, ns, name string, body []byte) error {
	force := true
	opts := metav1.PatchOptions{FieldManager: SeedFieldManager, Force: &force}
	pt := types.ApplyPatchType
	var err error
	switch obj.(type) {
	case *corev1.Namespace:
		_, err = cs.CoreV1().Namespaces().Patch(ctx, name, pt, body, opts)
	case *storagev1.StorageClass:
		_, err = cs.StorageV1().StorageClasses().Patch(ctx, name, pt, body, opts)
	case *networkingv1.IngressClass:
		_, err = cs.NetworkingV1().IngressClasses().Patch(ctx, name, pt, body, opts)
	case *corev1.ServiceAccount:
		_, err = cs.CoreV1().ServiceAccounts(ns).Patch(ctx, name, pt, body, opts)
	case *corev1.ConfigMap:
		_, err = cs.CoreV1().ConfigMaps(ns).Patch(ctx, name, pt, body, opts)
	case *corev1.Secret:
		_, err = cs.CoreV1().Secrets(ns).Patch(ctx, name, pt, body, opts)
	case *corev1.Service:
		_, err = cs.CoreV1().Services(ns).Patch(ctx, name, pt, body, opts)
	case *appsv1.Deployment:
		_, err = cs.AppsV1().Deployments(ns).Patch(ctx, name, pt, body, opts)
	case *appsv1.StatefulSet:
		_, err = cs.AppsV1().StatefulSets(ns).Patch(ctx, name, pt, body, opts)
	case *networkingv1.Ingress:
		_, err = cs.NetworkingV1().Ingresses(ns).Patch(ctx, name, pt, body, opts)
	default:
		err = fmt.Errorf("no apply client for %T", obj)
	}
	return err
}
