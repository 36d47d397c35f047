package sandbox

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// SeedNamespaces are the namespaces the scenario fills.
var SeedNamespaces = []string{nsPayments, nsOrders, nsPlatform}

// waitSeedRunning waits until, on both clusters, every seeded workload has
// as many Running pods as it wants.
func (s *Sandbox) waitSeedRunning(ctx context.Context, timeout time.Duration) error {
	for _, side := range Sides() {
		cs, _, err := s.clients(side)
		if err != nil {
			return err
		}
		var last string
		err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
			want, running, err := seedPods(ctx, cs)
			if err != nil {
				last = err.Error()
				return false, nil
			}
			last = fmt.Sprintf("%d of %d pods running", running, want)
			return want > 0 && running >= want, nil
		})
		if err != nil {
			return fmt.Errorf("seeded pods on %s not running after %s: %s", side.Name, timeout, last)
		}
	}
	return nil
}

// seedPods counts desired replicas and Running pods in the seed namespaces.
func seedPods(ctx context.Context, cs kubernetes.Interface) (want, running int, err error) {
	for _, ns := range SeedNamespaces {
		deps, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, 0, err
		}
		for _, d := range deps.Items {
			want += int(ptrOr(d.Spec.Replicas, 1))
		}
		sts, err := cs.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, 0, err
		}
		for _, st := range sts.Items {
			want += int(ptrOr(st.Spec.Replicas, 1))
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, 0, err
		}
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				running++
			}
		}
	}
	return want, running, nil
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
