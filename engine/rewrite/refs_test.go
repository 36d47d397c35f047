package rewrite

import (
	"reflect"
	"testing"
)

// TestReferencesScenario: of the eks side, only refund-worker's ConfigMap
// still points at the old account.
func TestReferencesScenario(t *testing.T) {
	t.Parallel()
	eks := append([]string{
		ledger("222222222222", "2.4.0", "250"),
		ordersAPI("222222222222", "2", "250m"),
		ordersSecret(b64("n3w-0rders-Pa55")),
		refundConfig,
	}, eksCheckout...)
	got := References(scenarioMapping(), objs(t, eks...))
	want := []Reference{{Kind: "ConfigMap", Namespace: "payments", Name: "refund-worker-config", Path: "data.REFUNDS_QUEUE_URL",
		Match: "https://sqs.us-east-1.amazonaws.com/111111111111/refunds", Why: "old account 111111111111"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("References:\n got %+v\nwant %+v", got, want)
	}
}

// TestReferencesFound: one kind of leftover per row, where it is found and
// what is reported as the match.
func TestReferencesFound(t *testing.T) {
	t.Parallel()
	const ctrs = "spec.template.spec.containers[worker]"
	worker := func(field string) string {
		return "{apiVersion: apps/v1, kind: Deployment, metadata: {name: w, namespace: ns}, spec: {template: {spec: {containers: [{name: worker, " + field + "}]}}}}"
	}
	cm := func(k, v string) string {
		return "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns}, data: {'" + k + "': '" + v + "'}}"
	}
	cases := []struct {
		name, manifest string
		want           []string // Path | Match | Why
	}{
		{"env queue URL", worker("env: [{name: QUEUE_URL, value: 'https://sqs.us-east-1.amazonaws.com/111111111111/refunds'}]"),
			[]string{ctrs + ".env[QUEUE_URL] | https://sqs.us-east-1.amazonaws.com/111111111111/refunds | old account 111111111111"}},
		{"image on the old ECR", worker("image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/w:1'"),
			[]string{ctrs + ".image | 111111111111.dkr.ecr.us-east-1.amazonaws.com | old account 111111111111"}},
		{"ARN in a JSON value", cm("policy.json", `{"Resource": "arn:aws:sqs:us-east-1:111111111111:refunds"}`),
			[]string{`data["policy.json"] | arn:aws:sqs:us-east-1:111111111111:refunds | old account 111111111111`}},
		{"ARN glued to other text", cm("X", "abc:arn:aws:iam::111111111111:role/app."),
			[]string{"data.X | arn:aws:iam::111111111111:role/app | old account 111111111111"}},
		{"bare account id", cm("ACCOUNT", "111111111111"), []string{"data.ACCOUNT | 111111111111 | old account 111111111111"}},
		{"URL without credentials and query", cm("URL", "https://u:pw@sqs.us-east-1.amazonaws.com/111111111111/q?sig=abc"),
			[]string{"data.URL | https://sqs.us-east-1.amazonaws.com/111111111111/q | old account 111111111111"}},
		{"id inside a longer number", cm("N", "91111111111119"), nil},
		{"new account", cm("A", "arn:aws:iam::222222222222:role/x"), nil},
		{"old bucket name", worker("env: [{name: INVOICE_BUCKET, value: acme-legacy-invoices}]"),
			[]string{ctrs + ".env[INVOICE_BUCKET] | acme-legacy-invoices | old bucket name acme-legacy-invoices"}},
		{"old bucket in an S3 ARN", cm("B", "arn:aws:s3:::acme-legacy-assets/*"),
			[]string{"data.B | acme-legacy-assets | old bucket name acme-legacy-assets"}},
		{"annotation", "{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: ns, annotations: {alb.ingress.kubernetes.io/certificate-arn: 'arn:aws:acm:us-east-1:111111111111:certificate/c1'}}}",
			[]string{`metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"] | arn:aws:acm:us-east-1:111111111111:certificate/c1 | old account 111111111111`}},
		{"ignored annotation", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns, annotations: {sandbox.ferry.dev/note: '111111111111'}}}", nil},
		{"secret: only the ARN, not the value", "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: ns}, data: {creds: " +
			b64(`{"password":"`+secretValue+`","role":"arn:aws:iam::111111111111:role/app"}`) + "}}",
			[]string{"data.creds | arn:aws:iam::111111111111:role/app | old account 111111111111"}},
		{"secret stringData", "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: ns}, stringData: {bucket: acme-legacy-invoices}}",
			[]string{"data.bucket | acme-legacy-invoices | old bucket name acme-legacy-invoices"}},
		{"binaryData decoded", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns}, binaryData: {blob: " + b64("acct=111111111111") + "}}",
			[]string{"binaryData.blob | 111111111111 | old account 111111111111"}},
		{"last-applied annotation is not scanned twice", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns, annotations: {kubectl.kubernetes.io/last-applied-configuration: '111111111111'}}, data: {A: '111111111111'}}",
			[]string{"data.A | 111111111111 | old account 111111111111"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range References(scenarioMapping(), objs(t, c.manifest)) {
				got = append(got, r.Path+" | "+r.Match+" | "+r.Why)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestReferencesOrder: sorted by kind, namespace, name, path, whatever the
// input order.
func TestReferencesOrder(t *testing.T) {
	t.Parallel()
	in := []string{
		"{apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: ns}, data: {Z: '111111111111', A: acme-legacy-x}}",
		"{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: ns}, data: {A: '111111111111'}}",
	}
	got := References(scenarioMapping(), objs(t, in...))
	var keys []string
	for _, r := range got {
		keys = append(keys, r.Name+"/"+r.Path)
	}
	want := []string{"a/data.A", "b/data.A", "b/data.Z"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("order %q, want %q", keys, want)
	}
}
