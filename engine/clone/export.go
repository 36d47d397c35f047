package clone

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// item is one object as it should be on the target, and where it lives.
// Secrets hold their (mapped) values: items never leave this package.
type item struct {
	obj *unstructured.Unstructured
	res resource
}

// export is a service read from the source just now.
type export struct {
	source []*unstructured.Unstructured // stripped, before the mapping
	want   []item                       // mapped, the Namespace first, in applyOrder
	red    redactor                     // masks the Secrets' values in messages
}

var pdbGVK = schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}

// export reads the service's objects from the source, live, and turns them
// into what the target should hold.
func (s *serviceStep) export(ctx context.Context) (export, error) {
	listed, err := s.cfg.Objects(ctx)
	if err != nil {
		return export{}, s.fail(redactor{}, "list the service's source objects: %w", err)
	}
	if len(listed) == 0 {
		return export{}, s.fail(redactor{}, "no objects on the source; check the service's name and the plan's namespaces")
	}
	var src []*unstructured.Unstructured
	for _, o := range listed {
		live, err := s.readSource(ctx, o)
		if err != nil {
			return export{}, s.fail(redactor{}, "%w", err)
		}
		src = append(src, strip(live))
	}
	pdbs, err := s.sourcePDBs(ctx, src)
	if err != nil {
		return export{}, s.fail(redactor{}, "%w", err)
	}
	src = append(src, pdbs...)
	ex := export{source: src, red: newRedactor(src)}
	mapped := rewrite.ApplyToService(s.cfg.Mapping, src)
	ex.red = ex.red.with(mapped)
	ex.want, err = s.items(mapped)
	if err != nil {
		return export{}, s.fail(ex.red, "%w", err)
	}
	return ex, nil
}

// items puts the mapped objects into the target namespace, adds the
// Namespace itself, orders them and resolves their resources.
func (s *serviceStep) items(mapped []*unstructured.Unstructured) ([]item, error) {
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
	ns.SetName(s.cfg.Namespace)
	objs := []*unstructured.Unstructured{ns}
	for _, o := range mapped {
		o.SetNamespace(s.cfg.Namespace)
		objs = append(objs, o)
	}
	sortForApply(objs)
	out := make([]item, 0, len(objs))
	for _, o := range objs {
		r, err := s.resourceFor(o.GroupVersionKind())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", describe(o), err)
		}
		out = append(out, item{obj: o, res: r})
	}
	return out, nil
}

// readSource GETs an object from the source, so a stale cache never
// decides what is cloned.
func (s *serviceStep) readSource(ctx context.Context, o *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	r, err := s.resourceFor(o.GroupVersionKind())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", describe(o), err)
	}
	live, err := s.cfg.Source.Resource(r.gvr).Namespace(o.GetNamespace()).Get(ctx, o.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%s was listed but is gone from the source; refresh and plan again", describe(o))
	}
	if err != nil {
		return nil, fmt.Errorf("read %s from the source: %w", describe(o), err)
	}
	live.SetGroupVersionKind(o.GroupVersionKind())
	return live, nil
}

// sourcePDBs finds the PodDisruptionBudgets that select the workload's
// pods; the inventory does not list them.
func (s *serviceStep) sourcePDBs(ctx context.Context, src []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, w := range src {
		if !isWorkload(w.GetKind()) {
			continue
		}
		podLabels, _, _ := unstructured.NestedStringMap(w.Object, "spec", "template", "metadata", "labels")
		r, err := s.resourceFor(pdbGVK)
		if err != nil {
			return nil, err
		}
		list, err := s.cfg.Source.Resource(r.gvr).Namespace(w.GetNamespace()).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list PodDisruptionBudgets in %s on the source: %w", w.GetNamespace(), err)
		}
		for i := range list.Items {
			p := &list.Items[i]
			if selects(p, podLabels) {
				p.SetGroupVersionKind(pdbGVK)
				out = append(out, strip(p))
			}
		}
	}
	return out, nil
}

// selects reports whether a PodDisruptionBudget's selector matches the pod
// labels; an empty or unreadable selector matches nothing, as for a PDB.
func selects(pdb *unstructured.Unstructured, podLabels map[string]string) bool {
	raw, ok, _ := unstructured.NestedMap(pdb.Object, "spec", "selector")
	if !ok || len(raw) == 0 {
		return false
	}
	var sel metav1.LabelSelector
	if err := fromUnstructured(raw, &sel); err != nil {
		return false
	}
	ls, err := metav1.LabelSelectorAsSelector(&sel)
	return err == nil && !ls.Empty() && ls.Matches(labels.Set(podLabels))
}
