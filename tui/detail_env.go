package tui

import (
	"regexp"
	"slices"

	"charm.land/lipgloss/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// envRow is one environment variable of one container on both sides.
type envRow struct {
	container, name string
	source, target  string // as shown; "" when the side does not set it
	mark            string // as in the diff: " " same, ~ expected, ! drift, < >
}

// secretName matches variable names whose literal values are credentials
// in all but name; they are masked like secretKeyRef values are hidden.
var secretName = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key|credential)`)

const masked = "•••• (masked)"

// envRows lists every container's variables on both sides, source order
// first. The mark compares the source with the mapping applied, so an
// account id the mapping rewrites reads as expected (~), not drift.
func envRows(m rewrite.Mapping, source, target []*unstructured.Unstructured) []envRow {
	srcW, dstW := workloadObject(source), workloadObject(target)
	var mapped *unstructured.Unstructured
	if srcW != nil {
		mapped = rewrite.ApplyToSource(m, srcW)
	}
	src, dst, exp := containerEnv(srcW), containerEnv(dstW), containerEnv(mapped)
	var rows []envRow
	for _, k := range mergeKeys(src.keys, dst.keys) {
		s, inSrc := src.values[k]
		t, inDst := dst.values[k]
		r := envRow{container: k.container, name: k.name, source: s.show, target: t.show}
		switch {
		case !inSrc:
			r.mark = ">"
		case !inDst:
			r.mark = "<"
		case s.raw == t.raw:
			r.mark = " "
		case exp.values[k].raw == t.raw:
			r.mark = "~"
		default:
			r.mark = "!"
		}
		rows = append(rows, r)
	}
	return rows
}

// workloadObject is the service's Deployment, StatefulSet or DaemonSet.
func workloadObject(objs []*unstructured.Unstructured) *unstructured.Unstructured {
	for _, o := range objs {
		switch o.GetKind() {
		case "Deployment", "StatefulSet", "DaemonSet":
			return o
		}
	}
	return nil
}

type envKey struct{ container, name string }

// envVal is a variable's value as compared (raw) and as shown (masked
// when it looks like a credential); only show ever reaches the screen.
type envVal struct{ raw, show string }

type envSet struct {
	keys   []envKey
	values map[envKey]envVal
}

// containerEnv reads the pod template's variables, init containers first
// as they run first. envFrom sources are rows too, named after the source.
func containerEnv(obj *unstructured.Unstructured) envSet {
	set := envSet{values: map[envKey]envVal{}}
	if obj == nil {
		return set
	}
	for _, field := range []string{"initContainers", "containers"} {
		list, _, _ := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", field)
		for _, c := range list {
			cm, _ := c.(map[string]any)
			name, _ := cm["name"].(string)
			if field == "initContainers" {
				name += " (init)"
			}
			set.addContainer(name, cm)
		}
	}
	return set
}

func (set *envSet) addContainer(container string, c map[string]any) {
	env, _ := c["env"].([]any)
	for _, e := range env {
		em, _ := e.(map[string]any)
		name, _ := em["name"].(string)
		set.add(envKey{container, name}, envValue(name, em))
	}
	from, _ := c["envFrom"].([]any)
	for _, f := range from {
		fm, _ := f.(map[string]any)
		prefix, _ := fm["prefix"].(string)
		ref := refName(fm, "configMapRef", "configmap") + refName(fm, "secretRef", "secret")
		set.add(envKey{container, "(envFrom) " + prefix}, envVal{raw: ref, show: ref})
	}
}

func (set *envSet) add(k envKey, v envVal) {
	if _, dup := set.values[k]; !dup {
		set.keys = append(set.keys, k)
	}
	set.values[k] = v
}

// envValue shows a variable: its literal value, or where the value comes
// from. A secretKeyRef shows the reference, never the value, and literal
// values under credential-like names are masked.
func envValue(name string, e map[string]any) envVal {
	if v, ok := e["value"].(string); ok {
		if secretName.MatchString(name) && v != "" {
			return envVal{raw: v, show: masked}
		}
		return envVal{raw: v, show: v}
	}
	ref := valueFrom(e)
	return envVal{raw: ref, show: ref}
}

func valueFrom(e map[string]any) string {
	from, _ := e["valueFrom"].(map[string]any)
	switch {
	case from["secretKeyRef"] != nil:
		return keyRef(from["secretKeyRef"], "secret")
	case from["configMapKeyRef"] != nil:
		return keyRef(from["configMapKeyRef"], "configmap")
	case from["fieldRef"] != nil:
		p, _, _ := unstructured.NestedString(from, "fieldRef", "fieldPath")
		return "field " + p
	case from["resourceFieldRef"] != nil:
		r, _, _ := unstructured.NestedString(from, "resourceFieldRef", "resource")
		return "resource " + r
	}
	return ""
}

func keyRef(ref any, kind string) string {
	m, _ := ref.(map[string]any)
	name, _ := m["name"].(string)
	k, _ := m["key"].(string)
	return kind + "/" + name + " " + k
}

func refName(from map[string]any, field, kind string) string {
	m, ok := from[field].(map[string]any)
	if !ok {
		return ""
	}
	name, _ := m["name"].(string)
	return kind + "/" + name
}

// mergeKeys is a's keys in order, then b's that a lacks.
func mergeKeys(a, b []envKey) []envKey {
	out := slices.Clone(a)
	for _, k := range b {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// envLines renders the variables as a table: marker, container, name, then
// the two sides' values sharing what width is left.
func envLines(rows []envRow, src, dst string, width int, st *styles) []string {
	if len(rows) == 0 {
		return []string{st.dim.Render("no environment variables on either side")}
	}
	cw, nw := len("CONTAINER"), len("NAME")
	for _, r := range rows {
		cw, nw = max(cw, len(r.container)), max(nw, len(r.name))
	}
	cw, nw = min(cw, max(12, width/6)), min(nw, max(16, width/4))
	vw := max(6, (width-2-cw-nw-3)/2)
	lines := []string{"  " + padRight("CONTAINER", cw) + " " + padRight("NAME", nw) + " " +
		padRight(st.source.Render(src), vw) + " " + st.target.Render(dst)}
	for _, r := range rows {
		style := lipgloss.Style{}
		switch r.mark {
		case "!":
			style = st.diffDrift
		case "~":
			style = st.diffExpected
		}
		lines = append(lines, style.Render(r.mark+" "+cell(r.container, cw)+" "+cell(r.name, nw)+" "+
			cell(orDash(r.source), vw)+" "+truncate(orDash(r.target), vw)))
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
