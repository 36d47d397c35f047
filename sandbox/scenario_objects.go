package sandbox

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ALB controller annotations every eks Ingress carries; the rewrite adds them when it maps
// an nginx Ingress to alb, so they are expected differences, not drift.
var albAnnotations = map[string]string{
	"alb.ingress.kubernetes.io/scheme":      "internal",
	"alb.ingress.kubernetes.io/target-type": "ip",
}

func objectMeta(ns, name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels}
}

func seedLabels() map[string]string { return map[string]string{SeedLabel: "true"} }

// appLabels returns a fresh map each call: callers add to it.
func appLabels(name string) map[string]string {
	l := seedLabels()
	l["app.kubernetes.io/name"] = name
	l["app.kubernetes.io/part-of"] = "acme"
	return l
}

func namespaces() []runtime.Object {
	var out []runtime.Object
	for _, ns := range SeedNamespaces {
		out = append(out, &corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: objectMeta("", ns, seedLabels()),
		})
	}
	return out
}

func storageClass(s side) *storagev1.StorageClass {
	sc := &storagev1.StorageClass{
		TypeMeta:    metav1.TypeMeta{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass"},
		ObjectMeta:  objectMeta("", s.storageClass, seedLabels()),
		Provisioner: s.provisioner,
		Parameters:  map[string]string{"type": s.storageClass},
	}
	sc.Annotations = map[string]string{defaultClassAnno: "true"}
	return sc
}

func ingressClass(s side) *networkingv1.IngressClass {
	return &networkingv1.IngressClass{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "IngressClass"},
		ObjectMeta: objectMeta("", s.ingressClass, seedLabels()),
		Spec:       networkingv1.IngressClassSpec{Controller: s.controller},
	}
}

// serviceAccount carries the IRSA role on eks; on kops the role rides on the pod template
// instead (kube2iam), see podAnnotations.
func serviceAccount(s side, sv svc) *corev1.ServiceAccount {
	sa := &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: objectMeta(sv.namespace, sv.name, appLabels(sv.name)),
	}
	if sv.role && s.isEKS() {
		sa.Annotations = map[string]string{irsaAnnotation: s.roleARN(sv.name)}
	}
	return sa
}

// configMaps are identical on both sides except through the mapping, with one exception:
// REFUNDS_QUEUE_URL keeps the old account's queue on eks, the scenario's one wrong reference.
func configMaps() []runtime.Object {
	refunds := configMap(nsPayments, "refund-worker-config", map[string]string{
		"REFUNDS_QUEUE_URL":          kopsSide.queueURL("refunds"),
		"REFUNDS_MAX_MESSAGES":       "10",
		"REFUNDS_VISIBILITY_TIMEOUT": "60",
	})
	flags := configMap(nsPlatform, "feature-flags", map[string]string{
		"flags.yaml": "checkout.fraud-score: false\norders.split-shipments: true\n" +
			"payments.instant-refunds: false\nplatform.new-login: true\n",
	})
	return []runtime.Object{refunds, flags}
}

func configMap(ns, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(ns, name, appLabels(name)),
		Data:       data,
	}
}

func secrets() []runtime.Object {
	return []runtime.Object{&corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: objectMeta(nsOrders, "orders-db", appLabels("orders-api")),
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			"username": []byte("orders"),
			"password": []byte(ordersDBPassword),
		},
	}}
}

// service exposes http on port 80 and metrics on 9090, both targeting the named port.
func service(sv svc) *corev1.Service {
	port := int32(80)
	if sv.port != "http" {
		port = containerPorts[sv.port]
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(sv.namespace, sv.name, appLabels(sv.name)),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector(sv.name),
			Ports: []corev1.ServicePort{{
				Name: sv.port, Port: port, Protocol: corev1.ProtocolTCP,
				TargetPort: intstr.FromString(sv.port),
			}},
		},
	}
}

func ingress(s side, sv svc) *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: objectMeta(sv.namespace, sv.name, appLabels(sv.name)),
		Spec: networkingv1.IngressSpec{
			IngressClassName: &s.ingressClass,
			Rules: []networkingv1.IngressRule{{
				Host: sv.host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path: "/", PathType: &prefix,
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: sv.name, Port: networkingv1.ServiceBackendPort{Name: sv.port},
						}},
					}},
				}},
			}},
		},
	}
	if s.isEKS() {
		ing.Annotations = maps.Clone(albAnnotations)
	}
	return ing
}
