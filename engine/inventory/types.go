package inventory

import (
	"time"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// Health is a side's connection state as the inventory sees it.
type Health string

// Connection states of a side.
const (
	HealthConnecting Health = "connecting" // informers not synced yet
	HealthUp         Health = "up"
	HealthDown       Health = "down"      // the apiserver cannot be reached
	HealthForbidden  Health = "forbidden" // reached, but RBAC refuses a list or watch
)

// SideState is one cluster's connection as of a snapshot.
type SideState struct {
	Name   string    `json:"name"` // the plan's label, e.g. "KOPS"
	Health Health    `json:"health"`
	Error  string    `json:"error,omitempty"`
	Since  time.Time `json:"since"` // when Health last changed
}

// Image is one container's image on one side.
type Image struct {
	Container string `json:"container"`
	Ref       string `json:"ref"`              // as in the pod template
	Tag       string `json:"tag,omitempty"`    // from Ref
	Digest    string `json:"digest,omitempty"` // from a running pod's imageID
}

// Event is a recent warning event about the service's objects.
type Event struct {
	Object  string    `json:"object"` // kind/name
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int32     `json:"count"`
	Last    time.Time `json:"last"`
}

// Rollout states of a workload.
const (
	RolloutComplete    = "complete"
	RolloutProgressing = "progressing"
	RolloutStalled     = "stalled"
)

// Workload is what one side runs for a service.
type Workload struct {
	Kind      string  `json:"kind"` // Deployment, StatefulSet or DaemonSet
	Desired   int32   `json:"desired"`
	Ready     int32   `json:"ready"`
	Updated   int32   `json:"updated"`
	Available int32   `json:"available"`
	Images    []Image `json:"images"`
	Restarts  int32   `json:"restarts"`
	// Waiting lists container waiting reasons seen on pods, e.g.
	// CrashLoopBackOff, ImagePullBackOff.
	Waiting  []string `json:"waiting,omitempty"`
	Warnings []Event  `json:"warnings,omitempty"`
	Rollout  string   `json:"rollout"`
	Pods     int      `json:"pods"`
}

// Healthy reports whether every desired replica is ready and no container
// is stuck waiting.
func (w *Workload) Healthy() bool {
	return w != nil && w.Ready >= w.Desired && len(w.Waiting) == 0
}

// Pair states, from the operator's point of view.
const (
	StateOnlySource    = "only-source"
	StateOnlyTarget    = "only-target"
	StateFailingTarget = "failing-target"
	StateFailingSource = "failing-source"
	StateRollingOut    = "rolling-out"
	StateDrifted       = "drifted"
	StateInSync        = "in-sync"
)

// Pair is one service by namespace/name (after the mapping) on both sides.
type Pair struct {
	Namespace  string              `json:"namespace"` // the target's namespace
	Name       string              `json:"name"`
	Source     *Workload           `json:"source,omitempty"`
	Target     *Workload           `json:"target,omitempty"`
	Drift      []rewrite.Finding   `json:"drift,omitempty"`
	References []rewrite.Reference `json:"references,omitempty"`
	State      string              `json:"state"`
}

// Key names a pair: "namespace/name".
func (p Pair) Key() string { return p.Namespace + "/" + p.Name }

// Snapshot is a consistent copy of the inventory. Callers own it.
type Snapshot struct {
	Generation uint64    `json:"generation"`
	Source     SideState `json:"source"`
	Target     SideState `json:"target"`
	Pairs      []Pair    `json:"pairs"`
	Built      time.Time `json:"built"`
}

// Pair looks a service up by "namespace/name".
func (s Snapshot) Pair(key string) (Pair, bool) {
	for _, p := range s.Pairs {
		if p.Key() == key {
			return p, true
		}
	}
	return Pair{}, false
}

// Describe says a pair's state in words with the plan's own side labels,
// as ferry shows it everywhere: "only on KOPS", "failing on EKS", "in sync".
func (p Pair) Describe(src, dst string) string {
	switch p.State {
	case StateOnlySource:
		return "only on " + src
	case StateOnlyTarget:
		return "only on " + dst
	case StateFailingTarget:
		return "failing on " + dst
	case StateFailingSource:
		return "failing on " + src
	case StateRollingOut:
		// The inventory only says rolling out of the target.
		return "rolling out on " + dst
	case StateDrifted:
		return "drifted"
	case StateInSync:
		return "in sync"
	case StateUnknown:
		// A side that has not listed yet: say which, not "only on".
		if p.Target == nil {
			return "unknown on " + dst
		}
		return "unknown on " + src
	}
	return p.State
}
