package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

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

func TestStateWord(t *testing.T) {
	t.Parallel()
	w := func(ready, desired int32, img string) *inventory.Workload {
		return &inventory.Workload{Ready: ready, Desired: desired, Images: []string{img}}
	}
	cases := []struct {
		p    inventory.Pair
		want string
	}{
		{inventory.Pair{Source: w(1, 1, "a:1")}, "only on kops"},
		{inventory.Pair{Target: w(1, 1, "a:1")}, "only on eks"},
		{inventory.Pair{Source: w(1, 1, "r1/a:1"), Target: w(1, 1, "r2/a:1")}, "in sync"},
		{inventory.Pair{Source: w(1, 1, "a:1"), Target: w(1, 1, "a:2")}, "differs"},
		{inventory.Pair{Source: w(3, 3, "a:1"), Target: w(2, 2, "a:1")}, "differs"},
		{inventory.Pair{Source: w(1, 1, "a:1"), Target: w(0, 1, "a:1")}, "not ready on eks"},
	}
	for _, c := range cases {
		if got := stateWord(c.p, "kops", "eks"); got != c.want {
			t.Errorf("stateWord(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
}

// TestStatusOnSandbox lists the seeded estate side by side.
func TestStatusOnSandbox(t *testing.T) {
	env := sandboxtest.Get(t)
	out, err := run(t, "status", "--kubeconfig", env.SB.Config().KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 2 {
			lines[f[0]+"/"+f[1]] = l
		}
	}
	for svc, want := range map[string][]string{
		"payments/ledger":         {"2.3.1", "2.4.0", "differs"},
		"orders/invoice-renderer": {"only on kops"},
		"orders/orders-api":       {"3/3", "2/2"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[svc], w) {
				t.Errorf("%s row %q lacks %q\n%s", svc, lines[svc], w, out)
			}
		}
	}
}
