package inventory

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// related is one object that belongs to a service on one side.
type related struct {
	gvk  schema.GroupVersionKind
	name string
	rv   string
	obj  runtime.Object
}

var (
	gvkService        = schema.GroupVersionKind{Version: "v1", Kind: "Service"}
	gvkConfigMap      = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	gvkSecret         = schema.GroupVersionKind{Version: "v1", Kind: "Secret"}
	gvkServiceAccount = schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}
	gvkIngress        = schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"}
	gvkHPA            = schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}
)

func gvkApps(kind string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: kind}
}

// relatedObjects collects a service's objects on one side: the workload,
// the Services selecting its pods and the Ingresses routing to them, the
// ConfigMaps and Secrets its pods read, its ServiceAccount and its HPA.
func relatedObjects(u unit, d sideData) []related {
	out := []related{{gvk: gvkApps(u.kind), name: u.name, rv: u.meta.GetResourceVersion(), obj: u.obj}}
	svcNames := map[string]bool{}
	for _, s := range d.services {
		if s.Namespace == u.namespace && selects(s.Spec.Selector, u.template.Labels) {
			svcNames[s.Name] = true
			out = append(out, related{gvkService, s.Name, s.ResourceVersion, s})
		}
	}
	for _, ing := range d.ingresses {
		if ing.Namespace == u.namespace && ingressRoutesTo(ing.Spec, svcNames) {
			out = append(out, related{gvkIngress, ing.Name, ing.ResourceVersion, ing})
		}
	}
	cms, secrets := podRefs(&u.template.Spec)
	for _, cm := range d.configMaps {
		if cm.Namespace == u.namespace && cms[cm.Name] {
			out = append(out, related{gvkConfigMap, cm.Name, cm.ResourceVersion, cm})
		}
	}
	for _, s := range d.secrets {
		if s.Namespace == u.namespace && secrets[s.Name] {
			out = append(out, related{gvkSecret, s.Name, s.ResourceVersion, s})
		}
	}
	sa := u.template.Spec.ServiceAccountName
	for _, s := range d.serviceAccounts {
		if s.Namespace == u.namespace && s.Name == sa && sa != "" && sa != "default" {
			out = append(out, related{gvkServiceAccount, s.Name, s.ResourceVersion, s})
		}
	}
	for _, h := range d.hpas {
		if h.Namespace == u.namespace && h.Spec.ScaleTargetRef.Kind == u.kind && h.Spec.ScaleTargetRef.Name == u.name {
			out = append(out, related{gvkHPA, h.Name, h.ResourceVersion, h})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].gvk.Kind != out[j].gvk.Kind {
			return out[i].gvk.Kind < out[j].gvk.Kind
		}
		return out[i].name < out[j].name
	})
	return out
}

func ingressRoutesTo(spec networkingv1.IngressSpec, svcs map[string]bool) bool {
	if b := spec.DefaultBackend; b != nil && b.Service != nil && svcs[b.Service.Name] {
		return true
	}
	for _, r := range spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			if p.Backend.Service != nil && svcs[p.Backend.Service.Name] {
				return true
			}
		}
	}
	return false
}

// podRefs lists the ConfigMaps and Secrets a pod spec reads, through env,
// envFrom, volumes and projected volumes.
func podRefs(spec *corev1.PodSpec) (configMaps, secrets map[string]bool) {
	configMaps, secrets = map[string]bool{}, map[string]bool{}
	for _, containers := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range containers {
			c := &containers[i] // a container is large: no copy per rebuild
			for _, e := range c.EnvFrom {
				if e.ConfigMapRef != nil {
					configMaps[e.ConfigMapRef.Name] = true
				}
				if e.SecretRef != nil {
					secrets[e.SecretRef.Name] = true
				}
			}
			for _, e := range c.Env {
				if v := e.ValueFrom; v != nil && v.ConfigMapKeyRef != nil {
					configMaps[v.ConfigMapKeyRef.Name] = true
				}
				if v := e.ValueFrom; v != nil && v.SecretKeyRef != nil {
					secrets[v.SecretKeyRef.Name] = true
				}
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			configMaps[v.ConfigMap.Name] = true
		}
		if v.Secret != nil {
			secrets[v.Secret.SecretName] = true
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ConfigMap != nil {
					configMaps[src.ConfigMap.Name] = true
				}
				if src.Secret != nil {
					secrets[src.Secret.Name] = true
				}
			}
		}
	}
	return configMaps, secrets
}

// withoutStatus returns a shallow copy of a related object with its status
// left out, for the diff; objects without status come back as they are.
// The copy shares everything else with the cache object: read it only.
func withoutStatus(obj runtime.Object) runtime.Object {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return copied(o, func(c *appsv1.Deployment) { c.Status = appsv1.DeploymentStatus{} })
	case *appsv1.StatefulSet:
		return copied(o, func(c *appsv1.StatefulSet) { c.Status = appsv1.StatefulSetStatus{} })
	case *appsv1.DaemonSet:
		return copied(o, func(c *appsv1.DaemonSet) { c.Status = appsv1.DaemonSetStatus{} })
	case *corev1.Service:
		return copied(o, func(c *corev1.Service) { c.Status = corev1.ServiceStatus{} })
	case *networkingv1.Ingress:
		return copied(o, func(c *networkingv1.Ingress) { c.Status = networkingv1.IngressStatus{} })
	case *autoscalingv2.HorizontalPodAutoscaler:
		return copied(o, func(c *autoscalingv2.HorizontalPodAutoscaler) {
			c.Status = autoscalingv2.HorizontalPodAutoscalerStatus{}
		})
	}
	return obj
}

// copied is a shallow copy of o, edited.
func copied[T any, P interface {
	*T
	runtime.Object
}](o P, edit func(P)) runtime.Object {
	c := *o
	edit(&c)
	return P(&c)
}
