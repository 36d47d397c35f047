// Package inventory knows what each service looks like on the source and on
// the target cluster. This first cut lists workloads once; the live,
// informer-backed inventory builds on it.
package inventory

import (
	"context"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Workload is one Deployment or StatefulSet on one side.
type Workload struct {
	Kind    string   `json:"kind"`
	Ready   int32    `json:"ready"`
	Desired int32    `json:"desired"`
	Images  []string `json:"images"`
}

// Pair is a service by namespace/name with what each side runs; a nil side
// means the service is absent there.
type Pair struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	Source    *Workload `json:"source,omitempty"`
	Target    *Workload `json:"target,omitempty"`
}

// List reads the workloads of the namespaces on both clusters once and pairs
// them by namespace/name, sorted.
func List(ctx context.Context, source, target kubernetes.Interface, namespaces []string) ([]Pair, error) {
	pairs := map[string]*Pair{}
	for _, side := range []struct {
		name string
		cs   kubernetes.Interface
		set  func(*Pair, *Workload)
	}{
		{"source", source, func(p *Pair, w *Workload) { p.Source = w }},
		{"target", target, func(p *Pair, w *Workload) { p.Target = w }},
	} {
		for _, ns := range namespaces {
			ws, err := workloads(ctx, side.cs, ns)
			if err != nil {
				return nil, fmt.Errorf("list workloads of %s in namespace %s: %w", side.name, ns, err)
			}
			for name, w := range ws {
				key := ns + "/" + name
				if pairs[key] == nil {
					pairs[key] = &Pair{Namespace: ns, Name: name}
				}
				side.set(pairs[key], w)
			}
		}
	}
	out := make([]Pair, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func workloads(ctx context.Context, cs kubernetes.Interface, ns string) (map[string]*Workload, error) {
	out := map[string]*Workload{}
	deps, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, d := range deps.Items {
		out[d.Name] = fromDeployment(d)
	}
	sts, err := cs.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, s := range sts.Items {
		out[s.Name] = &Workload{Kind: "StatefulSet", Ready: s.Status.ReadyReplicas, Desired: replicas(s.Spec.Replicas), Images: images(s.Spec.Template.Spec)}
	}
	return out, nil
}

func fromDeployment(d appsv1.Deployment) *Workload {
	return &Workload{Kind: "Deployment", Ready: d.Status.ReadyReplicas, Desired: replicas(d.Spec.Replicas), Images: images(d.Spec.Template.Spec)}
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func images(spec corev1.PodSpec) []string {
	var out []string
	for _, c := range spec.Containers {
		out = append(out, c.Image)
	}
	return out
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
