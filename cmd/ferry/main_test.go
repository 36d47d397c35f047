package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(execMainEnv) == "1" { // a pty test runs this binary as ferry
		main()
		os.Exit(0)
	}
	sandboxtest.Main(m)
}

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	return out.String(), err
}

func TestVersion(t *testing.T) {
	out, err := run(t, "--version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "ferry ") || !strings.Contains(out, "go1.") {
		t.Fatalf("--version = %q", out)
	}
}

func TestSandboxEnvExports(t *testing.T) {
	t.Setenv(sandbox.EnvDir, "/tmp/it's here")
	out, err := run(t, "sandbox", "env")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"export KUBECONFIG='/tmp/it'\\''s here/kubeconfig'\n",
		"export AWS_CONFIG_FILE='/tmp/it'\\''s here/aws/config'\n",
		"export AWS_SHARED_CREDENTIALS_FILE=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("sandbox env lacks %q:\n%s", want, out)
		}
	}
	js, err := run(t, "sandbox", "env", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var vars []sandbox.EnvVar
	if err := json.Unmarshal([]byte(js), &vars); err != nil || len(vars) < 3 {
		t.Fatalf("sandbox env -o json: %v %q", err, js)
	}
	if _, err := run(t, "sandbox", "env", "-o", "yaml"); err == nil || !strings.Contains(err.Error(), "want text or json") {
		t.Errorf("bad -o: err = %v", err)
	}
}

func TestPrintStatus(t *testing.T) {
	t.Parallel()
	st := sandbox.Status{Total: 2, Running: 1, RSSKiB: 2048, Processes: []sandbox.ProcStatus{
		{Name: "kops/etcd", Running: true, PID: 42, Port: 17401, RSSKiB: 2048},
		{Name: "eks/etcd", Port: 17421},
	}}
	var b bytes.Buffer
	if err := printStatus(&b, st, "text"); err != nil {
		t.Fatal(err)
	}
	want := "PROCESS    STATE    PID  PORT   RSS\n" +
		"kops/etcd  running  42   17401  2 MiB\n" +
		"eks/etcd   stopped  -    17421  -\n" +
		"1 of 2 running, total RSS 2 MiB\n"
	if b.String() != want {
		t.Errorf("status text:\n%s\nwant:\n%s", b.String(), want)
	}
}

// statusRows runs `ferry status` on the sandbox's plan and returns its rows
// by namespace/name.
func statusRows(t *testing.T, env *sandboxtest.Env, args ...string) (map[string]string, string) {
	t.Helper()
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	out, err := run(t, append([]string{"status"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 2 {
			rows[f[0]+"/"+f[1]] = l
		}
	}
	return rows, out
}

// TestStatusOnSandbox lists the seeded estate side by side with drift and
// reference counts.
func TestStatusOnSandbox(t *testing.T) {
	env := sandboxtest.Get(t)
	rows, out := statusRows(t, env)
	for svc, want := range map[string][]string{
		"payments/ledger":           {"2.3.1", "2.4.0", "drifted"},
		"payments/checkout-api":     {"in sync"},
		"payments/refund-worker":    {"drifted"},
		"orders/invoice-renderer":   {"only on KOPS"},
		"orders/orders-api":         {"3/3", "2/2", "drifted"},
		"orders/fulfillment-worker": {"failing on EKS"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[svc], w) {
				t.Errorf("%s row %q lacks %q\n%s", svc, rows[svc], w, out)
			}
		}
	}
	if strings.Contains(out, "s3cr3t-0rders-Pa55!") {
		t.Error("status output shows the seeded secret value")
	}
}

// TestStatusFailOnReferences: the refund-worker's old queue URL makes
// --fail-on references exit 1.
func TestStatusFailOnReferences(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	_, err := run(t, "status", "--fail-on", "references", "-o", "json")
	if exitCode(err) != exitFindings {
		t.Fatalf("exit code %d (%v), want %d", exitCode(err), err, exitFindings)
	}
	_, err = run(t, "status", "--fail-on", "everything")
	if exitCode(err) != exitUsage {
		t.Fatalf("bad --fail-on: exit code %d, want %d", exitCode(err), exitUsage)
	}
}

// TestDiffOnSandbox shows ledger's drift marked and its mapping dimmed, and
// never a secret value.
func TestDiffOnSandbox(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	out, err := run(t, "diff", "payments/ledger", "--width", "200")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var drift, expected int
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "!"):
			drift++
		case strings.HasPrefix(l, "~"):
			expected++
		}
	}
	if !strings.Contains(out, "ledger:2.3.1") || !strings.Contains(out, "ledger:2.4.0") || drift == 0 || expected == 0 {
		t.Errorf("diff: %d drift rows, %d expected rows\n%s", drift, expected, out)
	}
	out, err = run(t, "diff", "orders-api")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "s3cr3t-0rders-Pa55!") || !strings.Contains(out, "sha256:") {
		t.Errorf("diff of orders-api must show the secret as a hash only:\n%s", out)
	}
}
