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

// kube2iam and kiam put a pod's role in this pod annotation, by name or ARN.
const kube2iamRoleAnno = "iam.amazonaws.com/role"

// usage is what one source workload holds that may name an AWS resource:
// its containers' env values, args and commands, its pod annotations
// (kube2iam), the ConfigMaps its pods read and its ServiceAccount's
// annotations (IRSA). Secrets are not read: init needs no access to them.
type usage struct {
	workload string   // namespace/name
	texts    []string // values to scan for ARNs, URLs, host names and names
	roles    []string // kube2iam/kiam role annotation values
}

// MarkReferences reads the source cluster's workloads (Deployments,
// StatefulSets, DaemonSets, CronJobs) in the namespaces and records on each
// of found's resources the workloads that reference it. A kind whose
// listing failed gets the resources the references name instead, so a
// denied listing still proposes what the services use.
func MarkReferences(ctx context.Context, cs kubernetes.Interface, namespaces []string, found *AWSFound) error {
	us, err := readUsage(ctx, cs, namespaces)
	if err != nil {
		return fmt.Errorf("read the workloads' references: %w", err)
	}
	found.mark(us)
	return nil
}

// readUsage collects each in-scope workload's strings, sorted by workload.
func readUsage(ctx context.Context, cs kubernetes.Interface, namespaces []string) ([]usage, error) {
	inScope := func(ns string) bool { return slices.Contains(namespaces, ns) }
	all := metav1.ListOptions{}
	cms, err := cs.CoreV1().ConfigMaps(metav1.NamespaceAll).List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list configmaps: %w", err)
	}
	sas, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceAll).List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list serviceaccounts: %w", err)
	}
	configMaps, accounts := map[string]map[string]string{}, map[string]map[string]string{}
	for _, cm := range cms.Items {
		configMaps[cm.Namespace+"/"+cm.Name] = cm.Data
	}
	for _, sa := range sas.Items {
		accounts[sa.Namespace+"/"+sa.Name] = sa.Annotations
	}
	templates, err := podTemplates(ctx, cs)
	if err != nil {
		return nil, err
	}
	var out []usage
	for _, t := range templates {
		if !inScope(t.namespace) {
			continue
		}
		u := usage{workload: t.namespace + "/" + t.name}
		u.addPod(t.pod, func(name string) map[string]string { return configMaps[t.namespace+"/"+name] })
		sa := t.pod.Spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		u.texts = appendValues(u.texts, accounts[t.namespace+"/"+sa])
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b usage) int { return strings.Compare(a.workload, b.workload) })
	return out, nil
}

// namedTemplate is a workload's pod template.
type namedTemplate struct {
	namespace, name string
	pod             corev1.PodTemplateSpec
}

// podTemplates are every workload's pod templates, in all namespaces.
func podTemplates(ctx context.Context, cs kubernetes.Interface) ([]namedTemplate, error) {
	all := metav1.ListOptions{}
	var out []namedTemplate
	deps, err := cs.AppsV1().Deployments(metav1.NamespaceAll).List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	for _, o := range deps.Items {
		out = append(out, namedTemplate{o.Namespace, o.Name, o.Spec.Template})
	}
	sts, err := cs.AppsV1().StatefulSets(metav1.NamespaceAll).List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list statefulsets: %w", err)
	}
	for _, o := range sts.Items {
		out = append(out, namedTemplate{o.Namespace, o.Name, o.Spec.Template})
	}
	dss, err := cs.AppsV1().DaemonSets(metav1.NamespaceAll).List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list daemonsets: %w", err)
	}
	for _, o := range dss.Items {
		out = append(out, namedTemplate{o.Namespace, o.Name, o.Spec.Template})
	}
	cjs, err := cs.BatchV1().CronJobs(metav1.NamespaceAll).List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list cronjobs: %w", err)
	}
	for _, o := range cjs.Items {
		out = append(out, namedTemplate{o.Namespace, o.Name, o.Spec.JobTemplate.Spec.Template})
	}
	return out, nil
}

// addPod adds a pod template's env values, args, commands and annotations,
// and the data of the ConfigMaps it reads (configMap looks one up).
func (u *usage) addPod(t corev1.PodTemplateSpec, configMap func(name string) map[string]string) {
	u.texts = appendValues(u.texts, t.Annotations)
	if r := t.Annotations[kube2iamRoleAnno]; r != "" {
		u.roles = append(u.roles, r)
	}
	var cmNames []string
	for _, c := range slices.Concat(t.Spec.InitContainers, t.Spec.Containers) {
		u.texts = append(append(u.texts, c.Command...), c.Args...)
		for _, e := range c.Env {
			u.texts = append(u.texts, e.Value)
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				cmNames = append(cmNames, e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				cmNames = append(cmNames, e.ConfigMapRef.Name)
			}
		}
	}
	for _, v := range t.Spec.Volumes {
		if v.ConfigMap != nil {
			cmNames = append(cmNames, v.ConfigMap.Name)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil {
					cmNames = append(cmNames, s.ConfigMap.Name)
				}
			}
		}
	}
	slices.Sort(cmNames)
	for _, n := range slices.Compact(cmNames) {
		u.texts = appendValues(u.texts, configMap(n))
	}
}

func appendValues(texts []string, m map[string]string) []string {
	for _, v := range m {
		texts = append(texts, v)
	}
	return texts
}

// mark records which workloads reference each resource, and for a kind
// whose listing failed, lists the resources the references name.
func (f *AWSFound) mark(us []usage) {
	scanned := make([]scannedUsage, len(us))
	for i, u := range us {
		scanned[i] = scan(u, f.Account, f.Region)
	}
	for ki := range f.Kinds {
		k := &f.Kinds[ki]
		if k.Err != nil {
			k.Resources = named(k.Key, scanned)
			continue
		}
		for ri := range k.Resources {
			r := &k.Resources[ri]
			for _, s := range scanned {
				if s.references(k.Key, *r) {
					r.UsedBy = append(r.UsedBy, s.workload)
				}
			}
			// Sorted already; two kinds of workload may share a name.
			r.UsedBy = slices.Compact(r.UsedBy)
		}
	}
}

// named lists the resources of a kind that the workloads' references name,
// each with the workloads naming it.
func named(kind string, scanned []scannedUsage) []FoundResource {
	users := map[string][]string{}
	for _, s := range scanned {
		var names []string
		for _, m := range s.mentions {
			if m.kind == kind {
				names = append(names, canonical(kind, m.name))
			}
		}
		if kind == "iam" {
			for _, r := range s.roles {
				if !strings.HasPrefix(r, "arn:") {
					names = append(names, r)
				}
			}
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			users[n] = append(users[n], s.workload)
		}
	}
	var out []FoundResource
	for _, n := range sortedKeys(users) {
		out = append(out, FoundResource{Name: n, Note: "named by a workload; not listed", UsedBy: slices.Compact(users[n])})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
