package sandbox

import (
	corev1 "k8s.io/api/core/v1"
)

// svc is one row of SCENARIO.md's service table resolved for one side. Builders in
// scenario_build.go turn it into a ServiceAccount, Service, workload and Ingress.
type svc struct {
	namespace string
	name      string
	stateful  bool // ledger: a StatefulSet, every other service a Deployment
	tag       string
	replicas  int32
	cpuLimit  string
	port      string // "http" (8080, Service port 80) or "metrics" (9090)
	host      string // Ingress host; empty means no Ingress
	role      bool   // owns an IAM role: kube2iam on kops, IRSA on eks
	env       []corev1.EnvVar
	envFrom   string // ConfigMap loaded whole into the environment
	configVol string // ConfigMap mounted at /etc/<name>
	dataVol   string // emptyDir mount path (ledger's stand-in for a volume claim)
	initArgs  []string
	logs      logProfile
	behavior  string // value of BehaviorLabel; empty for healthy pods
}

// logProfile drives the sandbox's log writer through pod annotations.
type logProfile struct {
	profile string // http-json, http-plain, worker-json, worker-plain, crashloop
	rate    string // lines per second per container
	errors  string // fraction of error lines
	inject  string // side-only error message; empty for none
}

// Namespace names, in the order they are seeded.
const (
	nsPayments = "payments"
	nsOrders   = "orders"
	nsPlatform = "platform"
)

// The Secret's value is distinctive so tests can prove ferry never prints it.
const ordersDBPassword = "s3cr3t-0rders-Pa55!"

// services is SCENARIO.md's table for one side. Drift is spelled with pick so each
// deliberate difference between kops and eks sits next to the field it changes.
func services(s side) []svc {
	out := []svc{checkoutAPI(s), ledger(s), refundWorker(s), ordersAPI(s), fulfillmentWorker(s)}
	if !s.isEKS() {
		out = append(out, invoiceRenderer(s)) // not migrated yet: only on kops
	}
	return append(out, authGateway(), featureFlags())
}

func checkoutAPI(s side) svc {
	return svc{
		namespace: nsPayments, name: "checkout-api", tag: "1.8.2", replicas: 2, cpuLimit: "250m",
		port: "http", host: "checkout.acme.internal", role: true,
		env: env(
			"AWS_REGION", Region,
			"ORDERS_TABLE_ARN", s.tableARN("orders"),
			"ASSETS_BUCKET", s.bucket("assets"),
			"LEDGER_URL", "http://ledger.payments.svc.cluster.local",
		),
		logs: logProfile{profile: "http-json", rate: "2", errors: "0.02", inject: pick(s, "",
			"POST /v1/checkout: call fraud-score at http://fraud-score.payments.svc.cluster.local/v1/score "+
				"failed: context deadline exceeded after 2s (request id {uuid})")},
	}
}

func ledger(s side) svc {
	return svc{
		namespace: nsPayments, name: "ledger", stateful: true, replicas: 1, cpuLimit: "250m",
		tag: pick(s, "2.3.1", "2.4.0"), port: "http", role: true,
		env: env(
			"AWS_REGION", Region,
			"LEDGER_TABLE_ARN", s.tableARN("ledger-entries"),
			"LEDGER_BATCH_SIZE", pick(s, "100", "250"),
		),
		dataVol:  "/var/lib/ledger",
		initArgs: []string{"migrate", "--table", "$(LEDGER_TABLE_ARN)"},
		logs:     logProfile{profile: "http-json", rate: "1", errors: "0.01"},
	}
}

func refundWorker(s side) svc {
	return svc{
		namespace: nsPayments, name: "refund-worker", tag: "1.2.0", replicas: 1, cpuLimit: "250m",
		port: "metrics", env: env("AWS_REGION", Region), envFrom: "refund-worker-config",
		logs: logProfile{profile: "worker-plain", rate: "1", errors: "0.02", inject: pick(s, "",
			"publish refund {n} to "+kopsSide.queueURL("refunds")+
				" failed: AccessDenied: cross-account access denied (request id {uuid})")},
	}
}

func ordersAPI(s side) svc {
	e := env(
		"AWS_REGION", Region,
		"ORDERS_TABLE_ARN", s.tableARN("orders"),
		"FULFILLMENT_QUEUE_URL", s.queueURL("orders-fulfillment"),
		"DB_HOST", "orders-db.acme.internal",
		"DB_USER", "orders",
	)
	return svc{
		namespace: nsOrders, name: "orders-api", tag: "3.1.4", port: "http", host: "orders.acme.internal",
		replicas: pick[int32](s, 3, 2), cpuLimit: pick(s, "500m", "250m"),
		env:      append(e, secretEnv("DB_PASSWORD", "orders-db", "password")),
		initArgs: []string{"wait-for-db", "--host", "$(DB_HOST)", "--timeout", "60s"},
		logs:     logProfile{profile: "http-json", rate: "3", errors: "0.02"},
	}
}

func fulfillmentWorker(s side) svc {
	return svc{
		namespace: nsOrders, name: "fulfillment-worker", tag: "1.5.0", replicas: 1, cpuLimit: "250m",
		port: "metrics",
		env: env(
			"AWS_REGION", Region,
			"FULFILLMENT_QUEUE_URL", s.queueURL("orders-fulfillment"),
			"FULFILLMENT_DLQ_ARN", s.queueARN("orders-fulfillment-dlq"),
			"ORDERS_TABLE_ARN", s.tableARN("orders"),
		),
		logs:     logProfile{profile: pick(s, "worker-json", "crashloop"), rate: "2", errors: "0.01"},
		behavior: pick(s, "", "crashloop"),
	}
}

func invoiceRenderer(s side) svc {
	return svc{
		namespace: nsOrders, name: "invoice-renderer", tag: "0.9.3", replicas: 1, cpuLimit: "250m",
		port: "metrics",
		env: env(
			"AWS_REGION", Region,
			"INVOICE_BUCKET", s.bucket("invoices"),
			"ORDERS_TABLE_ARN", s.tableARN("orders"),
		),
		logs: logProfile{profile: "worker-plain", rate: "1", errors: "0.01"},
	}
}

func authGateway() svc {
	return svc{
		namespace: nsPlatform, name: "auth-gateway", tag: "2.0.1", replicas: 2, cpuLimit: "250m",
		port: "http", host: "auth.acme.internal",
		env: env(
			"UPSTREAM_CHECKOUT", "http://checkout-api.payments.svc.cluster.local",
			"UPSTREAM_ORDERS", "http://orders-api.orders.svc.cluster.local",
			"SESSION_TTL", "30m",
		),
		logs: logProfile{profile: "http-json", rate: "2", errors: "0.01"},
	}
}

func featureFlags() svc {
	return svc{
		namespace: nsPlatform, name: "feature-flags", tag: "1.1.0", replicas: 1, cpuLimit: "250m",
		port: "http", configVol: "feature-flags",
		env:  env("FLAGS_FILE", "/etc/feature-flags/flags.yaml"),
		logs: logProfile{profile: "http-plain", rate: "1", errors: "0.01"},
	}
}

// env builds plain env vars from name/value pairs, keeping the table above readable.
func env(pairs ...string) []corev1.EnvVar {
	out := make([]corev1.EnvVar, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, corev1.EnvVar{Name: pairs[i], Value: pairs[i+1]})
	}
	return out
}

func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
		},
	}}
}
