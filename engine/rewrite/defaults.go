package rewrite

import (
	"slices"
	"strings"
)

// noise is one row of the normalization table: a field that tells nothing
// about what the operator deployed, only about which server stored it.
type noise struct {
	kinds string // comma-separated kinds the row is for; "" = every kind
	scope scope  // where path starts
	path  string // dotted, "[*]" = every list element
	act   action
	why   string
}

// noiseTable is the whole of normalization, applied top to bottom (the
// "empty" rows come after the rows that can empty a map).
var noiseTable = []noise{
	// Written by the API server: identity, bookkeeping, status.
	{"", root, "metadata.uid", drop, "assigned by the server"},
	{"", root, "metadata.resourceVersion", drop, "assigned by the server"},
	{"", root, "metadata.generation", drop, "counts this cluster's writes"},
	{"", metas, "creationTimestamp", drop, "this cluster's clock (null in templates)"},
	{"", root, "metadata.managedFields", drop, "this cluster's field managers"},
	{"", root, "metadata.selfLink", drop, "this cluster's URL"},
	{"", root, "metadata.deletionTimestamp", drop, "this cluster's lifecycle"},
	{"", root, "metadata.deletionGracePeriodSeconds", drop, "this cluster's lifecycle"},
	{"", root, "metadata.ownerReferences", ownerRefs, "controller owners are generated; uids are per cluster"},
	{"", root, "status", drop, "observed state, not spec"},
	{"", metas, "annotations", keys("deployment.kubernetes.io/revision",
		"kubectl.kubernetes.io/last-applied-configuration",
		"deprecated.daemonset.template.generation"), "controller and kubectl bookkeeping"},
	{"", metas, "labels", keys("pod-template-hash", "controller-revision-hash"), "controller bookkeeping"},
	{"ServiceAccount", root, "secrets", legacyTokens, "token Secrets generated before Kubernetes 1.24"},
	{"Pod", pod, "nodeName", drop, "chosen by the scheduler"},
	{"Service", root, "spec.clusterIP", unlessNone, "allocated (headless None is kept)"},
	{"Service", root, "spec.clusterIPs", unlessNone, "allocated (headless None is kept)"},
	{"Service", root, "spec.ipFamilies", drop, "follows the cluster's network"},
	{"Service", root, "spec.ipFamilyPolicy", drop, "follows the cluster's network"},
	{"Service", root, "spec.ports[*].nodePort", drop, "allocated"},
	{"Service", root, "spec.healthCheckNodePort", drop, "allocated"},

	// API defaults: absent and the default mean the same.
	{"Deployment", root, "spec.progressDeadlineSeconds", dflt(600), "default"},
	{"Deployment,StatefulSet,DaemonSet", root, "spec.revisionHistoryLimit", dflt(10), "default"},
	{"Deployment", root, "spec.strategy", rolling(map[string]any{"maxSurge": "25%", "maxUnavailable": "25%"}), "default RollingUpdate 25%/25%"},
	{"StatefulSet", root, "spec.updateStrategy", rolling(map[string]any{"partition": 0, "maxUnavailable": 1}), "default RollingUpdate"},
	{"DaemonSet", root, "spec.updateStrategy", rolling(map[string]any{"maxSurge": 0, "maxUnavailable": 1}), "default RollingUpdate"},
	{"StatefulSet", root, "spec.podManagementPolicy", dflt("OrderedReady"), "default"},
	{"StatefulSet", root, "spec.persistentVolumeClaimRetentionPolicy", dflt(map[string]any{"whenDeleted": "Retain", "whenScaled": "Retain"}), "default"},
	{"StatefulSet", root, "spec.volumeClaimTemplates[*].apiVersion", drop, "filled in by newer servers"},
	{"StatefulSet", root, "spec.volumeClaimTemplates[*].kind", drop, "filled in by newer servers"},
	{"StatefulSet", root, "spec.volumeClaimTemplates[*].status", drop, "observed state"},
	{"StatefulSet", root, "spec.volumeClaimTemplates[*].spec.volumeMode", dflt("Filesystem"), "default"},
	{"PersistentVolumeClaim", root, "spec.volumeMode", dflt("Filesystem"), "default"},
	{"", pod, "dnsPolicy", dflt("ClusterFirst"), "default"},
	{"", pod, "restartPolicy", dflt("Always"), "default"},
	{"", pod, "schedulerName", dflt("default-scheduler"), "default"},
	{"", pod, "terminationGracePeriodSeconds", dflt(30), "default"},
	{"", pod, "enableServiceLinks", dflt(true), "default"},
	{"", pod, "serviceAccount", saAlias, "deprecated copy of serviceAccountName"},
	{"", pod, "securityContext", empty, "{} is the default"},
	{"", pod, "volumes[*].configMap.defaultMode", dflt(420), "default 0644"},
	{"", pod, "volumes[*].secret.defaultMode", dflt(420), "default 0644"},
	{"", pod, "volumes[*].projected.defaultMode", dflt(420), "default 0644"},
	{"", pod, "volumes[*].downwardAPI.defaultMode", dflt(420), "default 0644"},
	{"", ctr, "terminationMessagePath", dflt("/dev/termination-log"), "default"},
	{"", ctr, "terminationMessagePolicy", dflt("File"), "default"},
	{"", ctr, "imagePullPolicy", pullPolicy, "default derived from the image tag"},
	{"", ctr, "ports[*].protocol", dflt("TCP"), "default"},
	{"", ctr, "env[*].valueFrom.fieldRef.apiVersion", dflt("v1"), "default"},
	{"", ctr, "resources", empty, "{} is the default"},
	{"", ctr, "securityContext", empty, "{} is the default"},
	{"", probe, "timeoutSeconds", dflt(1), "default"},
	{"", probe, "periodSeconds", dflt(10), "default"},
	{"", probe, "successThreshold", dflt(1), "default"},
	{"", probe, "failureThreshold", dflt(3), "default"},
	{"", probe, "httpGet.scheme", dflt("HTTP"), "default"},
	{"Service", root, "spec.type", dflt("ClusterIP"), "default"},
	{"Service", root, "spec.sessionAffinity", dflt("None"), "default"},
	{"Service", root, "spec.internalTrafficPolicy", dflt("Cluster"), "default"},
	{"Service", root, "spec.externalTrafficPolicy", dflt("Cluster"), "default"},
	{"Service", root, "spec.allocateLoadBalancerNodePorts", dflt(true), "default"},
	{"Service", root, "spec.ports[*].protocol", dflt("TCP"), "default"},
	{"Service", root, "spec.ports[*].targetPort", targetPortIsPort, "defaults to port"},
	{"Secret", root, "type", dflt("Opaque"), "default"},

	// Same meaning, two spellings.
	{"Ingress", root, "metadata.annotations", classAnnotation, "kubernetes.io/ingress.class is the old spelling of spec.ingressClassName"},

	// Secrets: compared by hash, never held.
	{"Secret", root, "data", hashData, "values become sha256:<12 hex>"},
	{"Secret", root, "stringData", mergeStringData, "merged into data, hashed"},

	{"", metas, "annotations", empty, "nothing left"},
	{"", metas, "labels", empty, "nothing left"},
	{"", metas, "", empty, "nothing left (a template's metadata: {})"},
}

func (n noise) appliesTo(kind string) bool {
	return n.kinds == "" || slices.Contains(strings.Split(n.kinds, ","), kind)
}

// scope says where a row's path starts, so one row covers every pod spec
// (Deployment, StatefulSet, CronJob, bare Pod) and every container.
type scope int

const (
	root  scope = iota // the object
	metas              // each metadata block: object, pod template, claim templates
	pod                // each pod spec
	ctr                // each container, init and ephemeral container
	probe              // each liveness, readiness and startup probe
)

func (s scope) prefixes(kind string) []string {
	switch s {
	case metas:
		out := []string{"metadata", "spec.volumeClaimTemplates[*].metadata", "spec.jobTemplate.metadata"}
		if t := podTemplate(kind); t != "" {
			out = append(out, t+".metadata")
		}
		return out
	case pod:
		return podSpecs(kind)
	case ctr:
		return fanOut(podSpecs(kind), "containers[*]", "initContainers[*]", "ephemeralContainers[*]")
	case probe:
		return fanOut(ctr.prefixes(kind), "livenessProbe", "readinessProbe", "startupProbe")
	}
	return []string{""}
}

func fanOut(bases []string, suffixes ...string) []string {
	var out []string
	for _, b := range bases {
		for _, s := range suffixes {
			out = append(out, joinPath(b, s))
		}
	}
	return out
}

// podTemplate is where a kind keeps its pod template, "" when it has none.
func podTemplate(kind string) string {
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job":
		return "spec.template"
	case "CronJob":
		return "spec.jobTemplate.spec.template"
	}
	return ""
}

// podSpecs lists where a kind keeps its pod spec.
func podSpecs(kind string) []string {
	if kind == "Pod" {
		return []string{"spec"}
	}
	if t := podTemplate(kind); t != "" {
		return []string{t + ".spec"}
	}
	return nil
}
