package inventory

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// sideData is everything one side's caches hold, as typed lists. The
// objects are shared with the informer caches: read them, never change them.
type sideData struct {
	synced          bool
	deployments     []*appsv1.Deployment
	statefulSets    []*appsv1.StatefulSet
	daemonSets      []*appsv1.DaemonSet
	replicaSets     []*appsv1.ReplicaSet
	pods            []*corev1.Pod
	services        []*corev1.Service
	ingresses       []*networkingv1.Ingress
	configMaps      []*corev1.ConfigMap
	secrets         []*corev1.Secret
	serviceAccounts []*corev1.ServiceAccount
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	events          []*corev1.Event
}

// readSide lists one side's caches. Listing a cache is a memory read; it
// never calls the apiserver.
func readSide(s *side) sideData {
	f, all := s.factory, labels.Everything()
	d := sideData{synced: s.synced()}
	d.deployments, _ = f.Apps().V1().Deployments().Lister().List(all)
	d.statefulSets, _ = f.Apps().V1().StatefulSets().Lister().List(all)
	d.daemonSets, _ = f.Apps().V1().DaemonSets().Lister().List(all)
	d.replicaSets, _ = f.Apps().V1().ReplicaSets().Lister().List(all)
	d.pods, _ = f.Core().V1().Pods().Lister().List(all)
	d.services, _ = f.Core().V1().Services().Lister().List(all)
	d.ingresses, _ = f.Networking().V1().Ingresses().Lister().List(all)
	d.configMaps, _ = f.Core().V1().ConfigMaps().Lister().List(all)
	d.secrets, _ = f.Core().V1().Secrets().Lister().List(all)
	d.serviceAccounts, _ = f.Core().V1().ServiceAccounts().Lister().List(all)
	d.hpas, _ = f.Autoscaling().V2().HorizontalPodAutoscalers().Lister().List(all)
	d.events, _ = f.Core().V1().Events().Lister().List(all)
	return d
}
