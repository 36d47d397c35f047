package sandbox

import (
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestScenarioSecret(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			objs := mustObjects(t, cluster)
			s, ok := find(objs, "Secret", nsOrders, "orders-db").(*corev1.Secret)
			if !ok || string(s.Data["password"]) != "s3cr3t-0rders-Pa55!" {
				t.Fatalf("orders/orders-db password missing or wrong")
			}
			pt := podTemplateOf(find(objs, "Deployment", nsOrders, "orders-api"))
			var ref *corev1.SecretKeySelector
			for _, e := range pt.Spec.Containers[0].Env {
				if e.Name == "DB_PASSWORD" && e.ValueFrom != nil {
					ref = e.ValueFrom.SecretKeyRef
				}
			}
			if ref == nil || ref.Name != "orders-db" || ref.Key != "password" {
				t.Errorf("orders-api DB_PASSWORD does not read the secret: %+v", ref)
			}
		})
	}
}

// TestScenarioCrashloop: only eks fulfillment-worker carries the KWOK crashloop label and
// the crashloop log profile.
func TestScenarioCrashloop(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			for _, o := range mustObjects(t, cluster) {
				pt := podTemplateOf(o)
				if pt == nil {
					continue
				}
				m, _ := meta.Accessor(o)
				want := cluster == ClusterEKS && m.GetName() == "fulfillment-worker"
				if got := pt.Labels[BehaviorLabel] == "crashloop"; got != want {
					t.Errorf("%s: crashloop label %v, want %v", m.GetName(), got, want)
				}
				if got := pt.Annotations[LogsAnnotation] == "crashloop"; got != want {
					t.Errorf("%s: crashloop log profile %v, want %v", m.GetName(), got, want)
				}
			}
		})
	}
}

// TestScenarioPodTemplates checks what the sandbox's single node, KWOK and the log writer
// rely on: labels, node selector, resources, images, log annotations, service accounts.
func TestScenarioPodTemplates(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			s, _ := sideFor(cluster)
			objs := mustObjects(t, cluster)
			pods, inits := 0, 0
			for _, o := range objs {
				if pt := podTemplateOf(o); pt != nil {
					m, _ := meta.Accessor(o)
					checkPodTemplate(t, s, objs, m, pt)
					pods += replicaCount(o)
					inits += len(pt.Spec.InitContainers)
				}
			}
			if pods < 8 || pods > 25 || inits < 2 {
				t.Errorf("pods %d (want 8-25), init containers %d (want >= 2)", pods, inits)
			}
		})
	}
}

func replicaCount(o runtime.Object) int {
	switch w := o.(type) {
	case *appsv1.Deployment:
		return int(*w.Spec.Replicas)
	case *appsv1.StatefulSet:
		return int(*w.Spec.Replicas)
	}
	return 0
}

func checkPodTemplate(t *testing.T, s side, objs []runtime.Object, m metav1.Object, pt *corev1.PodTemplateSpec) {
	t.Helper()
	name := m.GetName()
	if pt.Labels["app"] != name || pt.Labels["app.kubernetes.io/name"] != name {
		t.Errorf("%s: pod labels %v", name, pt.Labels)
	}
	if pt.Spec.NodeSelector[s.nodeLabel] != s.nodeValue || len(pt.Spec.NodeSelector) != 1 {
		t.Errorf("%s: node selector %v", name, pt.Spec.NodeSelector)
	}
	sa, _ := find(objs, "ServiceAccount", m.GetNamespace(), pt.Spec.ServiceAccountName).(*corev1.ServiceAccount)
	if sa == nil || sa.Name != name {
		t.Fatalf("%s: service account %q not seeded", name, pt.Spec.ServiceAccountName)
	}
	for _, c := range append(pt.Spec.InitContainers, pt.Spec.Containers...) {
		r := c.Resources
		if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Cpu().IsZero() || r.Limits.Memory().IsZero() {
			t.Errorf("%s/%s: incomplete resources %v", name, c.Name, r)
		}
		if !strings.HasPrefix(c.Image, s.registry()+"/"+name+":") {
			t.Errorf("%s/%s: image %q", name, c.Name, c.Image)
		}
	}
	profiles := "http-json http-plain worker-json worker-plain crashloop"
	if p := pt.Annotations[LogsAnnotation]; p == "" || !strings.Contains(profiles, p) {
		t.Errorf("%s: log profile %q", name, p)
	}
	if _, err := strconv.ParseFloat(pt.Annotations[LogRateAnnotation], 64); err != nil {
		t.Errorf("%s: log rate: %v", name, err)
	}
	if _, err := strconv.ParseFloat(pt.Annotations[LogErrorsAnnotation], 64); err != nil {
		t.Errorf("%s: log errors: %v", name, err)
	}
	// A role rides on the pod (kube2iam) on kops and on the ServiceAccount (IRSA) on eks.
	role := pt.Annotations[kube2iamAnnotation]
	if s.isEKS() {
		role = sa.Annotations[irsaAnnotation]
	}
	hasRole := name == "checkout-api" || name == "ledger"
	if want := s.roleARN(name); (role == want) != hasRole || (!hasRole && role != "") {
		t.Errorf("%s: role %q, has role %v", name, role, hasRole)
	}
}

func TestScenarioIngresses(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			s, _ := sideFor(cluster)
			n := 0
			for _, o := range mustObjects(t, cluster) {
				ing, ok := o.(*networkingv1.Ingress)
				if !ok {
					continue
				}
				n++
				if *ing.Spec.IngressClassName != s.ingressClass || !strings.HasSuffix(ing.Spec.Rules[0].Host, ".acme.internal") {
					t.Errorf("%s: class %q host %q", ing.Name, *ing.Spec.IngressClassName, ing.Spec.Rules[0].Host)
				}
				if got := ing.Annotations["alb.ingress.kubernetes.io/target-type"] == "ip"; got != s.isEKS() {
					t.Errorf("%s: alb annotations %v", ing.Name, ing.Annotations)
				}
			}
			if n != 3 {
				t.Errorf("ingresses = %d, want 3", n)
			}
		})
	}
}
