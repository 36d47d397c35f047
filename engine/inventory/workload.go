package inventory

import (
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// unit is one workload and its pod template, whatever its kind.
type unit struct {
	kind      string
	namespace string
	name      string
	obj       runtime.Object
	meta      metav1.Object
	template  *corev1.PodTemplateSpec // the cache object's: read only
	desired   int32
	status    appsv1.DeploymentStatus // the fields all three kinds share, copied
	rollout   string
}

// units lists a side's workloads in the given namespaces.
func units(d sideData, inScope func(string) bool) []unit {
	var out []unit
	for _, o := range d.deployments {
		if inScope(o.Namespace) {
			out = append(out, deploymentUnit(o))
		}
	}
	for _, o := range d.statefulSets {
		if inScope(o.Namespace) {
			u := unit{kind: "StatefulSet", namespace: o.Namespace, name: o.Name, obj: o, meta: o, template: &o.Spec.Template, desired: replicas(o.Spec.Replicas)}
			u.status = appsv1.DeploymentStatus{Replicas: o.Status.Replicas, ReadyReplicas: o.Status.ReadyReplicas,
				UpdatedReplicas: o.Status.UpdatedReplicas, AvailableReplicas: o.Status.AvailableReplicas}
			u.rollout = simpleRollout(o.Generation, o.Status.ObservedGeneration, u.desired, o.Status.UpdatedReplicas, o.Status.ReadyReplicas)
			out = append(out, u)
		}
	}
	for _, o := range d.daemonSets {
		if inScope(o.Namespace) {
			u := unit{kind: "DaemonSet", namespace: o.Namespace, name: o.Name, obj: o, meta: o, template: &o.Spec.Template, desired: o.Status.DesiredNumberScheduled}
			u.status = appsv1.DeploymentStatus{Replicas: o.Status.CurrentNumberScheduled, ReadyReplicas: o.Status.NumberReady,
				UpdatedReplicas: o.Status.UpdatedNumberScheduled, AvailableReplicas: o.Status.NumberAvailable}
			u.rollout = simpleRollout(o.Generation, o.Status.ObservedGeneration, u.desired, o.Status.UpdatedNumberScheduled, o.Status.NumberReady)
			out = append(out, u)
		}
	}
	return out
}

func deploymentUnit(o *appsv1.Deployment) unit {
	u := unit{kind: "Deployment", namespace: o.Namespace, name: o.Name, obj: o, meta: o, template: &o.Spec.Template,
		desired: replicas(o.Spec.Replicas), status: o.Status}
	u.rollout = simpleRollout(o.Generation, o.Status.ObservedGeneration, u.desired, o.Status.UpdatedReplicas, o.Status.AvailableReplicas)
	for _, c := range o.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			u.rollout = RolloutStalled
		}
	}
	return u
}

func simpleRollout(gen, observed int64, desired, updated, ready int32) string {
	if observed < gen || updated < desired || ready < desired {
		return RolloutProgressing
	}
	return RolloutComplete
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// workloadState summarises a unit with its pods and warning events.
func workloadState(u unit, pods []*corev1.Pod, events []*corev1.Event) *Workload {
	w := &Workload{
		Kind: u.kind, Desired: u.desired, Ready: u.status.ReadyReplicas, Updated: u.status.UpdatedReplicas,
		Available: u.status.AvailableReplicas, Rollout: u.rollout, Pods: len(pods),
	}
	digests := map[string]string{}
	waiting := map[string]bool{}
	for _, p := range pods {
		for _, statuses := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
			for i := range statuses {
				cs := &statuses[i] // a status is large: no copy per rebuild
				w.Restarts += cs.RestartCount
				if i := strings.Index(cs.ImageID, "@sha256:"); i >= 0 {
					digests[cs.Name] = cs.ImageID[i+1:]
				}
				if cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "ContainerCreating" && cs.State.Waiting.Reason != "PodInitializing" {
					waiting[cs.State.Waiting.Reason] = true
				}
			}
		}
	}
	for i := range u.template.Spec.Containers {
		c := &u.template.Spec.Containers[i]
		w.Images = append(w.Images, Image{Container: c.Name, Ref: c.Image, Tag: Tag(c.Image), Digest: digests[c.Name]})
	}
	for r := range waiting {
		w.Waiting = append(w.Waiting, r)
	}
	sort.Strings(w.Waiting)
	w.Warnings = warnings(events)
	return w
}

// warnings turns events into the newest-first list the UI shows.
func warnings(events []*corev1.Event) []Event {
	var out []Event
	for _, e := range events {
		out = append(out, Event{Object: e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name, Reason: e.Reason,
			Message: e.Message, Count: max(e.Count, 1), Last: eventTime(e)})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Last.Equal(out[j].Last) {
			return out[i].Last.After(out[j].Last)
		}
		return out[i].Object+out[i].Reason < out[j].Object+out[j].Reason
	})
	return out
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// Tag returns the tag of an image reference ("" when it has none).
func Tag(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	slash := strings.LastIndexByte(image, '/')
	if colon := strings.LastIndexByte(image, ':'); colon > slash {
		return image[colon+1:]
	}
	return ""
}
