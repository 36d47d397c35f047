package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// Load fills a namespace with many small Deployments for scale checks
// (make bench): one replica each, placed on extra KWOK nodes of their own so
// the seeded node keeps its room. Each Deployment runs an image from its
// side's account registry, so a ferry comparing both sides has its account
// mapping to apply, as on a real estate.
type Load struct {
	Namespace   string
	Deployments int // named load-0000, load-0001, ...
	Workers     int // parallel creates; default 16
	// Logs: what each load pod logs. Zero values keep the pods quiet.
	LogHistory int     // lines already in each container's log at start
	LogRate    float64 // lines per second after that
	LogProfile string  // a sandboxd log profile, e.g. "http-json"
}

// Load nodes carry this label and a NoSchedule taint of the same key: only
// load pods, which tolerate it, land there.
const (
	LoadNodeLabel   = "sandbox.ferry.dev/load"
	loadPodsPerNode = 100 // a KWOK node here takes 110 pods
)

// Apply creates the namespace, enough load nodes and the Deployments (those
// that exist are kept), then waits until every load pod runs and every
// Deployment is available. Applying to a loaded namespace changes nothing.
// The load nodes are shared: other namespaces' loads count towards them.
func (l Load) Apply(ctx context.Context, cs kubernetes.Interface, side Side, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: l.Namespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("load %s: create namespace %s: %w", side.Name, l.Namespace, err)
	}
	others, err := l.otherLoads(ctx, cs)
	if err != nil {
		return fmt.Errorf("load %s: %w", side.Name, err)
	}
	for i := range (others + l.Deployments + loadPodsPerNode - 1) / loadPodsPerNode {
		if err := ensureLoadNode(ctx, cs, i); err != nil {
			return fmt.Errorf("load %s: %w", side.Name, err)
		}
	}
	if err := l.create(ctx, cs, side); err != nil {
		return fmt.Errorf("load %s: %w", side.Name, err)
	}
	return l.waitRunning(ctx, cs, side)
}

// otherLoads counts the load pods other namespaces' loads ask for.
func (l Load) otherLoads(ctx context.Context, cs kubernetes.Interface) (int, error) {
	deps, err := cs.AppsV1().Deployments("").List(ctx, metav1.ListOptions{LabelSelector: LoadNodeLabel + "=true"})
	if err != nil {
		return 0, fmt.Errorf("list the loads already there: %w", err)
	}
	n := 0
	for _, d := range deps.Items {
		if d.Namespace != l.Namespace && d.Spec.Replicas != nil {
			n += int(*d.Spec.Replicas)
		}
	}
	return n, nil
}

// create sends the Deployments through a bounded pool of workers.
func (l Load) create(ctx context.Context, cs kubernetes.Interface, side Side) error {
	names := make(chan string)
	errs := make(chan error, 1)
	workers := l.Workers
	if workers <= 0 {
		workers = 16
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { l.createWorker(ctx, cs, l.Namespace, side, names, errs) })
	}
	var sendErr error
send:
	for i := range l.Deployments {
		select {
		case names <- fmt.Sprintf("load-%04d", i):
		case sendErr = <-errs:
			break send
		case <-ctx.Done():
			sendErr = ctx.Err()
			break send
		}
	}
	close(names)
	wg.Wait()
	if sendErr != nil {
		return sendErr
	}
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func (l Load) createWorker(ctx context.Context, cs kubernetes.Interface, ns string, side Side, names <-chan string, errs chan<- error) {
	for name := range names {
		_, err := cs.AppsV1().Deployments(ns).Create(ctx, l.deployment(name, side), metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			select {
			case errs <- fmt.Errorf("create deployment %s/%s: %w", ns, name, err):
			default: // the first error is enough
			}
			for range names { // drain, so the sender never blocks
			}
			return
		}
	}
}

// waitRunning polls (from the apiserver's watch cache) until the namespace
// has as many Running, Ready pods as Deployments and every Deployment says
// so, so that nothing is still settling when a measurement starts.
func (l Load) waitRunning(ctx context.Context, cs kubernetes.Interface, side Side) error {
	var last string
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(l.Namespace).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil && podReady(&p) {
				running++
			}
		}
		last = fmt.Sprintf("%d of %d pods running", running, l.Deployments)
		if running < l.Deployments {
			return false, nil
		}
		deps, err := cs.AppsV1().Deployments(l.Namespace).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		available := 0
		for _, d := range deps.Items {
			if d.Status.ObservedGeneration >= d.Generation && d.Status.AvailableReplicas >= 1 {
				available++
			}
		}
		last = fmt.Sprintf("%d of %d deployments available", available, l.Deployments)
		return available >= l.Deployments, nil
	})
	if err != nil {
		return fmt.Errorf("load %s: pods in %s not running: %s: %w", side.Name, l.Namespace, last, err)
	}
	return nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Unload deletes the namespace, waits until it is gone, then removes the
// load nodes that no pod uses any more.
func (l Load) Unload(ctx context.Context, cs kubernetes.Interface, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := cs.CoreV1().Namespaces().Delete(ctx, l.Namespace, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("unload: delete namespace %s: %w", l.Namespace, err)
	}
	err = wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Namespaces().Get(ctx, l.Namespace, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return fmt.Errorf("unload: namespace %s still there: %w", l.Namespace, err)
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: LoadNodeLabel})
	if err != nil {
		return fmt.Errorf("unload: list load nodes: %w", err)
	}
	var errs []error
	for _, n := range nodes.Items {
		pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + n.Name, Limit: 1})
		if err != nil || len(pods.Items) > 0 {
			continue // another load still runs there, or we cannot tell
		}
		if err := cs.CoreV1().Nodes().Delete(ctx, n.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("unload: delete node %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// LoadNodeName names the i-th load node.
func LoadNodeName(i int) string { return fmt.Sprintf("ferry-load-%d", i) }

// ensureLoadNode registers a tainted KWOK node for load pods.
func ensureLoadNode(ctx context.Context, cs kubernetes.Interface, i int) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: LoadNodeName(i),
			Labels: map[string]string{
				LoadNodeLabel:            "true",
				"kubernetes.io/hostname": LoadNodeName(i),
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: LoadNodeLabel, Value: "true", Effect: corev1.TaintEffectNoSchedule}}},
	}
	_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("register load node %s: %w", node.Name, err)
	}
	return nil
}

// annotations tell the log writer what the load pods log.
func (l Load) annotations() map[string]string {
	ann := map[string]string{LogRateAnnotation: strconv.FormatFloat(l.LogRate, 'f', -1, 64)}
	if l.LogHistory > 0 {
		ann[LogHistoryAnnotation] = strconv.Itoa(l.LogHistory)
	}
	if l.LogProfile != "" {
		ann[LogsAnnotation] = l.LogProfile
	}
	return ann
}

// deployment is one load service: one replica of its side's image, logging
// as the Load says, on the load nodes only.
func (l Load) deployment(name string, side Side) *appsv1.Deployment {
	labels := map[string]string{"app": name, LoadNodeLabel: "true"}
	one := int32(1)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: l.annotations()},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{LoadNodeLabel: "true"},
					Tolerations:  []corev1.Toleration{{Key: LoadNodeLabel, Operator: corev1.TolerationOpEqual, Value: "true", Effect: corev1.TaintEffectNoSchedule}},
					Containers: []corev1.Container{{
						Name:  name,
						Image: fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s:1.0.0", side.Account, Region, name),
						Env:   []corev1.EnvVar{{Name: "QUEUE_URL", Value: fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", Region, side.Account, name)}},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")}},
					}},
				},
			},
		},
	}
}

// Kubectl returns a kubectl for baselines such as make bench's: the one on
// PATH, else one built once from sandbox/tools/kube into the cache dir (a
// cold build takes several minutes). It is not in Binaries because the
// sandbox itself never needs it.
func Kubectl(ctx context.Context, cfg Config, w io.Writer) (string, error) {
	if p, err := exec.LookPath("kubectl"); err == nil {
		return p, nil
	}
	src, err := SourceDir(cfg)
	if err != nil {
		return "", err
	}
	b := Binary{Name: "kubectl", Module: "kube", Package: "k8s.io/kubernetes/cmd/kubectl", Version: KubernetesVersion,
		LDFlags: "-s -w -X k8s.io/component-base/version.gitVersion=" + KubernetesVersion, Typical: "3 min"}
	path, err := b.cachedPath(cfg.CacheDir, filepath.Join(src, "sandbox", "tools"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return "", fmt.Errorf("create cache dir %s: %w", cfg.CacheDir, err)
	}
	fmt.Fprintf(w, "no kubectl on PATH: building kubectl %s (a cold build takes about %s) into %s\n", b.Version, b.Typical, cfg.CacheDir)
	start := time.Now()
	if err := build(ctx, filepath.Join(src, "sandbox", "tools", b.Module), b, path, w); err != nil {
		return "", err
	}
	fmt.Fprintf(w, "built kubectl in %s\n", time.Since(start).Round(time.Second))
	return path, nil
}
