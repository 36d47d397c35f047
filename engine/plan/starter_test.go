package plan

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func meta(ns, name string, annotations map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: annotations}
}

func deployment(ns, name, image string) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: meta(ns, name, nil)}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: name, Image: image}}
	return d
}

func kubeNode(name, label, value string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{label: value}}}
}

var isDefault = map[string]string{defaultStorageClassAnno: "true"}

// sandboxLike is a pair of fake clusters shaped like SCENARIO.md's.
func sandboxLike() (src, dst *fake.Clientset) {
	const ecr = "111111111111.dkr.ecr.us-east-1.amazonaws.com/"
	ledger := &appsv1.StatefulSet{ObjectMeta: meta("payments", "ledger", nil)}
	ledger.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "migrate", Image: "ghcr.io/acme/migrate:1"}}
	ledger.Spec.Template.Spec.Containers = []corev1.Container{{Name: "ledger", Image: ecr + "ledger:2.3.1"}}
	src = fake.NewClientset([]runtime.Object{
		deployment("orders", "orders-api", ecr+"orders-api:3.1.4"),
		deployment("payments", "checkout-api", ecr+"checkout-api:1.8.2"),
		deployment("kube-system", "coredns", "registry.k8s.io/coredns:1.11"),
		deployment("platform", "auth-gateway", "nginx:1.27"),
		ledger,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "empty"}},
		&storagev1.StorageClass{ObjectMeta: meta("", "gp2", isDefault)},
		&storagev1.StorageClass{ObjectMeta: meta("", "io1", nil)},
		&networkingv1.IngressClass{ObjectMeta: meta("", "nginx", nil)},
		kubeNode("kops-a", KopsInstanceGroupLabel, "nodes-us-east-1a"),
		kubeNode("kops-master", KopsInstanceGroupLabel, "control-plane-us-east-1a"),
	}...)
	dst = fake.NewClientset([]runtime.Object{
		&storagev1.StorageClass{ObjectMeta: meta("", "gp3", isDefault)},
		&networkingv1.IngressClass{ObjectMeta: meta("", "alb", nil)},
		kubeNode("eks-a", EKSNodeGroupLabel, "general-1"),
		kubeNode("eks-b", EKSNodeGroupLabel, "general-1"),
	}...)
	return src, dst
}

func TestInitDiscover(t *testing.T) {
	t.Parallel()
	src, dst := sandboxLike()
	d, err := Discover(t.Context(), src, dst)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"namespaces", strings.Join(d.Namespaces, ","), "orders,payments,platform"},
		{"registries", strings.Join(d.Registries, ","), "111111111111.dkr.ecr.us-east-1.amazonaws.com,ghcr.io"},
		{"source storage", strings.Join(d.Source.StorageClasses, ",") + " default " + d.Source.DefaultStorageClass, "gp2,io1 default gp2"},
		{"source ingress", strings.Join(d.Source.IngressClasses, ",") + " default " + d.Source.DefaultIngressClass, "nginx default nginx"},
		{"target classes", d.Target.DefaultStorageClass + " " + d.Target.DefaultIngressClass, "gp3 alb"},
		{"source pools", strings.Join(d.Source.NodeGroups, ","), "control-plane-us-east-1a,nodes-us-east-1a"},
		{"target pools", strings.Join(d.Target.NodeGroups, ","), "general-1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestInitRegistryOf(t *testing.T) {
	t.Parallel()
	for image, want := range map[string]string{
		"nginx:1.27":                       "",
		"library/nginx":                    "",
		"ghcr.io/acme/app:1":               "ghcr.io",
		"localhost/app":                    "localhost",
		"registry.local:5000/app@sha256:0": "registry.local:5000",
	} {
		if got := registryOf(image); got != want {
			t.Errorf("registryOf(%q) = %q, want %q", image, got, want)
		}
	}
}

// starterFor renders the starter plan for the fake sandbox-like clusters.
func starterFor(t *testing.T, src, dst StarterSide) []byte {
	t.Helper()
	s, d := sandboxLike()
	found, err := Discover(t.Context(), s, d)
	if err != nil {
		t.Fatal(err)
	}
	// One pool per side, as the sandbox has, so a nodeSelectors rule is proposed.
	found.Source.NodeGroups = found.Source.NodeGroups[1:]
	var b bytes.Buffer
	if err := RenderStarter(&b, Starter{Environment: "staging", Source: src, Target: dst, Found: found}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestInitRenderStarter: with both profiles resolved the starter plan is
// valid as written, proposes the discovered mapping, and matches the golden
// file (go test -run TestInitRenderStarter -update rewrites it).
func TestInitRenderStarter(t *testing.T) {
	t.Parallel()
	out := starterFor(t,
		StarterSide{Context: "kops", Profile: "ferry-old", Region: "us-east-1", Account: "111111111111"},
		StarterSide{Context: "eks", Profile: "ferry-new", Region: "us-east-1", Account: "222222222222"})
	golden := filepath.Join("testdata", "starter.golden")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("starter plan differs from %s (-update to accept):\n%s", golden, out)
	}
	p, err := Parse("ferry.yaml", out)
	if err != nil {
		t.Fatalf("the starter plan does not validate:\n%v\n%s", err, out)
	}
	checks := []struct{ name, got, want string }{
		{"labels", p.Source.Label + " " + p.Target.Label, "KOPS EKS"},
		{"contexts", p.Source.Kube.Context + " " + p.Target.Kube.Context, "kops eks"},
		{"namespaces", strings.Join(p.Namespaces, ","), "orders,payments,platform"},
		{"registry", p.Mapping.Registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"], "222222222222.dkr.ecr.us-east-1.amazonaws.com"},
		{"classes", p.Mapping.StorageClasses["gp2"] + " " + p.Mapping.IngressClasses["nginx"], "gp3 alb"},
		{"node pools", p.Mapping.NodeSelectors[0].From[KopsInstanceGroupLabel] + " " + p.Mapping.NodeSelectors[0].To[EKSNodeGroupLabel], "nodes-us-east-1a general-1"},
		{"accounts", p.Mapping.Accounts["111111111111"], "222222222222"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !p.Mapping.IRSA {
		t.Error("irsa = false; want true for EKS node groups")
	}
}

// TestInitRenderStarterWithoutProfiles: what init could not learn is left
// for the reader, and validation names exactly those fields.
func TestInitRenderStarterWithoutProfiles(t *testing.T) {
	t.Parallel()
	out := starterFor(t, StarterSide{Context: "kops"}, StarterSide{Context: "eks"})
	_, err := Parse("ferry.yaml", out)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Parse = %v; want the placeholders reported", err)
	}
	var paths []string
	for _, e := range es {
		paths = append(paths, e.Path)
	}
	want := "source.aws.region source.aws.account target.aws.region target.aws.account"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("paths = %q, want %q\n%v", got, want, err)
	}
	if !strings.Contains(string(out), "111111111111.dkr.ecr.us-east-1.amazonaws.com") || strings.Contains(string(out), "registries:\n    ") {
		t.Errorf("without accounts the ECR registry is listed, not mapped:\n%s", out)
	}
}

func TestInitYAMLScalar(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"kops":             "kops",
		"nodes-us-east-1a": "nodes-us-east-1a",
		"yes":              `"yes"`,
		"0123":             `"0123"`,
		"a: b":             `"a: b"`,
		"#x":               `"#x"`,
		"":                 `""`,
	} {
		if got := yamlScalar(in); got != want {
			t.Errorf("yamlScalar(%q) = %s, want %s", in, got, want)
		}
	}
}
