package sandbox

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
)

var clusters = []string{ClusterKops, ClusterEKS}

func TestScenarioObjectsDeterministic(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			a, b := mustObjects(t, cluster), mustObjects(t, cluster)
			if !reflect.DeepEqual(a, b) {
				t.Fatal("two calls returned different objects")
			}
			seen := map[string]bool{}
			for _, o := range a {
				m, _ := meta.Accessor(o)
				key := kindOf(o) + " " + m.GetNamespace() + "/" + m.GetName()
				if kindOf(o) == "" || seen[key] {
					t.Errorf("missing kind or duplicate object: %q", key)
				}
				seen[key] = true
				if m.GetLabels()[SeedLabel] != "true" {
					t.Errorf("%s lacks the %s label", key, SeedLabel)
				}
			}
		})
	}
}

func TestScenarioObjectsUnknownCluster(t *testing.T) {
	t.Parallel()
	if _, err := ScenarioObjects("gke"); err == nil {
		t.Fatal("want an error for an unknown cluster")
	}
}

func TestScenarioClusterScoped(t *testing.T) {
	t.Parallel()
	tests := []struct{ cluster, kind, name string }{
		{ClusterKops, "Namespace", nsPayments}, {ClusterKops, "Namespace", nsOrders},
		{ClusterKops, "Namespace", nsPlatform}, {ClusterEKS, "Namespace", nsPayments},
		{ClusterEKS, "Namespace", nsOrders}, {ClusterEKS, "Namespace", nsPlatform},
		{ClusterKops, "StorageClass", "gp2"}, {ClusterEKS, "StorageClass", "gp3"},
		{ClusterKops, "IngressClass", "nginx"}, {ClusterEKS, "IngressClass", "alb"},
	}
	for _, tc := range tests {
		t.Run(tc.cluster+"/"+tc.kind+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			if find(mustObjects(t, tc.cluster), tc.kind, "", tc.name) == nil {
				t.Fatal("missing")
			}
		})
	}
}

func TestScenarioOnlyOnKops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cluster string
		want    int
	}{{ClusterKops, 3}, {ClusterEKS, 0}} // kops: ServiceAccount, Service, Deployment
	for _, tc := range tests {
		t.Run(tc.cluster, func(t *testing.T) {
			t.Parallel()
			got := serviceObjects(mustObjects(t, tc.cluster), nsOrders, "invoice-renderer")
			if len(got) != tc.want {
				t.Fatalf("invoice-renderer objects = %d, want %d", len(got), tc.want)
			}
		})
	}
}

// TestScenarioDrift checks each deliberate difference in SCENARIO.md's table.
func TestScenarioDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ns, svc, kind string
		get                 func(o any) string
		kops, eks           string
	}{
		{"ledger image", nsPayments, "ledger", "StatefulSet", image, "2.3.1", "2.4.0"},
		{"ledger batch size", nsPayments, "ledger", "StatefulSet", envValue("LEDGER_BATCH_SIZE"), "100", "250"},
		{"orders-api replicas", nsOrders, "orders-api", "Deployment", replicas, "3", "2"},
		{"orders-api cpu limit", nsOrders, "orders-api", "Deployment", cpuLimit, "500m", "250m"},
		{"refund queue", nsPayments, "refund-worker-config", "ConfigMap", queueURL,
			"https://sqs.us-east-1.amazonaws.com/111111111111/refunds",
			"https://sqs.us-east-1.amazonaws.com/111111111111/refunds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for cluster, want := range map[string]string{ClusterKops: tc.kops, ClusterEKS: tc.eks} {
				o := find(mustObjects(t, cluster), tc.kind, tc.ns, tc.svc)
				if o == nil {
					t.Fatalf("%s: %s %s/%s missing", cluster, tc.kind, tc.ns, tc.svc)
				}
				if got := tc.get(o); !strings.HasSuffix(got, want) {
					t.Errorf("%s: got %q, want suffix %q", cluster, got, want)
				}
			}
		})
	}
}

func image(o any) string {
	return podTemplateOf(o.(*appsv1.StatefulSet)).Spec.Containers[0].Image
}

func envValue(name string) func(o any) string {
	return func(o any) string {
		for _, e := range podTemplateOf(o.(*appsv1.StatefulSet)).Spec.Containers[0].Env {
			if e.Name == name {
				return e.Value
			}
		}
		return ""
	}
}

func replicas(o any) string {
	return strconv.Itoa(int(*o.(*appsv1.Deployment).Spec.Replicas))
}

func cpuLimit(o any) string {
	q := o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU]
	return q.String()
}

func queueURL(o any) string { return o.(*corev1.ConfigMap).Data["REFUNDS_QUEUE_URL"] }

// TestScenarioSidesAgree keeps the seed's mapping in step with the sandbox's Side table,
// which the node, kubeconfig and AWS wiring use.
func TestScenarioSidesAgree(t *testing.T) {
	t.Parallel()
	for _, cluster := range clusters {
		t.Run(cluster, func(t *testing.T) {
			t.Parallel()
			mine, _ := sideFor(cluster)
			theirs, err := SideByName(cluster)
			if err != nil {
				t.Fatal(err)
			}
			got := [4]string{mine.account, mine.alias, mine.nodeLabel, mine.nodeValue}
			want := [4]string{theirs.Account, theirs.Alias, theirs.NodeLabel[0], theirs.NodeLabel[1]}
			if got != want {
				t.Errorf("scenario side %v, sandbox side %v", got, want)
			}
		})
	}
}
