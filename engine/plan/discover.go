package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Node labels that name a node pool: the KOPS instance group on the source,
// the EKS managed node group on the target. Workloads pinned to one need a
// nodeSelectors rule.
const (
	KopsInstanceGroupLabel = "kops.k8s.io/instancegroup"
	EKSNodeGroupLabel      = "eks.amazonaws.com/nodegroup"
)

// Annotations that mark a cluster's default classes.
const (
	defaultStorageClassAnno     = "storageclass.kubernetes.io/is-default-class"
	betaDefaultStorageClassAnno = "storageclass.beta.kubernetes.io/is-default-class"
	defaultIngressClassAnno     = "ingressclass.kubernetes.io/is-default-class"
)

// Discovery is what `ferry init` learns from both clusters to propose a
// starter plan. Every list is sorted, so the plan it renders is stable.
type Discovery struct {
	// Namespaces on the source holding Deployments or StatefulSets,
	// kube-* excluded.
	Namespaces []string
	// Registries are the image registry hosts the source's workloads pull from.
	Registries []string
	Source     ClusterFacts
	Target     ClusterFacts
}

// ClusterFacts is one cluster's side of the mapping table.
type ClusterFacts struct {
	StorageClasses      []string
	DefaultStorageClass string // the annotated default, or the only class
	IngressClasses      []string
	DefaultIngressClass string
	// NodeGroupLabel is the node pool label looked for (KOPS instance group
	// on the source, EKS node group on the target), NodeGroups its values.
	NodeGroupLabel string
	NodeGroups     []string
}

// Discover reads both clusters: workloads' namespaces and registries on the
// source; classes and node pools on each side.
func Discover(ctx context.Context, src, dst kubernetes.Interface) (Discovery, error) {
	var d Discovery
	var err error
	if d.Namespaces, d.Registries, err = workloads(ctx, src); err != nil {
		return d, fmt.Errorf("source: %w", err)
	}
	if d.Source, err = clusterFacts(ctx, src, KopsInstanceGroupLabel); err != nil {
		return d, fmt.Errorf("source: %w", err)
	}
	if d.Target, err = clusterFacts(ctx, dst, EKSNodeGroupLabel); err != nil {
		return d, fmt.Errorf("target: %w", err)
	}
	return d, nil
}

// workloads lists Deployments and StatefulSets in every namespace: their
// namespaces are the candidates to migrate, their images name the registries.
func workloads(ctx context.Context, cs kubernetes.Interface) (namespaces, registries []string, err error) {
	deps, err := cs.AppsV1().Deployments(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("list deployments: %w", err)
	}
	sts, err := cs.AppsV1().StatefulSets(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("list statefulsets: %w", err)
	}
	nsSet, regSet := set{}, set{}
	add := func(ns string, images []string) {
		if strings.HasPrefix(ns, "kube-") {
			return
		}
		nsSet.add(ns)
		for _, img := range images {
			regSet.add(registryOf(img))
		}
	}
	for _, d := range deps.Items {
		add(d.Namespace, podImages(d.Spec.Template.Spec.InitContainers, d.Spec.Template.Spec.Containers))
	}
	for _, s := range sts.Items {
		add(s.Namespace, podImages(s.Spec.Template.Spec.InitContainers, s.Spec.Template.Spec.Containers))
	}
	delete(regSet, "")
	return nsSet.sorted(), regSet.sorted(), nil
}

// registryOf returns an image reference's registry host, or "" for Docker
// Hub's short names (nginx, library/nginx), which no account owns.
func registryOf(image string) string {
	host, _, found := strings.Cut(image, "/")
	if !found || !strings.ContainsAny(host, ".:") && host != "localhost" {
		return ""
	}
	return host
}

func clusterFacts(ctx context.Context, cs kubernetes.Interface, nodeLabel string) (ClusterFacts, error) {
	f := ClusterFacts{NodeGroupLabel: nodeLabel}
	scs, err := cs.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return f, fmt.Errorf("list storage classes: %w", err)
	}
	for _, sc := range scs.Items {
		f.StorageClasses = append(f.StorageClasses, sc.Name)
		if sc.Annotations[defaultStorageClassAnno] == "true" || sc.Annotations[betaDefaultStorageClassAnno] == "true" {
			f.DefaultStorageClass = sc.Name
		}
	}
	ics, err := cs.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return f, fmt.Errorf("list ingress classes: %w", err)
	}
	for _, ic := range ics.Items {
		f.IngressClasses = append(f.IngressClasses, ic.Name)
		if ic.Annotations[defaultIngressClassAnno] == "true" {
			f.DefaultIngressClass = ic.Name
		}
	}
	slices.Sort(f.StorageClasses)
	slices.Sort(f.IngressClasses)
	f.DefaultStorageClass = orOnly(f.DefaultStorageClass, f.StorageClasses)
	f.DefaultIngressClass = orOnly(f.DefaultIngressClass, f.IngressClasses)
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: nodeLabel})
	if err != nil {
		return f, fmt.Errorf("list nodes: %w", err)
	}
	groups := set{}
	for _, n := range nodes.Items {
		if v, ok := n.Labels[nodeLabel]; ok {
			groups.add(v)
		}
	}
	f.NodeGroups = groups.sorted()
	return f, nil
}

// orOnly is the default class if one is marked, else the only class there
// is: a cluster with one class uses it whether or not it says so.
func orOnly(def string, all []string) string {
	if def == "" && len(all) == 1 {
		return all[0]
	}
	return def
}

func podImages(lists ...[]corev1.Container) []string {
	var out []string
	for _, l := range lists {
		for _, c := range l {
			out = append(out, c.Image)
		}
	}
	return out
}

type set map[string]struct{}

func (s set) add(v string) { s[v] = struct{}{} }

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for v := range s {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}
