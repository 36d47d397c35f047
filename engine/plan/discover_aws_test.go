//go:build !ferrylogs

package plan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// summary renders found as "key: name[note]{users} ..." per kind, or
// "key: ERROR" for a failed listing, for compact comparisons.
func summary(found AWSFound) string {
	var b strings.Builder
	for _, k := range found.Kinds {
		b.WriteString(k.Key + ":")
		if k.Err != nil {
			b.WriteString(" ERROR")
		}
		for _, r := range k.Resources {
			b.WriteString(" " + r.Name)
			if r.Note != "" {
				b.WriteString("[" + r.Note + "]")
			}
			if len(r.UsedBy) > 0 {
				b.WriteString("{" + strings.Join(r.UsedBy, ",") + "}")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestDiscoverAWSListsEveryKindPageByPage(t *testing.T) {
	t.Parallel()
	acct := oldAccount()
	var progress []string
	found, err := DiscoverAWS(t.Context(), acct.clients(), func(what string) { progress = append(progress, what) })
	if err != nil {
		t.Fatal(err)
	}
	want := `sqs: legacy-events orders-fulfillment orders-fulfillment-dlq refunds
dynamodb: ledger-entries orders sessions
s3: acme-legacy-assets acme-legacy-invoices acme-legacy-logs cf-templates-111111111111
iam: checkout-api ledger nodes.kops.acme.internal
rds: orders-db[postgres]
rdsClusters: events[aurora-mysql, 2 members] reports[aurora-postgresql, 1 member]
route53: acme.example[public zone] acme.internal[public and private zones of this name]
secrets: legacy/api-key orders/db-password
ssm: /orders/db/host /orders/queue-url feature-x
`
	if got := summary(found); got != want {
		t.Errorf("found:\n%s\nwant:\n%s", got, want)
	}
	for key, pages := range map[string]int{"sqs": 2, "dynamodb": 2, "s3": 2, "iam": 2, "rds": 2, "rdsClusters": 2, "route53": 2, "secrets": 2, "ssm": 2} {
		if acct.calls[key] != pages {
			t.Errorf("%s: %d calls, want one per page (%d)", key, acct.calls[key], pages)
		}
	}
	wantProgress := "queues,tables,buckets,roles,DB instances,DB clusters,hosted zones,secrets,parameters"
	if got := strings.Join(progress, ","); got != wantProgress {
		t.Errorf("progress = %s, want %s", got, wantProgress)
	}
}

func TestDiscoverAWSKeepsGoingWhenAKindFails(t *testing.T) {
	t.Parallel()
	acct := oldAccount()
	acct.fail = map[string]error{
		"iam": &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: iam:ListRoles"},
		"ssm": errors.New("operation error SSM: DescribeParameters, https response error StatusCode: 501,\nnot implemented"),
	}
	found, err := DiscoverAWS(t.Context(), acct.clients(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := summary(found)
	for _, want := range []string{"iam: ERROR\n", "ssm: ERROR\n", "sqs: legacy-events orders-fulfillment", "secrets: legacy/api-key orders/db-password\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("found lacks %q:\n%s", want, got)
		}
	}
	out := renderWith(t, found)
	for _, want := range []string{
		"  # Listing the roles failed, so only those the workloads name are listed. Grant iam:ListRoles\n" +
			"  # and run ferry init again, or list them by hand. The error: api error AccessDenied: User: arn:aws:iam::111111111111:user/ci is not authorized to perform: iam:ListRoles\n" +
			"  iam: []\n",
		"The error: operation error SSM: DescribeParameters, https response error StatusCode: 501, not implemented\n  ssm: []\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if _, err := Parse("ferry.yaml", []byte(out)); err != nil {
		t.Errorf("a plan with nothing referenced must parse as written: %v\n%s", err, out)
	}
}

func TestDiscoverAWSStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := DiscoverAWS(ctx, oldAccount().clients(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestGroupParameters(t *testing.T) {
	t.Parallel()
	few := []string{"/orders/db/host", "/orders/db/password", "plain"}
	if got := names(groupParameters(few)); got != "/orders/db/host /orders/db/password plain" {
		t.Errorf("few parameters are listed by name, got %s", got)
	}
	many := []string{"/solo/only", "root", "/flat"}
	for i := range 12 {
		many = append(many, "/orders/p"+string(rune('a'+i)), "/billing/x/p"+string(rune('a'+i)))
	}
	got := groupParameters(many)
	if names(got) != "/solo/only root /flat /orders/ /billing/" {
		t.Errorf("many parameters: %s; want groups for the shared paths only", names(got))
	}
	if got[3].Note != "12 parameters" {
		t.Errorf("/orders/ note = %q", got[3].Note)
	}
}

func names(rs []FoundResource) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return strings.Join(out, " ")
}

// referencingCluster is a source cluster whose workloads name the old
// account's resources in every way MarkReferences reads.
func referencingCluster() *fake.Clientset {
	env := func(pairs ...string) []corev1.EnvVar {
		var out []corev1.EnvVar
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, corev1.EnvVar{Name: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	pod := func(annotations map[string]string, sa string, c corev1.Container, vols ...corev1.Volume) corev1.PodTemplateSpec {
		c.Name = "app"
		return corev1.PodTemplateSpec{ObjectMeta: meta("", "", annotations),
			Spec: corev1.PodSpec{ServiceAccountName: sa, Containers: []corev1.Container{c}, Volumes: vols}}
	}
	dep := func(ns, name string, p corev1.PodTemplateSpec) *appsv1.Deployment {
		d := &appsv1.Deployment{ObjectMeta: meta(ns, name, nil)}
		d.Spec.Template = p
		return d
	}
	const acct = "111111111111"
	ledger := &appsv1.StatefulSet{ObjectMeta: meta("payments", "ledger", nil)}
	ledger.Spec.Template = pod(map[string]string{kube2iamRoleAnno: "ledger"}, "",
		corev1.Container{Env: env("LEDGER_TABLE_ARN", "arn:aws:dynamodb:us-east-1:"+acct+":table/ledger-entries/index/by-created"),
			Args: []string{"migrate", "--table", "$(LEDGER_TABLE_ARN)"}})
	renderer := &batchv1.CronJob{ObjectMeta: meta("orders", "invoice-renderer", nil)}
	renderer.Spec.JobTemplate.Spec.Template = pod(nil, "", corev1.Container{Env: env("INVOICE_BUCKET", "s3://acme-legacy-invoices/2026/")})
	configVol := corev1.Volume{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: "fulfillment"}}}}
	return fake.NewClientset([]runtime.Object{
		dep("payments", "checkout-api", pod(map[string]string{kube2iamRoleAnno: "arn:aws:iam::" + acct + ":role/checkout-api"}, "",
			corev1.Container{Env: env(
				"ORDERS_TABLE_ARN", "arn:aws:dynamodb:us-east-1:"+acct+":table/orders",
				"ASSETS_BUCKET", "acme-legacy-assets",
				"LEDGER_URL", "http://ledger.payments.svc.cluster.local")})),
		ledger,
		dep("payments", "refund-worker", pod(nil, "", corev1.Container{EnvFrom: []corev1.EnvFromSource{{
			ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "refund-worker-config"}}}}})),
		&corev1.ConfigMap{ObjectMeta: meta("payments", "refund-worker-config", nil),
			Data: map[string]string{"REFUNDS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/" + acct + "/refunds"}},
		dep("orders", "orders-api", pod(nil, "", corev1.Container{Env: env(
			"FULFILLMENT_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/"+acct+"/orders-fulfillment",
			"DATABASE_URL", "postgres://orders@orders-db.c1a2b3.us-east-1.rds.amazonaws.com:5432/orders",
			"PUBLIC_HOST", "api.acme.internal",
			"REPORTS_URL", "postgres://reports.cluster-ro-c1a2b3.us-east-1.rds.amazonaws.com/reports",
			"EVENTS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/999999999999/legacy-events")})),
		dep("orders", "fulfillment-worker", pod(nil, "fulfillment", corev1.Container{Env: env(
			"FULFILLMENT_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/"+acct+"/orders-fulfillment",
			"FULFILLMENT_DLQ_ARN", "arn:aws:sqs:us-east-1:"+acct+":orders-fulfillment-dlq")}, configVol)),
		&corev1.ConfigMap{ObjectMeta: meta("orders", "fulfillment", nil), Data: map[string]string{"config.json": `{"db_password_secret": ` +
			`"arn:aws:secretsmanager:us-east-1:` + acct + `:secret:orders/db-password-AbC123", "db_host_param": "/orders/db/host"}`}},
		&corev1.ServiceAccount{ObjectMeta: meta("orders", "fulfillment", map[string]string{
			"eks.amazonaws.com/role-arn": "arn:aws:iam::" + acct + ":role/service/fulfillment"})},
		renderer,
		dep("platform", "auth-gateway", pod(nil, "", corev1.Container{Env: env(
			"UPSTREAM_ORDERS", "http://orders-api.orders.svc.cluster.local",
			"SESSIONS_TABLE", "arn:aws:dynamodb:eu-west-1:"+acct+":table/sessions",
			"EVENTS_DB", "arn:aws:rds:us-east-1:"+acct+":cluster:events")})),
		dep("analytics", "exporter", pod(nil, "", corev1.Container{Env: env("TABLE", "sessions", "ZONE", "acme.example")})),
	}...)
}

// markedAccount is oldAccount with the fulfillment IRSA role, listed and
// marked with referencingCluster's workloads in three of its namespaces.
func markedAccount(t *testing.T, acct *fakeAccount) AWSFound {
	t.Helper()
	acct.roles[1] = append(acct.roles[1], role("/service/", "fulfillment"))
	found, err := DiscoverAWS(t.Context(), acct.clients(), nil)
	if err != nil {
		t.Fatal(err)
	}
	found.Account, found.Region = "111111111111", "us-east-1"
	if err := MarkReferences(t.Context(), referencingCluster(), []string{"orders", "payments", "platform"}, &found); err != nil {
		t.Fatal(err)
	}
	return found
}

func TestMarkReferences(t *testing.T) {
	t.Parallel()
	found := markedAccount(t, oldAccount())
	want := `sqs: legacy-events orders-fulfillment{orders/fulfillment-worker,orders/orders-api} orders-fulfillment-dlq{orders/fulfillment-worker} refunds{payments/refund-worker}
dynamodb: ledger-entries{payments/ledger} orders{payments/checkout-api} sessions
s3: acme-legacy-assets{payments/checkout-api} acme-legacy-invoices{orders/invoice-renderer} acme-legacy-logs cf-templates-111111111111
iam: checkout-api{payments/checkout-api} fulfillment{orders/fulfillment-worker} ledger{payments/ledger} nodes.kops.acme.internal
rds: orders-db[postgres]{orders/orders-api}
rdsClusters: events[aurora-mysql, 2 members]{platform/auth-gateway} reports[aurora-postgresql, 1 member]{orders/orders-api}
route53: acme.example[public zone] acme.internal[public and private zones of this name]{orders/orders-api}
secrets: legacy/api-key orders/db-password{orders/fulfillment-worker}
ssm: /orders/db/host{orders/fulfillment-worker} /orders/queue-url feature-x
`
	if got := summary(found); got != want {
		t.Errorf("marked:\n%s\nwant:\n%s", got, want)
	}
}

// TestMarkReferencesWhenListingFails: a denied listing still proposes what
// the workloads name, in the canonical form the plan wants.
func TestMarkReferencesWhenListingFails(t *testing.T) {
	t.Parallel()
	acct := oldAccount()
	denied := &smithy.GenericAPIError{Code: "AccessDenied"}
	acct.fail = map[string]error{"iam": denied, "secrets": denied, "ssm": denied, "s3": denied, "route53": denied}
	got := summary(markedAccount(t, acct))
	for _, want := range []string{
		"iam: ERROR checkout-api[named by a workload; not listed]{payments/checkout-api} fulfillment[named by a workload; not listed]{orders/fulfillment-worker} ledger[named by a workload; not listed]{payments/ledger}\n",
		"secrets: ERROR orders/db-password[named by a workload; not listed]{orders/fulfillment-worker}\n",
		"ssm: ERROR\n", // a bare parameter name is not known to be one without the listing
		"s3: ERROR acme-legacy-invoices[named by a workload; not listed]{orders/invoice-renderer}\n",
		"route53: ERROR\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("marked lacks %q:\n%s", want, got)
		}
	}
}

func TestReferenceMatching(t *testing.T) {
	t.Parallel()
	r := func(name string, aliases ...string) FoundResource { return FoundResource{Name: name, aliases: aliases} }
	cases := []struct {
		text string
		kind string
		res  FoundResource
		want bool
	}{
		{"arn:aws:sqs:us-east-1:111111111111:refunds", "sqs", r("refunds"), true},
		{"arn:aws:sqs:us-east-1:222222222222:refunds", "sqs", r("refunds"), false},
		{"arn:aws:sqs:eu-west-1:111111111111:refunds", "sqs", r("refunds"), false},
		{"http://localhost:4566/111111111111/refunds", "sqs", r("refunds"), true},
		{"https://sqs.us-east-1.amazonaws.com/111111111111/refunds-archive", "sqs", r("refunds"), false},
		{"QUEUE=refunds", "sqs", r("refunds"), true},
		{"arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2026-01-05T09:00:00.000", "dynamodb", r("orders"), true},
		{"http://orders-api.orders.svc.cluster.local", "dynamodb", r("orders"), false},
		{"orders.split-shipments: true", "dynamodb", r("orders"), false},
		{"https://acme-legacy-invoices.s3.us-east-1.amazonaws.com/a.pdf", "s3", r("acme-legacy-invoices"), true},
		{"https://s3.amazonaws.com/acme-legacy-invoices/a.pdf", "s3", r("acme-legacy-invoices"), true},
		{"arn:aws:s3:::acme-legacy-invoices/*", "s3", r("acme-legacy-invoices"), true},
		{"acme-legacy-invoices-archive", "s3", r("acme-legacy-invoices"), false},
		{"arn:aws:iam::111111111111:role/team/checkout-api", "iam", r("checkout-api"), true},
		{"arn:aws:iam::111111111111:policy/checkout-api", "iam", r("checkout-api"), false},
		{"orders-db.c1a2b3.us-east-1.rds.amazonaws.com:5432", "rds", r("orders-db", "orders-db.c1a2b3.us-east-1.rds.amazonaws.com"), true},
		{"arn:aws:rds:us-east-1:111111111111:db:orders-db", "rds", r("orders-db"), true},
		{"orders-db.acme.internal", "rds", r("orders-db", "orders-db.c1a2b3.us-east-1.rds.amazonaws.com"), false},
		{"orders-db.acme.internal", "route53", r("acme.internal"), true},
		{"https://checkout.ACME.internal/healthz", "route53", r("acme.internal"), true},
		{"notacme.internal", "route53", r("acme.internal"), false},
		{"ZONE_ID=Z2PRIVATE", "route53", r("acme.internal", "Z2PRIVATE"), true},
		{"arn:aws:route53:::hostedzone/Z2PRIVATE", "route53", r("acme.internal", "Z2PRIVATE"), true},
		{"arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/db-password-AbC123", "secrets", r("orders/db-password"), true},
		{"arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/db-password-old-AbC123", "secrets", r("orders/db-password"), false},
		{"arn:aws:ssm:us-east-1:111111111111:parameter/orders/db/host", "ssm", r("/orders/db/host"), true},
		{"/orders/db/password", "ssm", r("/orders/"), true},
		{"arn:aws:ssm:us-east-1:111111111111:parameter/orders/db/host", "ssm", r("/orders/"), true},
		{"/ordersx/db", "ssm", r("/orders/"), false},
	}
	for _, c := range cases {
		s := scan(usage{workload: "ns/w", texts: []string{c.text}}, "111111111111", "us-east-1")
		if got := s.references(c.kind, c.res); got != c.want {
			t.Errorf("%q references %s %s = %v, want %v", c.text, c.kind, c.res.Name, got, c.want)
		}
	}
}

func TestBucketRules(t *testing.T) {
	t.Parallel()
	got := bucketRules([]string{"acme-legacy-invoices", "acme-legacy-assets", "logs", "logs-old", "cf-templates-111111111111", "solo"},
		"111111111111", "222222222222")
	want := []bucketRule{
		{From: "acme-legacy-*", Covers: "acme-legacy-assets, acme-legacy-invoices"},
		{From: "logs"}, {From: "logs-old"}, // nothing shared up to a '-': one rule each
		{From: "solo"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules = %+v\nwant %+v", got, want)
	}
	if got := bucketRules([]string{"cf-templates-111111111111"}, "111111111111", ""); len(got) != 1 {
		t.Errorf("without the new account the account id renames nothing; rules = %+v", got)
	}
}

// renderWith renders the sandbox-like starter plan with found.
func renderWith(t *testing.T, found AWSFound) string {
	t.Helper()
	s, d := sandboxLike()
	disc, err := Discover(t.Context(), s, d)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = RenderStarter(&b, Starter{Environment: "staging", Found: disc, AWS: found,
		Source: StarterSide{Context: "kops", Profile: "ferry-old", Region: "us-east-1", Account: "111111111111"},
		Target: StarterSide{Context: "eks", Profile: "ferry-new", Region: "us-east-1", Account: "222222222222"}})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestInitRenderResources: referenced resources are listed, the rest
// commented out; as written the plan fails only on the buckets' missing
// rename, and parses once the suggested rule is filled in. The golden file
// (starter_aws.golden, -update rewrites it) is the whole plan to review.
func TestInitRenderResources(t *testing.T) {
	t.Parallel()
	out := renderWith(t, markedAccount(t, oldAccount()))
	golden := filepath.Join("testdata", "starter_aws.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(golden); err != nil || string(want) != out {
		t.Errorf("starter plan differs from %s (-update to accept; %v):\n%s", golden, err, out)
	}
	_, err := Parse("ferry.yaml", []byte(out))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Parse = %v; want the unrenamed buckets reported", err)
	}
	var paths []string
	for _, e := range es {
		paths = append(paths, e.Path)
	}
	if got := strings.Join(paths, " "); got != "resources.s3[0] resources.s3[1]" {
		t.Errorf("errors at %s, want only the two listed buckets:\n%v", got, err)
	}

	rule := `    # - {kind: bucket, from: "acme-legacy-*", to: ""}  # acme-legacy-assets, acme-legacy-invoices, acme-legacy-logs` + "\n"
	unused := "    # - legacy-events         # not referenced by any workload in the namespaces\n"
	for _, line := range []string{rule, unused} {
		if !strings.Contains(out, line) {
			t.Fatalf("plan lacks %q:\n%s", line, out)
		}
	}
	filled := strings.Replace(out, rule, `    - {kind: bucket, from: "acme-legacy-*", to: "acme-platform-*"}`+"\n", 1)
	filled = strings.Replace(filled, unused, "    - legacy-events\n", 1)
	p, err := Parse("ferry.yaml", []byte(filled))
	if err != nil {
		t.Fatalf("the filled-in plan does not validate: %v", err)
	}
	got := strings.Join([]string{
		strings.Join(p.Resources.SQS, ","), strings.Join(p.Resources.DynamoDB, ","), strings.Join(p.Resources.S3, ","),
		strings.Join(p.Resources.IAM, ","), strings.Join(p.Resources.RDS, ","), strings.Join(p.Resources.Route53, ","),
		strings.Join(p.Resources.Secrets, ","), strings.Join(p.Resources.SSM, ","),
	}, " | ")
	want := "orders-fulfillment,orders-fulfillment-dlq,refunds,legacy-events | ledger-entries,orders | acme-legacy-assets,acme-legacy-invoices | " +
		"checkout-api,fulfillment,ledger | orders-db | acme.internal | orders/db-password | /orders/db/host"
	if got != want {
		t.Errorf("resources = %s\nwant        %s", got, want)
	}
}
