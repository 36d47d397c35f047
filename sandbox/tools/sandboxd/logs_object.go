package main

import (
	"context"
	"fmt"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
)

// logsGVR is kwok's namespaced Logs resource: one object per pod, named
// like the pod, telling kwok which file serves each container's pods/log.
var logsGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}

const (
	labelManagedBy = "app.kubernetes.io/managed-by"
	managerName    = "ferry-sandboxd"
)

// logsSpec maps every container of the writer's pod to its files.
func logsSpec(w *podWriter) map[string]any {
	var entries []any
	for _, c := range append(append([]*containerLog{}, w.init...), w.main...) {
		e := map[string]any{
			"containers": []any{c.name},
			"logsFile":   c.path,
			"follow":     true,
		}
		if c.prevPath != "" {
			e["previousLogsFile"] = c.prevPath
		}
		entries = append(entries, e)
	}
	return map[string]any{"logs": entries}
}

// podOwner makes the pod own its Logs object, so the garbage collector
// deletes the object with the pod even when this writer is not running.
func podOwner(pod *corev1.Pod) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID}
}

// ensureLogsObject creates or corrects the pod's Logs object. cached is the
// informer's copy (nil when absent); a stale cache shows up as a conflict or
// AlreadyExists, which the informer event that follows will resolve.
func ensureLogsObject(ctx context.Context, dyn dynamic.Interface, cached *unstructured.Unstructured, pod *corev1.Pod, w *podWriter) error {
	client := dyn.Resource(logsGVR).Namespace(pod.Namespace)
	spec := logsSpec(w)
	if cached == nil {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": logsGVR.GroupVersion().String(),
			"kind":       "Logs",
			"spec":       spec,
		}}
		obj.SetNamespace(pod.Namespace)
		obj.SetName(pod.Name)
		obj.SetLabels(map[string]string{labelManagedBy: managerName})
		obj.SetOwnerReferences([]metav1.OwnerReference{podOwner(pod)})
		_, err := client.Create(ctx, obj, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create Logs %s: %w", w.key, err)
		}
		return nil
	}
	if cached.GetDeletionTimestamp() != nil {
		return nil // the delete event re-queues the pod and it is created anew
	}
	if logsObjectCurrent(cached, pod, spec) {
		return nil
	}
	obj := cached.DeepCopy()
	obj.Object["spec"] = spec
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelManagedBy] = managerName
	obj.SetLabels(labels)
	obj.SetOwnerReferences([]metav1.OwnerReference{podOwner(pod)})
	if _, err := client.Update(ctx, obj, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("update Logs %s: %w", w.key, err)
	}
	return nil
}

func logsObjectCurrent(obj *unstructured.Unstructured, pod *corev1.Pod, spec map[string]any) bool {
	refs := obj.GetOwnerReferences()
	return len(refs) == 1 && refs[0] == podOwner(pod) &&
		obj.GetLabels()[labelManagedBy] == managerName &&
		reflect.DeepEqual(obj.Object["spec"], spec)
}

// cachedLogs looks the pod's Logs object up in the informer's store.
func cachedLogs(store cache.Store, key string) (*unstructured.Unstructured, error) {
	item, exists, err := store.GetByKey(key)
	if err != nil || !exists {
		return nil, err
	}
	u, ok := item.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("cache item for Logs %s has type %T", key, item)
	}
	return u, nil
}
