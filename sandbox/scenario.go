package sandbox

// This file holds the per-side mapping; scenario_services.go the service table.

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
)

// Cluster names the two sandbox clusters; they double as the kube context names.
const (
	// ClusterKops is the source cluster: KOPS in the old account.
	ClusterKops = "kops"
	// ClusterEKS is the target cluster: EKS in the new account.
	ClusterEKS = "eks"
)

// Labels and annotations the sandbox puts on what it seeds. The log writer and the KWOK
// stages read the pod ones; tests find seeded objects by SeedLabel.
const (
	// SeedLabel marks every object SeedCluster creates (value "true").
	SeedLabel = "sandbox.ferry.dev/seed"
	// BehaviorLabel on a pod selects a KWOK stage, e.g. "crashloop".
	BehaviorLabel = "sandbox.ferry.dev/behavior"
	// LogsAnnotation names the log profile the sandbox's log writer emits for a pod.
	LogsAnnotation = "sandbox.ferry.dev/logs"
	// LogRateAnnotation is lines per second per container.
	LogRateAnnotation = "sandbox.ferry.dev/log-rate"
	// LogErrorsAnnotation is the fraction of lines that are errors.
	LogErrorsAnnotation = "sandbox.ferry.dev/log-errors"
	// LogInjectAnnotation is an error message template emitted on that side only
	// ({n} and {uuid} are filled in by the log writer).
	LogInjectAnnotation = "sandbox.ferry.dev/log-inject"
	// LogHistoryAnnotation is how many lines a container's log holds when
	// it starts, as if it had run for a while (benchmarks of log readers).
	LogHistoryAnnotation = "sandbox.ferry.dev/log-history"
)

// Annotations that differ between the sides by design: the rewrite maps them.
const (
	kube2iamAnnotation = "iam.amazonaws.com/role"
	irsaAnnotation     = "eks.amazonaws.com/role-arn"
	defaultClassAnno   = "storageclass.kubernetes.io/is-default-class"
)

// side holds everything that legitimately differs between the clusters: the mapping a
// correct migration applies. Drift is written inline in the service table instead.
type side struct {
	cluster      string
	account      string
	alias        string
	storageClass string
	provisioner  string
	ingressClass string
	controller   string
	nodeLabel    string
	nodeValue    string
}

var (
	kopsSide = side{
		cluster: ClusterKops, account: "111111111111", alias: "acme-legacy",
		storageClass: "gp2", provisioner: "kubernetes.io/aws-ebs",
		ingressClass: "nginx", controller: "k8s.io/ingress-nginx",
		nodeLabel: "kops.k8s.io/instancegroup", nodeValue: "nodes-us-east-1a",
	}
	eksSide = side{
		cluster: ClusterEKS, account: "222222222222", alias: "acme-platform",
		storageClass: "gp3", provisioner: "ebs.csi.aws.com",
		ingressClass: "alb", controller: "ingress.k8s.aws/alb",
		nodeLabel: "eks.amazonaws.com/nodegroup", nodeValue: "general-1",
	}
)

func sideFor(cluster string) (side, error) {
	switch cluster {
	case ClusterKops:
		return kopsSide, nil
	case ClusterEKS:
		return eksSide, nil
	}
	return side{}, fmt.Errorf("unknown sandbox cluster %q: use %q or %q", cluster, ClusterKops, ClusterEKS)
}

func (s side) isEKS() bool { return s.cluster == ClusterEKS }

// pick returns the kops value on the source and the eks value on the target; the service
// table uses it for drift, so every deliberate difference is visible at a glance.
func pick[T any](s side, kops, eks T) T {
	if s.isEKS() {
		return eks
	}
	return kops
}

func (s side) registry() string {
	return s.account + ".dkr.ecr." + Region + ".amazonaws.com"
}

func (s side) image(name, tag string) string { return s.registry() + "/" + name + ":" + tag }

func (s side) roleARN(name string) string { return "arn:aws:iam::" + s.account + ":role/" + name }

func (s side) tableARN(name string) string {
	return "arn:aws:dynamodb:" + Region + ":" + s.account + ":table/" + name
}

func (s side) queueURL(name string) string {
	return "https://sqs." + Region + ".amazonaws.com/" + s.account + "/" + name
}

func (s side) queueARN(name string) string {
	return "arn:aws:sqs:" + Region + ":" + s.account + ":" + name
}

// bucket names carry the account alias because S3 names are global: the new account cannot
// reuse the old names, so the mapping renames acme-legacy-* to acme-platform-*.
func (s side) bucket(suffix string) string { return s.alias + "-" + suffix }

// ScenarioObjects returns the seed objects for one cluster in apply order: namespaces,
// storage and ingress classes, service accounts, configmaps, secrets, services, workloads,
// ingresses. The objects are typed (with TypeMeta set) and identical on every call.
func ScenarioObjects(cluster string) ([]runtime.Object, error) {
	s, err := sideFor(cluster)
	if err != nil {
		return nil, err
	}
	svcs := services(s)
	objs := namespaces()
	objs = append(objs, storageClass(s), ingressClass(s))
	for _, sv := range svcs {
		objs = append(objs, serviceAccount(s, sv))
	}
	objs = append(objs, configMaps()...)
	objs = append(objs, secrets()...)
	for _, sv := range svcs {
		objs = append(objs, service(sv))
	}
	for _, sv := range svcs {
		objs = append(objs, workload(s, sv))
	}
	for _, sv := range svcs {
		if sv.host != "" {
			objs = append(objs, ingress(s, sv))
		}
	}
	return objs, nil
}
