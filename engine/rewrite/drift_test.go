package rewrite

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDriftScenario(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		source, target []string
		want           []Finding
	}{{
		name:   "checkout-api equal once mapped",
		source: kopsCheckout,
		target: eksCheckout,
	}, {
		name:   "ledger image tag and batch size",
		source: []string{ledger("111111111111", "2.3.1", "100")},
		target: []string{ledger("222222222222", "2.4.0", "250")},
		want: []Finding{
			{Kind: "StatefulSet", Name: "ledger", Path: "spec.template.spec.containers[ledger].env[LEDGER_BATCH_SIZE]", Source: "100", Target: "250"},
			{Kind: "StatefulSet", Name: "ledger", Path: "spec.template.spec.containers[ledger].image",
				Source: "222222222222.dkr.ecr.us-east-1.amazonaws.com/ledger:2.3.1", Target: "222222222222.dkr.ecr.us-east-1.amazonaws.com/ledger:2.4.0"},
			{Kind: "StatefulSet", Name: "ledger", Path: "spec.template.spec.initContainers[migrate].image",
				Source: "222222222222.dkr.ecr.us-east-1.amazonaws.com/ledger:2.3.1", Target: "222222222222.dkr.ecr.us-east-1.amazonaws.com/ledger:2.4.0"},
		},
	}, {
		name:   "orders-api replicas, cpu and password",
		source: []string{ordersAPI("111111111111", "3", "500m"), ordersSecret(b64(secretValue))},
		target: []string{ordersAPI("222222222222", "2", "250m"), ordersSecret(b64("n3w-0rders-Pa55"))},
		want: []Finding{
			{Kind: "Deployment", Name: "orders-api", Path: "spec.replicas", Source: "3", Target: "2"},
			{Kind: "Deployment", Name: "orders-api", Path: "spec.template.spec.containers[orders-api].resources.limits.cpu", Source: "500m", Target: "250m"},
			{Kind: "Secret", Name: "orders-db", Path: "data.password", Source: secretHash([]byte(secretValue)), Target: secretHash([]byte("n3w-0rders-Pa55")), Secret: true},
		},
	}, {
		name:   "refund-worker queue still in the old account",
		source: []string{refundConfig},
		target: []string{refundConfig},
		want: []Finding{{Kind: "ConfigMap", Name: "refund-worker-config", Path: "data.REFUNDS_QUEUE_URL",
			Source: "https://sqs.us-east-1.amazonaws.com/222222222222/refunds", Target: "https://sqs.us-east-1.amazonaws.com/111111111111/refunds"}},
	}, {
		name:   "invoice-renderer only on kops",
		source: []string{invoiceRenderer},
		want:   []Finding{{Kind: "Deployment", Name: "invoice-renderer", Source: present, Target: absent}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Drift(scenarioMapping(), objs(t, c.source...), objs(t, c.target...))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Drift:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestDriftNeedsTheMapping guards the scenario test above: without the
// mapping, checkout-api must show the expected differences as drift.
func TestDriftNeedsTheMapping(t *testing.T) {
	t.Parallel()
	got := Drift(Mapping{}, objs(t, kopsCheckout...), objs(t, eksCheckout...))
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Kind+" "+f.Path)
	}
	for _, want := range []string{
		"Deployment spec.template.spec.containers[checkout-api].image",
		"Deployment spec.template.spec.containers[checkout-api].env[PAYMENTS_TABLE_ARN]",
		"Deployment spec.template.spec.containers[checkout-api].env[INVOICE_BUCKET]",
		`Deployment spec.template.metadata.annotations["iam.amazonaws.com/role"]`,
		`Deployment spec.template.spec.nodeSelector["kops.k8s.io/instancegroup"]`,
		`ServiceAccount metadata.annotations["eks.amazonaws.com/role-arn"]`,
		"Ingress spec.ingressClassName",
		`Ingress metadata.annotations["nginx.ingress.kubernetes.io/proxy-body-size"]`,
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("unmapped drift lacks %q; got %q", want, paths)
		}
	}
}

func TestDriftDetails(t *testing.T) {
	t.Parallel()
	deploy := func(extra string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop" + extra + "}\n" +
			"spec: {template: {spec: {containers: [{name: web, image: web:1}]}}}\n"
	}
	cases := []struct {
		name           string
		m              Mapping
		source, target []string
		want           []string // "Path: Source -> Target"
	}{
		{"ignored annotation glob", Mapping{Ignore: Ignore{Annotations: []string{"argocd.argoproj.io/*"}}},
			[]string{deploy(", annotations: {argocd.argoproj.io/sync-wave: '1'}")}, []string{deploy("")}, nil},
		{"annotation not ignored", Mapping{},
			[]string{deploy(", annotations: {team: a}")}, []string{deploy(", annotations: {team: b}")},
			[]string{"metadata.annotations.team: a -> b"}},
		{"label only on target", Mapping{},
			[]string{deploy("")}, []string{deploy(", labels: {tier: web}")},
			[]string{"metadata.labels.tier: <absent> -> web"}},
		{"nginx annotations stay drift without nginx->alb", Mapping{},
			[]string{"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, annotations: {nginx.ingress.kubernetes.io/x: '1'}}}"},
			[]string{"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i}}"},
			[]string{`metadata.annotations["nginx.ingress.kubernetes.io/x"]: 1 -> <absent>`}},
		{"container only on one side", Mapping{},
			[]string{deploy("")},
			[]string{"{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: shop}, spec: {template: {spec: {containers: [{name: web, image: 'web:1'}, {name: proxy, image: 'envoy:1'}]}}}}"},
			[]string{`spec.template.spec.containers[proxy]: <absent> -> {"image":"envoy:1","name":"proxy"}`}},
		{"service account token secrets are not drift", Mapping{},
			[]string{"{apiVersion: v1, kind: Secret, type: kubernetes.io/service-account-token, metadata: {name: web-token-abc}}"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range Drift(c.m, objs(t, c.source...), objs(t, c.target...)) {
				got = append(got, f.Path+": "+f.Source+" -> "+f.Target)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestDriftOrder: the same objects in any order give the same findings.
func TestDriftOrder(t *testing.T) {
	t.Parallel()
	src := []string{ledger("111111111111", "2.3.1", "100"), ordersAPI("111111111111", "3", "500m"), invoiceRenderer}
	tgt := []string{ordersAPI("222222222222", "2", "250m"), ledger("222222222222", "2.4.0", "250")}
	first := Drift(scenarioMapping(), objs(t, src...), objs(t, tgt...))
	slices.Reverse(src)
	slices.Reverse(tgt)
	again := Drift(scenarioMapping(), objs(t, src...), objs(t, tgt...))
	if len(first) != 6 || !reflect.DeepEqual(first, again) {
		t.Errorf("order-dependent or wrong findings:\n%+v\n%+v", first, again)
	}
	for i := 1; i < len(first); i++ {
		if strings.Compare(first[i-1].Kind+first[i-1].Name, first[i].Kind+first[i].Name) > 0 {
			t.Errorf("findings not sorted by kind and name: %+v", first)
		}
	}
}
