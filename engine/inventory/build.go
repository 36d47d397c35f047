package inventory

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StateUnknown marks a pair whose other side has not been listed yet (down
// since ferry started), so "only on" would be a guess.
const StateUnknown = "unknown"

// indexed is one side's workloads with the pods and warning events that
// belong to each, keyed "namespace/name" in the target's namespaces.
type indexed struct {
	synced bool
	units  map[string]unit
	pods   map[string][]*corev1.Pod
	events map[string][]*corev1.Event
	data   sideData
}

// index groups a side's objects by workload. mapNS turns the side's
// namespace into the target's (identity on the target side).
func index(d sideData, inScope func(string) bool, mapNS func(string) string, now time.Time, window time.Duration) indexed {
	ix := indexed{synced: d.synced, units: map[string]unit{}, pods: map[string][]*corev1.Pod{}, events: map[string][]*corev1.Event{}, data: d}
	for _, u := range units(d, inScope) {
		ix.units[mapNS(u.namespace)+"/"+u.name] = u
	}
	rsOwner := map[string]string{} // ns/rs -> deployment name
	for _, rs := range d.replicaSets {
		if o := controller(rs.OwnerReferences); o != "" {
			rsOwner[rs.Namespace+"/"+rs.Name] = o
		}
	}
	podOwner := map[string]string{} // ns/pod -> key
	for _, p := range d.pods {
		if !inScope(p.Namespace) {
			continue
		}
		owner := controller(p.OwnerReferences)
		if dep, ok := rsOwner[p.Namespace+"/"+owner]; ok {
			owner = dep
		}
		key := mapNS(p.Namespace) + "/" + owner
		if _, ok := ix.units[key]; ok {
			ix.pods[key] = append(ix.pods[key], p)
			podOwner[p.Namespace+"/"+p.Name] = key
		}
	}
	for _, e := range d.events {
		if e.Type != corev1.EventTypeWarning || !inScope(e.Namespace) || now.Sub(eventTime(e)) > window {
			continue
		}
		if key := eventOwner(e, ix.units, rsOwner, podOwner, mapNS); key != "" {
			ix.events[key] = append(ix.events[key], e)
		}
	}
	return ix
}

func eventOwner(e *corev1.Event, units map[string]unit, rsOwner, podOwner map[string]string, mapNS func(string) string) string {
	ns, name := e.InvolvedObject.Namespace, e.InvolvedObject.Name
	if ns == "" {
		ns = e.Namespace
	}
	switch e.InvolvedObject.Kind {
	case "Pod":
		return podOwner[ns+"/"+name]
	case "ReplicaSet":
		name = rsOwner[ns+"/"+name]
	case "Deployment", "StatefulSet", "DaemonSet", "HorizontalPodAutoscaler":
	default:
		return ""
	}
	key := mapNS(ns) + "/" + name
	if _, ok := units[key]; ok {
		return key
	}
	return ""
}

func controller(refs []metav1.OwnerReference) string {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return r.Name
		}
	}
	return ""
}

// buildPairs joins both sides by key and fills in health, drift and
// references; pairs whose objects did not change come from the cache, the
// others are compared at once, in parallel.
func buildPairs(src, dst sideData, cfg Config, pc *pairCache, now time.Time) []Pair {
	scope := map[string]bool{}
	targetScope := map[string]bool{}
	for _, ns := range cfg.Namespaces {
		scope[ns] = true
		targetScope[mapNamespace(cfg, ns)] = true
	}
	s := index(src, func(ns string) bool { return scope[ns] }, func(ns string) string { return mapNamespace(cfg, ns) }, now, cfg.WarningWindow)
	t := index(dst, func(ns string) bool { return targetScope[ns] }, func(ns string) string { return ns }, now, cfg.WarningWindow)
	keys := map[string]bool{}
	for k := range s.units {
		keys[k] = true
	}
	for k := range t.units {
		keys[k] = true
	}
	pairs := make([]Pair, 0, len(keys))
	var todo []comparison
	var at []int // todo[i] is for pairs[at[i]]
	for k := range keys {
		p, c := pairFor(k, s, t, cfg)
		if e, ok := pc.lookup(c); ok {
			p.Drift, p.References = e.drift, e.refs
		} else {
			todo, at = append(todo, c), append(at, len(pairs))
		}
		pairs = append(pairs, p)
	}
	pc.compareAll(cfg, todo)
	for i, c := range todo {
		pairs[at[i]].Drift, pairs[at[i]].References = c.entry.drift, c.entry.refs
	}
	for i := range pairs {
		pairs[i].State = pairState(pairs[i], s.synced, t.synced)
	}
	pc.keep(keys)
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].Key() < pairs[j].Key() })
	return pairs
}

// pairFor fills in a pair's workloads and says what to compare for its
// drift and references.
func pairFor(key string, s, t indexed, cfg Config) (Pair, comparison) {
	su, inS := s.units[key]
	tu, inT := t.units[key]
	p := Pair{Namespace: tu.namespace, Name: tu.name}
	if !inT {
		p.Namespace, p.Name = mapNamespace(cfg, su.namespace), su.name
	}
	c := comparison{key: key, both: inS && inT}
	if inS {
		p.Source = workloadState(su, s.pods[key], s.events[key])
		c.src = relatedObjects(su, s.data)
	}
	if inT {
		p.Target = workloadState(tu, t.pods[key], t.events[key])
		c.dst = relatedObjects(tu, t.data)
	}
	return p, c
}

func pairState(p Pair, srcSynced, dstSynced bool) string {
	switch {
	case p.Target == nil && !dstSynced, p.Source == nil && !srcSynced:
		return StateUnknown
	case p.Target == nil:
		return StateOnlySource
	case p.Source == nil:
		return StateOnlyTarget
	case len(p.Target.Waiting) > 0 || p.Target.Rollout == RolloutStalled:
		return StateFailingTarget
	case p.Target.Rollout == RolloutProgressing:
		return StateRollingOut
	case !p.Source.Healthy():
		return StateFailingSource
	case len(p.Drift) > 0:
		return StateDrifted
	}
	return StateInSync
}

func mapNamespace(cfg Config, ns string) string {
	if to, ok := cfg.Mapping.Namespaces[ns]; ok && to != "" {
		return to
	}
	return ns
}

// selects reports whether a Service's selector picks the unit's pods: every
// key of a non-empty selector with the same value. It runs for every
// Service and workload of a namespace, so it compares the maps directly
// instead of building a labels.Selector each time.
func selects(sel map[string]string, podLabels map[string]string) bool {
	for k, v := range sel {
		if got, ok := podLabels[k]; !ok || got != v {
			return false
		}
	}
	return len(sel) > 0
}
