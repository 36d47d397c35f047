package rewrite

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// The fixtures follow sandbox/SCENARIO.md: kops (account 111111111111) on
// the source side, eks (222222222222) on the target side.

// secretValue is the seeded value that must never appear in any output.
const secretValue = "s3cr3t-0rders-Pa55!"

func scenarioMapping() Mapping {
	return Mapping{
		Accounts:       map[string]string{"111111111111": "222222222222"},
		Registries:     map[string]string{"111111111111.dkr.ecr.us-east-1.amazonaws.com": "222222222222.dkr.ecr.us-east-1.amazonaws.com"},
		Names:          []Rename{{Kind: "bucket", From: "acme-legacy-*", To: "acme-platform-*"}},
		StorageClasses: map[string]string{"gp2": "gp3"},
		IngressClasses: map[string]string{"nginx": "alb"},
		NodeSelectors: []NodeSelectorRule{{
			From: map[string]string{"kops.k8s.io/instancegroup": "nodes-us-east-1a"},
			To:   map[string]string{"eks.amazonaws.com/nodegroup": "general-1"},
		}},
		IRSA:   true,
		Ignore: Ignore{Annotations: []string{"sandbox.ferry.dev/*"}, Labels: []string{"sandbox.ferry.dev/*"}},
	}
}

// obj parses a YAML manifest the way the inventory's objects look: through
// JSON into unstructured, so integers are int64 as from the converter.
func obj(t testing.TB, manifest string) *unstructured.Unstructured {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(j); err != nil {
		t.Fatalf("fixture: %v\n%s", err, manifest)
	}
	return u
}

func objs(t testing.TB, manifests ...string) []*unstructured.Unstructured {
	t.Helper()
	out := make([]*unstructured.Unstructured, len(manifests))
	for i, m := range manifests {
		out[i] = obj(t, m)
	}
	return out
}

// checkout-api: equal once mapped. kops spells out defaults and server
// fields, eks leaves them out; registry, ARN, node selector, kube2iam vs
// IRSA, nginx vs alb, sandbox annotations all differ as expected.
var kopsCheckout = []string{`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout-api
  namespace: payments
  uid: 7d1c-kops
  resourceVersion: "4711"
  generation: 3
  creationTimestamp: "2024-01-02T03:04:05Z"
  annotations:
    deployment.kubernetes.io/revision: "3"
    kubectl.kubernetes.io/last-applied-configuration: '{"kind":"Deployment"}'
  managedFields: [{manager: kubectl, operation: Apply}]
spec:
  replicas: 2
  progressDeadlineSeconds: 600
  revisionHistoryLimit: 10
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  selector: {matchLabels: {app: checkout-api}}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: checkout-api}
      annotations:
        iam.amazonaws.com/role: checkout-api
        sandbox.ferry.dev/logs: http-json
    spec:
      serviceAccountName: checkout-api
      serviceAccount: checkout-api
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
      nodeSelector: {kops.k8s.io/instancegroup: nodes-us-east-1a}
      containers:
      - name: checkout-api
        image: 111111111111.dkr.ecr.us-east-1.amazonaws.com/checkout-api:1.8.0
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        resources: {}
        ports: [{containerPort: 8080, protocol: TCP, name: http}]
        env:
        - {name: PAYMENTS_TABLE_ARN, value: "arn:aws:dynamodb:us-east-1:111111111111:table/payments"}
        - {name: INVOICE_BUCKET, value: acme-legacy-invoices}
        readinessProbe: {httpGet: {path: /healthz, port: 8080, scheme: HTTP}, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3}
status: {replicas: 2, readyReplicas: 2}
`, `
apiVersion: v1
kind: Service
metadata: {name: checkout-api, namespace: payments, uid: svc-kops}
spec:
  type: ClusterIP
  clusterIP: 100.64.12.7
  clusterIPs: [100.64.12.7]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  internalTrafficPolicy: Cluster
  sessionAffinity: None
  selector: {app: checkout-api}
  ports: [{name: http, port: 8080, targetPort: 8080, protocol: TCP}]
`, `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: checkout-api
  namespace: payments
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  rules:
  - host: checkout.acme.internal
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: checkout-api, port: {number: 8080}}}}]}
`, `
apiVersion: v1
kind: ServiceAccount
metadata: {name: checkout-api, namespace: payments}
secrets: [{name: checkout-api-token-x7k2p}]
`}

var eksCheckout = []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout-api, namespace: payments, uid: 9f3a-eks, generation: 1}
spec:
  replicas: 2
  selector: {matchLabels: {app: checkout-api}}
  template:
    metadata:
      labels: {app: checkout-api}
      annotations: {sandbox.ferry.dev/logs: http-json, sandbox.ferry.dev/log-inject: AccessDenied}
    spec:
      serviceAccountName: checkout-api
      nodeSelector: {eks.amazonaws.com/nodegroup: general-1}
      containers:
      - name: checkout-api
        image: 222222222222.dkr.ecr.us-east-1.amazonaws.com/checkout-api:1.8.0
        ports: [{containerPort: 8080, name: http}]
        env:
        - {name: PAYMENTS_TABLE_ARN, value: "arn:aws:dynamodb:us-east-1:222222222222:table/payments"}
        - {name: INVOICE_BUCKET, value: acme-platform-invoices}
        readinessProbe: {httpGet: {path: /healthz, port: 8080}}
`, `
apiVersion: v1
kind: Service
metadata: {name: checkout-api, namespace: payments}
spec:
  clusterIP: 10.100.3.9
  clusterIPs: [10.100.3.9]
  selector: {app: checkout-api}
  ports: [{name: http, port: 8080}]
`, `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: checkout-api
  namespace: payments
  annotations: {alb.ingress.kubernetes.io/scheme: internal}
spec:
  ingressClassName: alb
  rules:
  - host: checkout.acme.internal
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: checkout-api, port: {number: 8080}}}}]}
`, `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: checkout-api
  namespace: payments
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::222222222222:role/checkout-api"}
`}

// ledger: image tag and LEDGER_BATCH_SIZE drift; the table ARN is mapped.
func ledger(account, tag, batch string) string {
	return `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ledger, namespace: payments}
spec:
  serviceName: ledger
  replicas: 1
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      initContainers:
      - {name: migrate, image: "` + account + `.dkr.ecr.us-east-1.amazonaws.com/ledger:` + tag + `", args: [migrate]}
      containers:
      - name: ledger
        image: ` + account + `.dkr.ecr.us-east-1.amazonaws.com/ledger:` + tag + `
        env:
        - {name: LEDGER_TABLE_ARN, value: "arn:aws:dynamodb:us-east-1:` + account + `:table/ledger-entries"}
        - {name: LEDGER_BATCH_SIZE, value: "` + batch + `"}
        volumeMounts: [{name: data, mountPath: /var/lib/ledger}]
      volumes: [{name: data, emptyDir: {}}]
`
}

// orders-api: replicas and cpu limit drift, and the orders-db Secret.
func ordersAPI(account string, replicas, cpu string) string {
	return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders-api, namespace: orders}
spec:
  replicas: ` + replicas + `
  selector: {matchLabels: {app: orders-api}}
  template:
    metadata: {labels: {app: orders-api}}
    spec:
      initContainers: [{name: wait-for-db, image: "` + account + `.dkr.ecr.us-east-1.amazonaws.com/wait-for:1.0"}]
      containers:
      - name: orders-api
        image: ` + account + `.dkr.ecr.us-east-1.amazonaws.com/orders-api:3.2.0
        resources: {limits: {cpu: ` + cpu + `, memory: 256Mi}}
        env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: orders-db, key: password}}}]
`
}

// ordersSecret carries the seeded value in data and, as kubectl apply
// leaves it, in the last-applied annotation.
func ordersSecret(b64 string) string {
	return `
apiVersion: v1
kind: Secret
type: Opaque
metadata:
  name: orders-db
  namespace: orders
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"` + secretValue + `"}}'
data: {password: ` + b64 + `}
`
}

// refundConfig is the ConfigMap eks still points at the old queue with.
const refundConfig = `
apiVersion: v1
kind: ConfigMap
metadata: {name: refund-worker-config, namespace: payments}
data: {REFUNDS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/111111111111/refunds"}
`

const invoiceRenderer = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: invoice-renderer, namespace: orders}
spec:
  template:
    spec:
      containers: [{name: invoice-renderer, image: "111111111111.dkr.ecr.us-east-1.amazonaws.com/invoice-renderer:1.0", env: [{name: INVOICE_BUCKET, value: acme-legacy-invoices}]}]
`
