package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/ferry-dev/ferry/engine/plan"
)

// fakeInitDeps serves two fake clusters by context name, and the accounts
// of the profiles it knows.
func fakeInitDeps(t *testing.T) initDeps {
	t.Helper()
	app := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "checkout-api"}}
	app.Spec.Template.Spec.Containers = []corev1.Container{{Image: "111111111111.dkr.ecr.us-east-1.amazonaws.com/checkout-api:1",
		Env: []corev1.EnvVar{{Name: "QUEUE_URL", Value: "https://sqs.us-east-1.amazonaws.com/111111111111/refunds"}}}}
	class := func(name string) *storagev1.StorageClass {
		return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name,
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}}}
	}
	clusters := map[string]kubernetes.Interface{
		"kops": fake.NewClientset(app, class("gp2")),
		"eks":  fake.NewClientset(class("gp3")),
	}
	accounts := map[string]awsIdentity{
		"ferry-old": {account: "111111111111", region: "us-east-1"},
		"ferry-new": {account: "222222222222", region: "us-east-1"},
	}
	return initDeps{
		awsClients: func(_ context.Context, profile string) (plan.AWSClients, error) {
			if profile != "ferry-old" {
				t.Errorf("the old account was listed through profile %s, want the source's", profile)
			}
			f := fakeOldAccount{}
			return plan.AWSClients{SQS: f, DynamoDB: f, S3: f, IAM: f, RDS: f, RDSClusters: f, Route53: f, Secrets: f, SSM: f}, nil
		},
		kube: func(_, context string) (kubernetes.Interface, error) {
			if cs, ok := clusters[context]; ok {
				return cs, nil
			}
			return nil, fmt.Errorf("kube context %q does not exist", context)
		},
		whoami: func(_ context.Context, profile string) (awsIdentity, error) {
			if id, ok := accounts[profile]; ok {
				return id, nil
			}
			return awsIdentity{}, fmt.Errorf("AWS profile %s does not exist", profile)
		},
	}
}

func initOpts(t *testing.T) initOptions {
	return initOptions{source: "kops", target: "eks", sourceProfile: "ferry-old", targetProfile: "ferry-new",
		environment: "staging", output: filepath.Join(t.TempDir(), "ferry.yaml")}
}

func TestInitWritesAValidPlan(t *testing.T) {
	t.Parallel()
	o := initOpts(t)
	var out bytes.Buffer
	if err := runInit(t.Context(), &out, o, fakeInitDeps(t)); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Load(o.output)
	if err != nil {
		t.Fatalf("the written plan does not load: %v", err)
	}
	if strings.Join(p.Resources.SQS, ",") != "refunds" || len(p.Resources.S3) != 0 {
		t.Errorf("resources = %+v; want only the queue the workload uses", p.Resources)
	}
	if p.Source.AWS.Account != "111111111111" || p.Target.AWS.Account != "222222222222" ||
		strings.Join(p.Namespaces, ",") != "payments" || p.Mapping.StorageClasses["gp2"] != "gp3" ||
		p.Mapping.Registries["111111111111.dkr.ecr.us-east-1.amazonaws.com"] != "222222222222.dkr.ecr.us-east-1.amazonaws.com" {
		t.Errorf("plan = %+v", p)
	}
	want := fmt.Sprintf("Wrote %s: environment staging, kops -> eks, namespaces: payments.\n"+
		"Old account: 1 resource the workloads use listed under resources; 2 more commented out. "+
		"Could not list the roles: the plan says why.\n\nNext:\n"+
		"  1. Read %s top to bottom; each section says what to check (the mapping above all).\n"+
		"  2. ferry status --plan %s    # every service side by side\n", o.output, o.output, o.output)
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestInitWithoutProfilesListsWhatToFillIn(t *testing.T) {
	t.Parallel()
	o := initOpts(t)
	o.sourceProfile, o.targetProfile = "", ""
	var out bytes.Buffer
	if err := runInit(t.Context(), &out, o, fakeInitDeps(t)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Fill in before use (ferry checks the plan on every start):\n  " + o.output + ":",
		"source.aws.account: missing; add account: \"111111111111\"",
		"target.aws.region: missing; add region: us-east-1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	o := initOpts(t)
	if err := os.WriteFile(o.output, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runInit(t.Context(), &bytes.Buffer{}, o, fakeInitDeps(t))
	want := o.output + " exists; pass --force to overwrite it, or -o to write another file"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if b, _ := os.ReadFile(o.output); string(b) != "mine\n" {
		t.Fatalf("the file was changed: %q", b)
	}
	o.force = true
	if err := runInit(t.Context(), &bytes.Buffer{}, o, fakeInitDeps(t)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(o.output); !strings.Contains(string(b), "kind: Plan") {
		t.Errorf("--force did not overwrite: %q", b)
	}
}

func TestInitErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*initOptions)
		want string
	}{
		{"same context", func(o *initOptions) { o.target = "kops" },
			`--source and --target are both "kops"; name the two clusters' contexts (kubectl config get-contexts lists them)`},
		{"unknown context", func(o *initOptions) { o.target = "nope" }, `kube context "nope" does not exist`},
		{"unknown profile", func(o *initOptions) { o.targetProfile = "nope" }, "AWS profile nope does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := initOpts(t)
			c.edit(&o)
			err := runInit(t.Context(), &bytes.Buffer{}, o, fakeInitDeps(t))
			if err == nil || err.Error() != c.want {
				t.Errorf("err = %v, want %q", err, c.want)
			}
			if _, serr := os.Stat(o.output); serr == nil {
				t.Errorf("a plan was written despite the error")
			}
		})
	}
}

// TestInitCommandFlags checks the command's wiring: both contexts required.
func TestInitCommandFlags(t *testing.T) {
	t.Parallel()
	cmd := newInitCmd()
	cmd.SetArgs([]string{"--source", "kops"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.ExecuteContext(t.Context())
	if err == nil || !strings.Contains(err.Error(), `required flag(s) "target" not set`) {
		t.Errorf("err = %v; want the missing --target named", err)
	}
	for _, name := range []string{"kubeconfig", "source-profile", "target-profile", "output", "force", "environment", "no-aws"} {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("flag --%s missing", name)
		}
	}
}
