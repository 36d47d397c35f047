package clone

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/ferry-dev/ferry/engine/runbook"
)

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// rollout is a workload's rollout as its status tells it.
type rollout struct {
	done     bool
	desired  int64
	evidence string
}

// rolloutChecks waits (up to RolloutWait) for the workload's rollout on the
// target, then checks its pods.
func (s *serviceStep) rolloutChecks(ctx context.Context, ex export) ([]runbook.Check, error) {
	var w *item
	for i := range ex.want {
		if isWorkload(ex.want[i].obj.GetKind()) {
			w = &ex.want[i]
			break
		}
	}
	if w == nil {
		why := "the service has no Deployment, StatefulSet or DaemonSet"
		return []runbook.Check{{Name: CheckRollout, Evidence: why}, {Name: CheckPods, Evidence: why}}, nil
	}
	var cur *unstructured.Unstructured
	st := rollout{evidence: describe(w.obj) + " is missing on " + s.cfg.TargetLabel}
	poll := func(ctx context.Context) (bool, error) {
		var err error
		if cur, err = s.getTarget(ctx, *w); err != nil || cur == nil {
			return false, err
		}
		st = rolloutOf(cur)
		return st.done, nil
	}
	err := s.waitFor(ctx, poll)
	if err != nil {
		return nil, err
	}
	checks := []runbook.Check{{Name: CheckRollout, OK: st.done, Evidence: describe(w.obj) + ": " + st.evidence}}
	if cur == nil {
		return append(checks, runbook.Check{Name: CheckPods, Evidence: st.evidence}), nil
	}
	pods, err := s.podsCheck(ctx, cur, st.desired)
	return append(checks, pods), err
}

// waitFor polls cond every second for up to RolloutWait (once when it is
// negative). Running out of time is an answer, not an error.
func (s *serviceStep) waitFor(ctx context.Context, cond wait.ConditionWithContextFunc) error {
	if s.cfg.RolloutWait < 0 {
		_, err := cond(ctx)
		return err
	}
	err := wait.PollUntilContextTimeout(ctx, time.Second, s.cfg.RolloutWait, true, cond)
	if err != nil && wait.Interrupted(err) && ctx.Err() == nil {
		return nil
	}
	return err
}

// rolloutOf reads a workload's status the way kubectl rollout status does:
// the controller has seen the latest spec and every desired replica is
// updated, ready and available.
func rolloutOf(o *unstructured.Unstructured) rollout {
	n := func(path ...string) int64 {
		v, _, _ := unstructured.NestedInt64(o.Object, path...)
		return v
	}
	gen, observed := o.GetGeneration(), n("status", "observedGeneration")
	var r rollout
	var fields []string
	if o.GetKind() == "DaemonSet" {
		r.desired = n("status", "desiredNumberScheduled")
		fields = []string{"updatedNumberScheduled", "numberReady", "numberAvailable"}
	} else {
		r.desired = 1
		if v, ok, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); ok {
			r.desired = v
		}
		fields = []string{"replicas", "updatedReplicas", "readyReplicas", "availableReplicas"}
	}
	r.done = observed >= gen
	parts := []string{fmt.Sprintf("generation %d observed %d, desired %d", gen, observed, r.desired)}
	for _, f := range fields {
		v := n("status", f)
		r.done = r.done && v == r.desired
		parts = append(parts, fmt.Sprintf("%s %d", f, v))
	}
	if o.GetKind() == "StatefulSet" {
		cur, _, _ := unstructured.NestedString(o.Object, "status", "currentRevision")
		upd, _, _ := unstructured.NestedString(o.Object, "status", "updateRevision")
		r.done = r.done && cur == upd
		parts = append(parts, fmt.Sprintf("revision %s (update %s)", cur, upd))
	}
	r.evidence = strings.Join(parts, ", ")
	return r
}

// podsCheck counts the workload's ready pods; terminating pods of an old
// revision do not count either way.
func (s *serviceStep) podsCheck(ctx context.Context, w *unstructured.Unstructured, desired int64) (runbook.Check, error) {
	c := runbook.Check{Name: CheckPods}
	raw, _, _ := unstructured.NestedMap(w.Object, "spec", "selector")
	var sel metav1.LabelSelector
	if err := fromUnstructured(raw, &sel); err != nil {
		c.Evidence = fmt.Sprintf("%s has an unreadable selector: %v", describe(w), err)
		return c, nil
	}
	list, err := s.cfg.Target.Resource(podsGVR).Namespace(w.GetNamespace()).List(ctx,
		metav1.ListOptions{LabelSelector: metav1.FormatLabelSelector(&sel)})
	if err != nil {
		return c, fmt.Errorf("list the pods of %s on %s: %w", describe(w), s.cfg.TargetLabel, err)
	}
	var ready, notReady []string
	for _, p := range list.Items {
		if p.GetDeletionTimestamp() != nil {
			continue
		}
		if podReady(&p) {
			ready = append(ready, p.GetName())
		} else {
			notReady = append(notReady, p.GetName())
		}
	}
	c.OK = int64(len(ready)) == desired && len(notReady) == 0
	c.Evidence = fmt.Sprintf("%d/%d pods ready", len(ready), desired)
	if len(ready) > 0 {
		c.Evidence += ": " + strings.Join(ready, ", ")
	}
	if len(notReady) > 0 {
		c.Evidence += "; not ready: " + strings.Join(notReady, ", ")
	}
	return c, nil
}

func podReady(p *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(p.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			return m["status"] == "True"
		}
	}
	return false
}
