package rewrite

import "strings"

// The actions the normalization table uses.

func drop(_, parent map[string]any, key string) { delete(parent, key) }

// dflt drops a field equal to its API default.
func dflt(v any) action {
	return func(_, parent map[string]any, key string) {
		if same(parent[key], v) {
			delete(parent, key)
		}
	}
}

// keys drops the named keys from the map at the path.
func keys(names ...string) action {
	return func(_, parent map[string]any, key string) {
		m, _ := parent[key].(map[string]any)
		for _, n := range names {
			delete(m, n)
		}
	}
}

// empty drops an empty map or list.
func empty(_, parent map[string]any, key string) {
	switch v := parent[key].(type) {
	case map[string]any:
		if len(v) == 0 {
			delete(parent, key)
		}
	case []any:
		if len(v) == 0 {
			delete(parent, key)
		}
	}
}

// rolling drops an update strategy that is RollingUpdate with every
// parameter at its default (absent parameters count as default).
func rolling(defaults map[string]any) action {
	return func(_, parent map[string]any, key string) {
		s, _ := parent[key].(map[string]any)
		if t, ok := s["type"]; ok && t != "RollingUpdate" {
			return
		}
		ru, _ := s["rollingUpdate"].(map[string]any)
		for k, v := range ru {
			if d, ok := defaults[k]; !ok || !same(v, d) {
				return
			}
		}
		for k := range s {
			if k != "type" && k != "rollingUpdate" {
				return
			}
		}
		delete(parent, key)
	}
}

// ownerRefs drops controller owners (the object was generated, e.g. by a
// Deployment) and every owner's uid, which differs per cluster by design.
func ownerRefs(_, parent map[string]any, key string) {
	refs, _ := parent[key].([]any)
	var kept []any
	for _, r := range refs {
		m, ok := r.(map[string]any)
		if !ok || m["controller"] == true {
			continue
		}
		delete(m, "uid")
		kept = append(kept, m)
	}
	if len(kept) == 0 {
		delete(parent, key)
		return
	}
	parent[key] = kept
}

// legacyTokens drops the "<sa>-token-xxxxx" Secrets that clusters before
// 1.24 (typical KOPS) list on every ServiceAccount and EKS does not.
func legacyTokens(root, parent map[string]any, key string) {
	meta, _ := root["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	list, _ := parent[key].([]any)
	var kept []any
	for _, s := range list {
		m, _ := s.(map[string]any)
		if n, _ := m["name"].(string); strings.HasPrefix(n, name+"-token-") {
			continue
		}
		kept = append(kept, s)
	}
	if len(kept) == 0 {
		delete(parent, key)
		return
	}
	parent[key] = kept
}

// unlessNone drops an allocated cluster IP but keeps "None": headless is a
// choice, not an allocation.
func unlessNone(_, parent map[string]any, key string) {
	if same(parent[key], "None") || same(parent[key], []any{"None"}) {
		return
	}
	delete(parent, key)
}

func saAlias(_, parent map[string]any, key string) {
	if same(parent[key], parent["serviceAccountName"]) {
		delete(parent, key)
	}
}

func pullPolicy(_, parent map[string]any, key string) {
	image, _ := parent["image"].(string)
	if same(parent[key], defaultPullPolicy(image)) {
		delete(parent, key)
	}
}

// defaultPullPolicy is the API server's rule: Always for ":latest" or no
// tag, IfNotPresent for any other tag or a digest.
func defaultPullPolicy(image string) string {
	if strings.Contains(image, "@") {
		return "IfNotPresent"
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, _ := strings.Cut(last, ":")
	if tag == "" || tag == "latest" {
		return "Always"
	}
	return "IfNotPresent"
}

func targetPortIsPort(_, parent map[string]any, key string) {
	if same(parent[key], parent["port"]) {
		delete(parent, key)
	}
}

// classAnnotation moves the deprecated kubernetes.io/ingress.class
// annotation into spec.ingressClassName when the field is unset or equal,
// so an old nginx Ingress and a new alb one are compared on one field.
func classAnnotation(root, parent map[string]any, key string) {
	ann, _ := parent[key].(map[string]any)
	class, ok := ann[ingressClassAnnotation].(string)
	if !ok {
		return
	}
	spec, _ := root["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
		root["spec"] = spec
	}
	if cur, set := spec["ingressClassName"]; set && cur != class {
		return
	}
	spec["ingressClassName"] = class
	delete(ann, ingressClassAnnotation)
}

const ingressClassAnnotation = "kubernetes.io/ingress.class"
