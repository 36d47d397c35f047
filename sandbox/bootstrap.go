package sandbox

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

//go:embed kwok/stages.yaml
var stagesYAML string

//go:embed kwok/logs-crd.yaml
var logsCRDYAML []byte

// planYAML is the sandbox scenario's ferry plan; Up writes it into the state
// dir, where FERRY_PLAN points, so ferry works on the sandbox from any dir.
//
//go:embed ferry.yaml
var planYAML []byte

// plan is the scenario's plan for this sandbox: the file names the web
// endpoints at the default ports, so it reads as-is for the demo; a sandbox
// on other ports (tests') gets its own.
func (c Config) plan() []byte {
	def := Config{PortBase: DefaultPortBase}
	out := string(planYAML)
	for _, side := range Sides() {
		out = strings.ReplaceAll(out, def.WebURL(side), c.WebURL(side))
	}
	return []byte(out)
}

// writeStages fills the per-cluster parts of the KWOK stages: the node's
// capacity and what its node info says it runs.
func writeStages(path string, side Side) error {
	osImage, runtime := "Ubuntu 22.04.5 LTS", "containerd://1.7.27"
	if side.Name == "eks" {
		osImage, runtime = "Amazon Linux 2023.7.20250609", "containerd://1.7.27"
	}
	info := fmt.Sprintf("{architecture: amd64, operatingSystem: linux, osImage: %q, containerRuntimeVersion: %q, kernelVersion: \"6.1.141\", kubeletVersion: %q, kubeProxyVersion: %q}",
		osImage, runtime, KubernetesVersion, KubernetesVersion)
	r := strings.NewReplacer(
		"@ALLOCATABLE@", `{cpu: "8", memory: 32Gi, pods: "110", ephemeral-storage: 100Gi}`,
		"@NODE_INFO@", info)
	return os.WriteFile(path, []byte(r.Replace(stagesYAML)), 0o644)
}

// NodeName is the name of each cluster's one simulated node, shaped like the
// EC2 private DNS names both KOPS and EKS give their nodes.
func NodeName(side Side) string {
	if side.Name == "kops" {
		return "ip-172-20-41-18.ec2.internal"
	}
	return "ip-10-0-12-34.ec2.internal"
}

// ensureNode registers the cluster's node; kwok then plays its kubelet.
func ensureNode(ctx context.Context, cs kubernetes.Interface, side Side) error {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name: NodeName(side),
		Labels: map[string]string{
			side.NodeLabel[0]:                  side.NodeLabel[1],
			"kubernetes.io/hostname":           NodeName(side),
			"kubernetes.io/os":                 "linux",
			"kubernetes.io/arch":               "amd64",
			"node.kubernetes.io/instance-type": "m5.2xlarge",
			"topology.kubernetes.io/region":    Region,
			"topology.kubernetes.io/zone":      Region + "a",
			"type":                             "kwok",
		},
		Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
	}}
	node.Status.Allocatable = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("32Gi"),
		corev1.ResourcePods: resource.MustParse("110"),
	}
	_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("register node on %s: %w", side.Name, err)
	}
	return nil
}

// waitNodeReady waits until the node is Ready and the controller manager has
// lifted the not-ready taint, so pods can be scheduled.
func waitNodeReady(ctx context.Context, cs kubernetes.Interface, side Side, timeout time.Duration) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		n, err := cs.CoreV1().Nodes().Get(ctx, NodeName(side), metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		ready := false
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		for _, t := range n.Spec.Taints {
			if t.Key == "node.kubernetes.io/not-ready" || t.Key == "node.kubernetes.io/unreachable" {
				last = "taint " + t.Key + " still set"
				return false, nil
			}
		}
		last = "node not Ready yet"
		return ready, nil
	})
	if err != nil {
		return fmt.Errorf("node %s on %s not ready after %s (%s)", NodeName(side), side.Name, timeout, last)
	}
	return nil
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// ensureLogsCRD installs kwok's Logs CRD and waits until it is served.
func ensureLogsCRD(ctx context.Context, dyn dynamic.Interface) error {
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(logsCRDYAML, &obj.Object); err != nil {
		return fmt.Errorf("parse embedded Logs CRD: %w", err)
	}
	_, err := dyn.Resource(crdGVR).Create(ctx, obj, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("install kwok Logs CRD: %w", err)
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := dyn.Resource(crdGVR).Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
}
