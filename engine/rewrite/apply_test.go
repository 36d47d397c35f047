package rewrite

import (
	"reflect"
	"testing"
)

// TestRewriteStrings: one rule per row, input string -> output string.
func TestRewriteStrings(t *testing.T) {
	t.Parallel()
	m := scenarioMapping()
	m.Names = append(m.Names, Rename{Kind: "queue", From: "orders-fulfillment", To: "orders-fulfillment-v2"})
	cases := []struct{ name, in, want string }{
		{"ARN account", "arn:aws:dynamodb:us-east-1:111111111111:table/ledger-entries", "arn:aws:dynamodb:us-east-1:222222222222:table/ledger-entries"},
		{"queue URL", "https://sqs.us-east-1.amazonaws.com/111111111111/refunds", "https://sqs.us-east-1.amazonaws.com/222222222222/refunds"},
		{"ECR host", "111111111111.dkr.ecr.us-east-1.amazonaws.com", "222222222222.dkr.ecr.us-east-1.amazonaws.com"},
		{"id in a longer number stays", "91111111111119", "91111111111119"},
		{"unknown account stays", "333333333333", "333333333333"},
		{"bucket by prefix rule", "acme-legacy-invoices", "acme-platform-invoices"},
		{"bucket in S3 URL", "s3://acme-legacy-invoices/invoices/2026/", "s3://acme-platform-invoices/invoices/2026/"},
		{"bucket in ARN", "arn:aws:s3:::acme-legacy-assets/*", "arn:aws:s3:::acme-platform-assets/*"},
		{"bucket host", "https://acme-legacy-assets.s3.amazonaws.com/logo.png", "https://acme-platform-assets.s3.amazonaws.com/logo.png"},
		{"prefix must start the token", "old-acme-legacy-invoices", "old-acme-legacy-invoices"},
		{"exact rule, whole token", "orders-fulfillment", "orders-fulfillment-v2"},
		{"exact rule, longer token stays", "orders-fulfillment-dlq", "orders-fulfillment-dlq"},
		{"name and account in one ARN", "arn:aws:sqs:us-east-1:111111111111:orders-fulfillment", "arn:aws:sqs:us-east-1:222222222222:orders-fulfillment-v2"},
		{"several in a sentence", "copy acme-legacy-a to acme-legacy-b", "copy acme-platform-a to acme-platform-b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := rewriteString(m, c.in); got != c.want {
				t.Errorf("rewriteString(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// TestApplyToSource: one rule per row, a field of an object before -> after.
func TestApplyToSource(t *testing.T) {
	t.Parallel()
	m := scenarioMapping()
	m.Registries["docker.io/acme"] = "222222222222.dkr.ecr.us-east-1.amazonaws.com/acme"
	m.Namespaces = map[string]string{"payments": "payments-v2"}
	ctr := func(f string) []any { return []any{"spec", "template", "spec", "containers", 0, f} }
	deploy := func(podSpec string) string {
		return "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: payments}, spec: {template: {metadata: {annotations: {iam.amazonaws.com/role: r, team: a}}, spec: " + podSpec + "}}}"
	}
	cases := []struct {
		name, manifest string
		path           []any
		want           any // nil: the field is gone
	}{
		{"ECR registry", deploy("{containers: [{name: c, image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/c:1'}]}"), ctr("image"), "222222222222.dkr.ecr.us-east-1.amazonaws.com/c:1"},
		{"other registry", deploy("{containers: [{name: c, image: 'docker.io/acme/c:1'}]}"), ctr("image"), "222222222222.dkr.ecr.us-east-1.amazonaws.com/acme/c:1"},
		{"init container registry", deploy("{containers: [], initContainers: [{name: i, image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/i:1'}]}"),
			[]any{"spec", "template", "spec", "initContainers", 0, "image"}, "222222222222.dkr.ecr.us-east-1.amazonaws.com/i:1"},
		{"env ARN", deploy("{containers: [{name: c, env: [{name: Q, value: 'arn:aws:sqs:us-east-1:111111111111:refunds'}]}]}"),
			[]any{"spec", "template", "spec", "containers", 0, "env", 0, "value"}, "arn:aws:sqs:us-east-1:222222222222:refunds"},
		{"env bucket", deploy("{containers: [{name: c, env: [{name: B, value: acme-legacy-invoices}]}]}"),
			[]any{"spec", "template", "spec", "containers", 0, "env", 0, "value"}, "acme-platform-invoices"},
		{"kube2iam annotation removed", deploy("{containers: []}"), []any{"spec", "template", "metadata", "annotations", "iam.amazonaws.com/role"}, nil},
		{"other pod annotation kept", deploy("{containers: []}"), []any{"spec", "template", "metadata", "annotations", "team"}, "a"},
		{"node selector", deploy("{containers: [], nodeSelector: {kops.k8s.io/instancegroup: nodes-us-east-1a, disk: ssd}}"),
			[]any{"spec", "template", "spec", "nodeSelector"}, map[string]any{"eks.amazonaws.com/nodegroup": "general-1", "disk": "ssd"}},
		{"node selector of another group stays", deploy("{containers: [], nodeSelector: {kops.k8s.io/instancegroup: gpu}}"),
			[]any{"spec", "template", "spec", "nodeSelector"}, map[string]any{"kops.k8s.io/instancegroup": "gpu"}},
		{"node affinity term", deploy("{containers: [], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kops.k8s.io/instancegroup, operator: In, values: [nodes-us-east-1a]}]}]}}}}"),
			[]any{"spec", "template", "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", 0, "matchExpressions"},
			[]any{map[string]any{"key": "eks.amazonaws.com/nodegroup", "operator": "In", "values": []any{"general-1"}}}},
		{"namespace", deploy("{containers: []}"), []any{"metadata", "namespace"}, "payments-v2"},
		{"storage class in claim template", "{kind: StatefulSet, spec: {volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: gp2}}]}}",
			[]any{"spec", "volumeClaimTemplates", 0, "spec", "storageClassName"}, "gp3"},
		{"storage class of a claim", "{kind: PersistentVolumeClaim, spec: {storageClassName: gp2}}", []any{"spec", "storageClassName"}, "gp3"},
		{"unmapped storage class stays", "{kind: PersistentVolumeClaim, spec: {storageClassName: io2}}", []any{"spec", "storageClassName"}, "io2"},
		{"ingressClassName", "{kind: Ingress, spec: {ingressClassName: nginx}}", []any{"spec", "ingressClassName"}, "alb"},
		{"ingress class annotation", "{kind: Ingress, metadata: {annotations: {kubernetes.io/ingress.class: nginx}}}",
			[]any{"metadata", "annotations", "kubernetes.io/ingress.class"}, "alb"},
		{"annotation value", "{kind: Ingress, metadata: {annotations: {x/certificate-arn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc'}}}",
			[]any{"metadata", "annotations", "x/certificate-arn"}, "arn:aws:acm:us-east-1:222222222222:certificate/abc"},
		{"configmap data", refundConfig, []any{"data", "REFUNDS_QUEUE_URL"}, "https://sqs.us-east-1.amazonaws.com/222222222222/refunds"},
		{"secret data decoded, rewritten, encoded", "{kind: Secret, data: {arn: " + b64("arn:aws:iam::111111111111:role/x") + "}}",
			[]any{"data", "arn"}, b64("arn:aws:iam::222222222222:role/x")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := obj(t, c.manifest)
			before, _ := dig(in, c.path...)
			got, ok := dig(ApplyToSource(m, in), c.path...)
			if !ok {
				got = nil
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
			}
			if after, _ := dig(in, c.path...); !reflect.DeepEqual(before, after) {
				t.Errorf("ApplyToSource changed its input")
			}
		})
	}
}

func TestApplyToServiceIRSA(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:iam::222222222222:role/checkout-api"
	workload := func(role, sa string) string {
		return "{apiVersion: apps/v1, kind: Deployment, metadata: {name: w, namespace: payments}, spec: {template: {metadata: {annotations: {iam.amazonaws.com/role: '" +
			role + "'}}, spec: {" + sa + "containers: [{name: c, image: i}]}}}}"
	}
	const sa = "{apiVersion: v1, kind: ServiceAccount, metadata: {name: checkout-api, namespace: payments}}"
	twoAccounts := scenarioMapping()
	twoAccounts.Accounts = map[string]string{"111111111111": "222222222222", "333333333333": "444444444444"}
	cases := []struct {
		name    string
		m       Mapping
		objs    []string
		saName  string
		wantARN string
	}{
		{"bare role name", scenarioMapping(), []string{workload("checkout-api", "serviceAccountName: checkout-api, "), sa}, "checkout-api", arn},
		{"old-account ARN", scenarioMapping(), []string{workload("arn:aws:iam::111111111111:role/checkout-api", "serviceAccountName: checkout-api, "), sa}, "checkout-api", arn},
		{"ServiceAccount added when absent", scenarioMapping(), []string{workload("checkout-api", "serviceAccountName: checkout-api, ")}, "checkout-api", arn},
		{"default ServiceAccount", scenarioMapping(), []string{workload("checkout-api", "")}, "default", arn},
		{"ambiguous target account keeps the bare name", twoAccounts, []string{workload("checkout-api", "serviceAccountName: checkout-api, "), sa}, "checkout-api", "checkout-api"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, o := range ApplyToService(c.m, objs(t, c.objs...)) {
				if o.GetKind() == "ServiceAccount" && o.GetName() == c.saName && o.GetNamespace() == "payments" {
					got = append(got, o.GetAnnotations()[irsaAnnotation])
				}
			}
			if len(got) != 1 || got[0] != c.wantARN {
				t.Errorf("ServiceAccount %s role-arn = %q, want [%q]", c.saName, got, c.wantARN)
			}
		})
	}
}

func TestApplyWithoutIRSAKeepsKube2iam(t *testing.T) {
	t.Parallel()
	m := scenarioMapping()
	m.IRSA = false
	out := ApplyToService(m, objs(t, kopsCheckout...))
	role, _ := dig(out[0], "spec", "template", "metadata", "annotations", "iam.amazonaws.com/role")
	sa := out[len(out)-1].GetAnnotations()[irsaAnnotation]
	if role != "checkout-api" || sa != "" {
		t.Errorf("kube2iam role %v, IRSA annotation %q; want the role kept and no IRSA", role, sa)
	}
}
