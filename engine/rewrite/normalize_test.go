package rewrite

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// dig reads a field by steps: strings index maps, ints index lists.
func dig(o *unstructured.Unstructured, steps ...any) (any, bool) {
	var cur any = o.Object
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				return nil, false
			}
			cur = l[k]
		}
	}
	return cur, true
}

// TestNormalizeTable: each row says whether a field goes (a server field
// or a default) or stays (a value someone chose).
func TestNormalizeTable(t *testing.T) {
	t.Parallel()
	deploy := func(spec string) string {
		return "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: " + spec + "}"
	}
	pod := func(ctr, spec string) string {
		return deploy("{template: {spec: {containers: [{name: c, image: 'r/c:1.0'" + ctr + "}]" + spec + "}}}")
	}
	svc := func(spec string) string {
		return "{apiVersion: v1, kind: Service, metadata: {name: s}, spec: " + spec + "}"
	}
	c0 := []any{"spec", "template", "spec", "containers", 0}
	at := func(extra ...any) []any { return append(append([]any{}, c0...), extra...) }
	ps := func(f string) []any { return []any{"spec", "template", "spec", f} }
	cases := []struct {
		name     string
		manifest string
		path     []any
		gone     bool
	}{
		{"uid", "{kind: Deployment, metadata: {name: d, uid: u}}", []any{"metadata", "uid"}, true},
		{"name kept", "{kind: Deployment, metadata: {name: d, uid: u}}", []any{"metadata", "name"}, false},
		{"resourceVersion", "{kind: Service, metadata: {name: s, resourceVersion: '5'}}", []any{"metadata", "resourceVersion"}, true},
		{"managedFields", "{kind: Service, metadata: {name: s, managedFields: [{manager: m}]}}", []any{"metadata", "managedFields"}, true},
		{"last-applied", "{kind: Secret, metadata: {name: s, annotations: {kubectl.kubernetes.io/last-applied-configuration: '{}'}}}", []any{"metadata", "annotations"}, true},
		{"status", "{apiVersion: v1, kind: Pod, metadata: {name: p}, status: {phase: Running}}", []any{"status"}, true},
		{"revision annotation", "{kind: Deployment, metadata: {name: d, annotations: {deployment.kubernetes.io/revision: '2'}}}", []any{"metadata", "annotations"}, true},
		{"other annotation kept", "{kind: Deployment, metadata: {name: d, annotations: {team: a}}}", []any{"metadata", "annotations", "team"}, false},
		{"pod-template-hash", "{kind: Pod, metadata: {name: p, labels: {pod-template-hash: abc, app: x}}}", []any{"metadata", "labels", "pod-template-hash"}, true},
		{"controller owner", "{kind: Pod, metadata: {name: p, ownerReferences: [{kind: ReplicaSet, name: r, uid: u, controller: true}]}}", []any{"metadata", "ownerReferences"}, true},
		{"other owner kept without uid", "{kind: ConfigMap, metadata: {name: c, ownerReferences: [{kind: App, name: a, uid: u}]}}", []any{"metadata", "ownerReferences", 0, "uid"}, true},
		{"progressDeadlineSeconds 600", deploy("{progressDeadlineSeconds: 600}"), []any{"spec", "progressDeadlineSeconds"}, true},
		{"progressDeadlineSeconds 300 kept", deploy("{progressDeadlineSeconds: 300}"), []any{"spec", "progressDeadlineSeconds"}, false},
		{"revisionHistoryLimit 10", deploy("{revisionHistoryLimit: 10}"), []any{"spec", "revisionHistoryLimit"}, true},
		{"default strategy", deploy("{strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}}"), []any{"spec", "strategy"}, true},
		{"Recreate kept", deploy("{strategy: {type: Recreate}}"), []any{"spec", "strategy"}, false},
		{"maxSurge 1 kept", deploy("{strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}}"), []any{"spec", "strategy"}, false},
		{"statefulset updateStrategy", "{kind: StatefulSet, spec: {updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}}}", []any{"spec", "updateStrategy"}, true},
		{"statefulset partition 2 kept", "{kind: StatefulSet, spec: {updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}}}", []any{"spec", "updateStrategy"}, false},
		{"dnsPolicy ClusterFirst", pod("", ", dnsPolicy: ClusterFirst"), ps("dnsPolicy"), true},
		{"dnsPolicy Default kept", pod("", ", dnsPolicy: Default"), ps("dnsPolicy"), false},
		{"restartPolicy Always", pod("", ", restartPolicy: Always"), ps("restartPolicy"), true},
		{"schedulerName", pod("", ", schedulerName: default-scheduler"), ps("schedulerName"), true},
		{"terminationGracePeriodSeconds 30", pod("", ", terminationGracePeriodSeconds: 30"), ps("terminationGracePeriodSeconds"), true},
		{"terminationGracePeriodSeconds 60 kept", pod("", ", terminationGracePeriodSeconds: 60"), ps("terminationGracePeriodSeconds"), false},
		{"empty pod securityContext", pod("", ", securityContext: {}"), ps("securityContext"), true},
		{"pod securityContext kept", pod("", ", securityContext: {runAsUser: 1000}"), ps("securityContext"), false},
		{"serviceAccount alias", pod("", ", serviceAccountName: a, serviceAccount: a"), ps("serviceAccount"), true},
		{"configMap defaultMode 420", pod("", ", volumes: [{name: v, configMap: {name: c, defaultMode: 420}}]"), []any{"spec", "template", "spec", "volumes", 0, "configMap", "defaultMode"}, true},
		{"terminationMessagePath", pod(", terminationMessagePath: /dev/termination-log", ""), at("terminationMessagePath"), true},
		{"terminationMessagePolicy", pod(", terminationMessagePolicy: File", ""), at("terminationMessagePolicy"), true},
		{"IfNotPresent for a tag", pod(", imagePullPolicy: IfNotPresent", ""), at("imagePullPolicy"), true},
		{"Always for a tag kept", pod(", imagePullPolicy: Always", ""), at("imagePullPolicy"), false},
		{"Always for latest", deploy("{template: {spec: {containers: [{name: c, image: 'r/c', imagePullPolicy: Always}]}}}"), at("imagePullPolicy"), true},
		{"registry port is not a tag", deploy("{template: {spec: {containers: [{name: c, image: 'r:5000/c', imagePullPolicy: Always}]}}}"), at("imagePullPolicy"), true},
		{"empty resources", pod(", resources: {}", ""), at("resources"), true},
		{"container port TCP", pod(", ports: [{containerPort: 80, protocol: TCP}]", ""), at("ports", 0, "protocol"), true},
		{"container port UDP kept", pod(", ports: [{containerPort: 53, protocol: UDP}]", ""), at("ports", 0, "protocol"), false},
		{"probe defaults", pod(", livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 10}", ""), at("livenessProbe", "periodSeconds"), true},
		{"probe scheme", pod(", readinessProbe: {httpGet: {port: 80, scheme: HTTP}}", ""), at("readinessProbe", "httpGet", "scheme"), true},
		{"template creationTimestamp null", deploy("{template: {metadata: {creationTimestamp: null}}}"), []any{"spec", "template", "metadata"}, true},
		{"clusterIP", svc("{clusterIP: 10.0.0.1}"), []any{"spec", "clusterIP"}, true},
		{"headless kept", svc("{clusterIP: None, clusterIPs: [None]}"), []any{"spec", "clusterIPs"}, false},
		{"ipFamilies", svc("{ipFamilies: [IPv4]}"), []any{"spec", "ipFamilies"}, true},
		{"sessionAffinity None", svc("{sessionAffinity: None}"), []any{"spec", "sessionAffinity"}, true},
		{"internalTrafficPolicy Cluster", svc("{internalTrafficPolicy: Cluster}"), []any{"spec", "internalTrafficPolicy"}, true},
		{"type ClusterIP", svc("{type: ClusterIP}"), []any{"spec", "type"}, true},
		{"type LoadBalancer kept", svc("{type: LoadBalancer}"), []any{"spec", "type"}, false},
		{"targetPort equal to port", svc("{ports: [{port: 80, targetPort: 80}]}"), []any{"spec", "ports", 0, "targetPort"}, true},
		{"targetPort different kept", svc("{ports: [{port: 80, targetPort: 8080}]}"), []any{"spec", "ports", 0, "targetPort"}, false},
		{"nodePort", svc("{type: NodePort, ports: [{port: 80, nodePort: 30080}]}"), []any{"spec", "ports", 0, "nodePort"}, true},
		{"legacy token secret", "{kind: ServiceAccount, metadata: {name: a}, secrets: [{name: a-token-x1}]}", []any{"secrets"}, true},
		{"other sa secret kept", "{kind: ServiceAccount, metadata: {name: a}, secrets: [{name: pull}]}", []any{"secrets"}, false},
		{"ingress class annotation moves", "{kind: Ingress, metadata: {annotations: {kubernetes.io/ingress.class: nginx}}}", []any{"metadata", "annotations"}, true},
		{"secret type Opaque", "{kind: Secret, type: Opaque}", []any{"type"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := obj(t, c.manifest)
			if _, ok := dig(in, c.path...); !ok && c.gone {
				t.Fatalf("fixture lacks %v: the case proves nothing", c.path)
			}
			_, kept := dig(Normalize(in), c.path...)
			if kept == c.gone {
				t.Errorf("%v: gone=%v, want gone=%v", c.path, !kept, c.gone)
			}
		})
	}
}

// TestNormalizeConverted: a typed object as the inventory converts it
// (nulls, {} and defaults included) normalizes to its plain spec, twice.
func TestNormalizeConverted(t *testing.T) {
	t.Parallel()
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", UID: "u1", ResourceVersion: "9", CreationTimestamp: metav1.Now()},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			DNSPolicy:  corev1.DNSClusterFirst,
			Containers: []corev1.Container{{Name: "web", Image: "web:1", TerminationMessagePolicy: corev1.TerminationMessageReadFile}},
		}}},
		Status: appsv1.DeploymentStatus{Replicas: 1},
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
	if err != nil {
		t.Fatal(err)
	}
	got := Normalize(&unstructured.Unstructured{Object: m})
	want := obj(t, "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {selector: null, template: {spec: {containers: [{name: web, image: 'web:1'}]}}}}")
	delete(want.Object["spec"].(map[string]any), "selector")
	if !reflect.DeepEqual(got.Object, want.Object) {
		s, _ := Render(got)
		t.Errorf("normalized:\n%s", s)
	}
	if again := Normalize(got); !reflect.DeepEqual(again.Object, got.Object) {
		t.Errorf("Normalize is not idempotent")
	}
	if _, ok := m["status"]; !ok {
		t.Errorf("Normalize changed its input")
	}
}

func TestNormalizeSecret(t *testing.T) {
	t.Parallel()
	in := obj(t, "{kind: Secret, metadata: {name: s}, data: {a: "+b64(secretValue)+", bad: 'not base64!'}, stringData: {b: "+secretValue+"}}")
	got := Normalize(in)
	data, _ := dig(got, "data")
	want := map[string]any{"a": secretHash([]byte(secretValue)), "b": secretHash([]byte(secretValue)), "bad": secretHash([]byte("not base64!"))}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("data = %v, want %v", data, want)
	}
	if _, ok := dig(got, "stringData"); ok {
		t.Errorf("stringData survived")
	}
	if h := secretHash([]byte(secretValue)); !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+12 {
		t.Errorf("hash %q not sha256:<12 hex>", h)
	}
	if again := Normalize(got); !reflect.DeepEqual(again.Object, got.Object) {
		t.Errorf("hashing twice changed the hashes")
	}
}
