package rewrite

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Annotations the KOPS -> EKS move rewrites.
const (
	kube2iamAnnotation = "iam.amazonaws.com/role"
	irsaAnnotation     = "eks.amazonaws.com/role-arn"
	storageClassAnnot  = "volume.beta.kubernetes.io/storage-class"
)

// ApplyToSource returns a copy of a source object as it should look on the
// target: registries in images, storage and ingress classes, node
// selectors, namespace, and then, in every string value (ARNs, queue URLs,
// ECR hosts, env values, ConfigMap data, decoded Secret data, annotation
// values), renamed resources and account ids. Object names and the names
// objects use to refer to each other are strings too, so a rename keeps
// them consistent. With m.IRSA the kube2iam pod annotation is removed;
// putting the role on the ServiceAccount needs the workload and the
// ServiceAccount together, which ApplyToService does.
//
// The copy of a Secret holds (rewritten) values: pass it to Normalize
// before it leaves the caller.
func ApplyToSource(m Mapping, obj *unstructured.Unstructured) *unstructured.Unstructured {
	if obj == nil {
		return nil
	}
	out := obj.DeepCopy()
	root, kind := out.Object, out.GetKind()
	if m.IRSA {
		for _, t := range templateMetas(kind) {
			visit(root, root, splitPath(t+".annotations"), keys(kube2iamAnnotation))
		}
	}
	for _, p := range fanOut(podSpecs(kind), "containers[*]", "initContainers[*]", "ephemeralContainers[*]") {
		visit(root, root, splitPath(p+".image"), mapped(func(s string) string { return registry(m, s) }))
	}
	mapClasses(m, root, kind)
	for _, p := range podSpecs(kind) {
		mapNodeSelectors(m, root, p)
	}
	if ns := out.GetNamespace(); m.Namespaces[ns] != "" {
		out.SetNamespace(m.Namespaces[ns])
	}
	rewriteAll(m, root, kind)
	return out
}

func templateMetas(kind string) []string {
	if t := podTemplate(kind); t != "" {
		return []string{t + ".metadata"}
	}
	if kind == "Pod" {
		return []string{"metadata"}
	}
	return nil
}

// mapped is an action that passes a string field through fn.
func mapped(fn func(string) string) action {
	return func(_, parent map[string]any, key string) {
		if s, ok := parent[key].(string); ok {
			parent[key] = fn(s)
		}
	}
}

// mappedFrom is mapped over a lookup table; unknown values stay.
func mappedFrom(table map[string]string) action {
	return mapped(func(s string) string {
		if to, ok := table[s]; ok {
			return to
		}
		return s
	})
}

// registry moves an image to its new registry host; the longest matching
// host wins, so the answer does not depend on map order.
func registry(m Mapping, image string) string {
	best := ""
	for from := range m.Registries {
		if strings.HasPrefix(image, from+"/") && len(from) > len(best) {
			best = from
		}
	}
	if best == "" {
		return image
	}
	return m.Registries[best] + image[len(best):]
}

// mapClasses renames storage classes (claim templates, claims, the beta
// annotation) and ingress classes (field and annotation).
func mapClasses(m Mapping, root map[string]any, kind string) {
	sc, ic := mappedFrom(m.StorageClasses), mappedFrom(m.IngressClasses)
	switch kind {
	case "StatefulSet":
		visit(root, root, splitPath("spec.volumeClaimTemplates[*].spec.storageClassName"), sc)
		visit(root, root, splitPath("spec.volumeClaimTemplates[*].metadata.annotations"), inMap(storageClassAnnot, sc))
	case "PersistentVolumeClaim":
		visit(root, root, splitPath("spec.storageClassName"), sc)
		visit(root, root, splitPath("metadata.annotations"), inMap(storageClassAnnot, sc))
	case "Ingress":
		visit(root, root, splitPath("spec.ingressClassName"), ic)
		visit(root, root, splitPath("metadata.annotations"), inMap(ingressClassAnnotation, ic))
	}
}

// inMap runs act on one key of the map at the path; visit cannot step
// into keys containing dots.
func inMap(key string, act action) action {
	return func(root, parent map[string]any, k string) {
		if inner, ok := parent[k].(map[string]any); ok {
			if _, ok := inner[key]; ok {
				act(root, inner, key)
			}
		}
	}
}

// rewriteAll passes every string value through rewriteString, including
// Secret data, which is decoded for it and encoded again.
func rewriteAll(m Mapping, root map[string]any, kind string) {
	for k, v := range root {
		if kind == "Secret" && k == "data" {
			rewriteSecretData(m, v)
			continue
		}
		root[k] = rewriteValue(m, v)
	}
}

func rewriteValue(m Mapping, v any) any {
	switch x := v.(type) {
	case string:
		return rewriteString(m, x)
	case map[string]any:
		for k, e := range x {
			x[k] = rewriteValue(m, e)
		}
	case []any:
		for i, e := range x {
			x[i] = rewriteValue(m, e)
		}
	}
	return v
}

func rewriteSecretData(m Mapping, v any) {
	data, _ := v.(map[string]any)
	for k, e := range data {
		s, _ := e.(string)
		plain, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			continue
		}
		data[k] = base64.StdEncoding.EncodeToString([]byte(rewriteString(m, string(plain))))
	}
}

// mapNodeSelectors applies each NodeSelectorRule to a pod spec's
// nodeSelector and to node affinity terms that are plain "key In [value]"
// expressions; anything more elaborate is left for the operator to see.
func mapNodeSelectors(m Mapping, root map[string]any, spec string) {
	const na = ".affinity.nodeAffinity."
	for _, r := range m.NodeSelectors {
		visit(root, root, splitPath(spec+".nodeSelector"), selectorRule(r))
		visit(root, root, splitPath(spec+na+"requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[*].matchExpressions"), termRule(r))
		visit(root, root, splitPath(spec+na+"preferredDuringSchedulingIgnoredDuringExecution[*].preference.matchExpressions"), termRule(r))
	}
}

func selectorRule(r NodeSelectorRule) action {
	return func(_, parent map[string]any, key string) {
		sel, _ := parent[key].(map[string]any)
		if sel == nil || len(r.From) == 0 {
			return
		}
		for k, v := range r.From {
			if sel[k] != v {
				return
			}
		}
		for k := range r.From {
			delete(sel, k)
		}
		for k, v := range r.To {
			sel[k] = v
		}
	}
}

func termRule(r NodeSelectorRule) action {
	return func(_, parent map[string]any, key string) {
		exprs, _ := parent[key].([]any)
		var kept []any
		hit := map[string]bool{}
		for _, e := range exprs {
			if k, ok := simpleIn(e); ok && r.From[k] != "" && same(e.(map[string]any)["values"], []any{r.From[k]}) {
				hit[k] = true
				continue
			}
			kept = append(kept, e)
		}
		if len(r.From) == 0 || len(hit) != len(r.From) {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(r.To)) {
			kept = append(kept, map[string]any{"key": k, "operator": "In", "values": []any{r.To[k]}})
		}
		parent[key] = kept
	}
}

// simpleIn returns the key of a "key In [one value]" expression.
func simpleIn(e any) (string, bool) {
	m, _ := e.(map[string]any)
	k, _ := m["key"].(string)
	vals, _ := m["values"].([]any)
	return k, m["operator"] == "In" && len(vals) == 1
}
