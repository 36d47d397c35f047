package logs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// Selector chooses the containers to stream on one cluster. Zero fields
// select everything: all namespaces, pods, containers and states.
type Selector struct {
	Namespaces     []string        // empty: all namespaces
	LabelSelector  labels.Selector // nil: every pod
	Owner          *Owner          // a workload whose pod selector is added to LabelSelector
	PodRegex       *regexp.Regexp
	ContainerRegex *regexp.Regexp
	Init           bool     // include init containers
	Ephemeral      bool     // include ephemeral (debug) containers
	States         []string // "running", "waiting", "terminated"; empty: all
	Previous       bool     // the previous (crashed) run's log; never follows
	Since          time.Duration
	Tail           int64 // last N lines of history per container; 0: all
}

// Owner names a workload, e.g. deployment/checkout-api.
type Owner struct{ Kind, Name string }

// ParseOwner parses "kind/name" with kubectl's short kinds (deploy, sts,
// ds, rs, job).
func ParseOwner(s string) (*Owner, error) {
	kind, name, ok := strings.Cut(s, "/")
	if !ok || name == "" {
		return nil, fmt.Errorf("owner %q: want kind/name, e.g. deployment/checkout-api", s)
	}
	switch strings.ToLower(kind) {
	case "deployment", "deployments", "deploy":
		kind = "deployment"
	case "statefulset", "statefulsets", "sts":
		kind = "statefulset"
	case "daemonset", "daemonsets", "ds":
		kind = "daemonset"
	case "replicaset", "replicasets", "rs":
		kind = "replicaset"
	case "job", "jobs":
		kind = "job"
	default:
		return nil, fmt.Errorf("owner %q: kind %q is not one of deployment, statefulset, daemonset, replicaset, job", s, kind)
	}
	return &Owner{Kind: kind, Name: name}, nil
}

// resolve turns Owner into a label selector merged into LabelSelector.
// An owner needs exactly one namespace to be found in.
func (sel Selector) resolve(ctx context.Context, cs kubernetes.Interface) (Selector, error) {
	if sel.Owner == nil {
		return sel, nil
	}
	if len(sel.Namespaces) != 1 {
		return sel, fmt.Errorf("owner %s/%s: give exactly one namespace", sel.Owner.Kind, sel.Owner.Name)
	}
	ns, name := sel.Namespaces[0], sel.Owner.Name
	var ls *metav1.LabelSelector
	var err error
	apps := cs.AppsV1()
	switch sel.Owner.Kind {
	case "deployment":
		d, e := apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			ls = d.Spec.Selector
		}
	case "statefulset":
		s, e := apps.StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			ls = s.Spec.Selector
		}
	case "daemonset":
		d, e := apps.DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			ls = d.Spec.Selector
		}
	case "replicaset":
		r, e := apps.ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			ls = r.Spec.Selector
		}
	case "job":
		j, e := cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err = e; err == nil {
			ls = j.Spec.Selector
		}
	}
	if err != nil {
		return sel, fmt.Errorf("owner %s/%s in %s: %w", sel.Owner.Kind, name, ns, err)
	}
	owned, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return sel, fmt.Errorf("owner %s/%s selector: %w", sel.Owner.Kind, name, err)
	}
	if sel.LabelSelector != nil {
		reqs, _ := sel.LabelSelector.Requirements()
		owned = owned.Add(reqs...)
	}
	sel.LabelSelector = owned
	return sel, nil
}

// containers returns the pod's containers this selector streams: matching
// name and state, and with a container ID — no ID, no log yet.
func (sel Selector) containers(pod *corev1.Pod) []string {
	if sel.PodRegex != nil && !sel.PodRegex.MatchString(pod.Name) {
		return nil
	}
	statuses := slices.Clone(pod.Status.ContainerStatuses)
	if sel.Init {
		statuses = append(statuses, pod.Status.InitContainerStatuses...)
	}
	if sel.Ephemeral {
		statuses = append(statuses, pod.Status.EphemeralContainerStatuses...)
	}
	var out []string
	for _, st := range statuses {
		if sel.ContainerRegex != nil && !sel.ContainerRegex.MatchString(st.Name) {
			continue
		}
		if !sel.stateOK(st) {
			continue
		}
		id := st.ContainerID
		if sel.Previous {
			id = ""
			if t := st.LastTerminationState.Terminated; t != nil {
				id = t.ContainerID
			}
		}
		if id != "" {
			out = append(out, st.Name)
		}
	}
	return out
}

func (sel Selector) stateOK(st corev1.ContainerStatus) bool {
	if len(sel.States) == 0 {
		return true
	}
	var s string
	switch {
	case st.State.Running != nil:
		s = "running"
	case st.State.Terminated != nil:
		s = "terminated"
	default:
		s = "waiting"
	}
	return slices.Contains(sel.States, s)
}
