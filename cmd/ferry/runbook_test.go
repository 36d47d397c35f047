package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbsdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	sqssdk "github.com/aws/aws-sdk-go-v2/service/sqs"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// seededSecret is the value SCENARIO.md plants in orders' Secret.
const seededSecret = "s3cr3t-0rders-Pa55!"

// ferryProc is the real ferry (this test binary running main) on an
// isolated sandbox, with its journal in a temporary dir.
type ferryProc struct {
	t       *testing.T
	env     []string
	journal string
}

func newFerryProc(t *testing.T, sb *sandboxtest.Env) *ferryProc {
	env := append(os.Environ(), execMainEnv+"=1")
	for _, v := range sb.SB.Env() {
		env = append(env, v.Name+"="+v.Value)
	}
	return &ferryProc{t: t, env: env, journal: filepath.Join(t.TempDir(), "ferry.journal.jsonl")}
}

func (f *ferryProc) cmd(ctx context.Context, extraEnv []string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, os.Args[0], append(args, "--journal", f.journal)...)
	c.Env = append(append([]string{}, f.env...), extraEnv...)
	return c
}

// run runs ferry to the end and returns its output and exit code.
func (f *ferryProc) run(args ...string) (string, int) {
	f.t.Helper()
	return f.wait(f.cmd(f.t.Context(), nil, args...), args)
}

// runPlain runs a ferry command that keeps no journal (probe, status).
func (f *ferryProc) runPlain(args ...string) (string, int) {
	f.t.Helper()
	c := exec.CommandContext(f.t.Context(), os.Args[0], args...)
	c.Env = f.env
	return f.wait(c, args)
}

func (f *ferryProc) wait(c *exec.Cmd, args []string) (string, int) {
	f.t.Helper()
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	f.t.Fatalf("ferry %v: %v", args, err)
	return "", -1
}

func (f *ferryProc) records() []runbook.Record {
	f.t.Helper()
	log, err := runbook.ReadJournal(f.journal)
	if err != nil {
		f.t.Fatal(err)
	}
	return log.Records
}

// resourceVersions of a service's objects on the target, by kind/name.
func resourceVersions(t *testing.T, cs kubernetes.Interface, ns, name string) map[string]string {
	t.Helper()
	rv := map[string]string{}
	if d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{}); err == nil {
		rv["deployment/"+name] = d.ResourceVersion
	}
	if s, err := cs.CoreV1().Services(ns).Get(t.Context(), name, metav1.GetOptions{}); err == nil {
		rv["service/"+name] = s.ResourceVersion
	}
	if s, err := cs.CoreV1().ServiceAccounts(ns).Get(t.Context(), name, metav1.GetOptions{}); err == nil {
		rv["serviceaccount/"+name] = s.ResourceVersion
	}
	return rv
}

// TestRunbookCLI walks the runbook on an isolated sandbox: refusals
// without confirmation and in read-only mode, a clone applied and
// verified, a second apply that changes nothing, the journal, an undo,
// and no secret value anywhere ferry wrote or printed.
func TestRunbookCLI(t *testing.T) {
	sb := sandboxtest.Isolated(t)
	f := newFerryProc(t, sb)
	eks := sb.Kube(t, "eks")
	const step = "clone/orders/invoice-renderer"
	var printed strings.Builder

	out, code := f.run("plan", step)
	printed.WriteString(out)
	if code != 0 || !strings.Contains(out, "+ create Deployment orders/invoice-renderer") {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	if out, code := f.run("run", step); code != exitUsage || !strings.Contains(out, "--yes") {
		t.Fatalf("run without --yes and no terminal: exit %d\n%s", code, out)
	}
	if out, code := f.run("run", step, "--yes", "--read-only"); code != exitUsage || !strings.Contains(out, "read-only") {
		t.Fatalf("run --read-only: exit %d\n%s", code, out)
	}
	if _, err := eks.AppsV1().Deployments("orders").Get(t.Context(), "invoice-renderer", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a refused run reached the cluster: %v", err)
	}
	if _, err := eks.CoordinationV1().Leases(runbook.DefaultLockNamespace).Get(t.Context(), runbook.LeaseName("sandbox"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a refused run took the lock: %v", err)
	}

	out, code = f.run("run", "preflight", step, "--yes")
	printed.WriteString(out)
	if code != 0 || !strings.Contains(out, "pass") {
		t.Fatalf("run: exit %d\n%s", code, out)
	}
	before := resourceVersions(t, eks, "orders", "invoice-renderer")
	if len(before) != 3 {
		t.Fatalf("after the clone the target has %v", before)
	}
	out, code = f.run("run", step, "--yes")
	printed.WriteString(out)
	if after := resourceVersions(t, eks, "orders", "invoice-renderer"); code != 0 || !equalMaps(before, after) {
		t.Fatalf("second apply: exit %d, resourceVersions %v -> %v\n%s", code, before, after, out)
	}

	out, code = f.run("journal")
	printed.WriteString(out)
	if code != 0 || !strings.Contains(out, step) || !strings.Contains(out, "apply") || !strings.Contains(out, "verify") {
		t.Fatalf("journal: exit %d\n%s", code, out)
	}
	out, code = f.run("undo", step, "--yes")
	printed.WriteString(out)
	if _, err := eks.AppsV1().Deployments("orders").Get(t.Context(), "invoice-renderer", metav1.GetOptions{}); code != 0 || !apierrors.IsNotFound(err) {
		t.Fatalf("undo: exit %d, deployment %v\n%s", code, err, out)
	}
	out, _ = f.run("plan", "--service", "orders-api")
	printed.WriteString(out)

	// A kube2iam role planned as an IRSA role for the service account
	// whose pods assume it.
	out, code = f.run("plan", "aws/iam/ledger")
	printed.WriteString(out)
	if code != 0 || !strings.Contains(out, "AssumeRoleWithWebIdentity") || !strings.Contains(out, "system:serviceaccount:payments:ledger") {
		t.Fatalf("plan aws/iam/ledger: exit %d\n%s", code, out)
	}

	// The plan's resources: a queue (after its dead-letter queue) and a table.
	out, code = f.run("run", "aws/sqs/orders-fulfillment-dlq", "aws/sqs/orders-fulfillment", "aws/dynamodb/ledger-entries",
		"aws/s3/acme-legacy-invoices", "--yes")
	printed.WriteString(out)
	if code != 0 || strings.Contains(out, "FAIL") {
		t.Fatalf("run the AWS steps: exit %d\n%s", code, out)
	}
	newAcct := sb.AWS(t, "eks")
	q, err := sqssdk.NewFromConfig(newAcct).GetQueueUrl(t.Context(), &sqssdk.GetQueueUrlInput{QueueName: aws.String("orders-fulfillment")})
	if err != nil || !strings.Contains(aws.ToString(q.QueueUrl), "222222222222") {
		t.Errorf("the new account's queue: %v %v", q, err)
	}
	if _, err := ddbsdk.NewFromConfig(newAcct).DescribeTable(t.Context(), &ddbsdk.DescribeTableInput{TableName: aws.String("ledger-entries")}); err != nil {
		t.Errorf("the new account's table: %v", err)
	}
	objs, err := s3Client(newAcct).ListObjectsV2(t.Context(), &s3sdk.ListObjectsV2Input{Bucket: aws.String("acme-platform-invoices")})
	if err != nil {
		t.Errorf("list the new account's acme-platform-invoices: %v", err)
	} else if len(objs.Contents) != 25 {
		t.Errorf("the new account's acme-platform-invoices holds %d objects, want 25", len(objs.Contents))
	}
	assertNoSecret(t, f.journal, printed.String())
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// assertNoSecret: the seeded secret value is in no output and not in the
// journal file (the undo store beside it holds what a rollback restores).
func assertNoSecret(t *testing.T, journal, printed string) {
	t.Helper()
	if strings.Contains(printed, seededSecret) {
		t.Error("ferry printed the seeded secret value")
	}
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(seededSecret)) {
		t.Error("the journal holds the seeded secret value")
	}
	if st, err := os.Stat(journal); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	undo, _ := filepath.Glob(journal + ".undo/*")
	if len(undo) == 0 {
		t.Error("no undo payloads were saved")
	}
	for _, u := range undo {
		if b, err := os.ReadFile(u); err != nil || bytes.HasPrefix(b, []byte("{")) || bytes.Contains(b, []byte("invoice-renderer")) {
			t.Errorf("undo payload %s is not sealed (%v)", filepath.Base(u), err)
		}
	}
}

// TestRunbookCrashAndLock: a ferry killed (-9) in the middle of a slowed
// multi-object apply leaves the step interrupted; a second ferry meanwhile
// is refused the lock; re-applying completes with one copy of each object,
// and the journal still reads.
func TestRunbookCrashAndLock(t *testing.T) {
	sb := sandboxtest.Isolated(t)
	f := newFerryProc(t, sb)
	eks := sb.Kube(t, "eks")
	const step = "clone/orders/invoice-renderer"
	if out, code := f.run("run", "preflight", "--yes"); code != 0 {
		t.Fatalf("preflight: exit %d\n%s", code, out)
	}
	// Slow enough that the second ferry, which builds the whole runbook
	// (AWS steps, cutover) before it asks for the lock, still finds the
	// first one applying.
	slow := f.cmd(t.Context(), []string{"FERRY_TEST_WRITE_DELAY=4s"}, "run", step, "--yes")
	var slowOut bytes.Buffer
	slow.Stdout, slow.Stderr = &slowOut, &slowOut
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	waitUndo(t, f, step, 2)

	out, code := f.run("run", step, "--yes")
	if code != exitUsage || !strings.Contains(out, "another ferry is applying") {
		t.Errorf("a second ferry during the apply: exit %d\n%s", code, out)
	}
	if err := slow.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = slow.Wait()

	if out, _ := f.run("plan", step); !strings.Contains(out, "[interrupted]") {
		t.Fatalf("after kill -9 the step is not interrupted:\n%s\nkilled ferry said:\n%s", out, slowOut.String())
	}
	// The dead ferry's lease expires; the re-apply may wait for it.
	out, code = f.run("run", step, "--yes", "--wait", "90s")
	if code != 0 {
		t.Fatalf("re-apply after the crash: exit %d\n%s", code, out)
	}
	deps, err := eks.AppsV1().Deployments("orders").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range deps.Items {
		if strings.HasPrefix(d.Name, "invoice-renderer") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d invoice-renderer Deployments on the target, want 1", n)
	}
	if out, code := f.run("journal"); code != 0 || !strings.Contains(out, "started") {
		t.Errorf("journal after the crash: exit %d\n%s", code, out)
	}
}

// waitUndo waits until the journal has n undo records for the step: the
// apply is under way.
func waitUndo(t *testing.T, f *ferryProc, step string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		got := 0
		if log, err := runbook.ReadJournal(f.journal); err == nil {
			for _, r := range log.Records {
				if r.Step == step && r.Outcome == runbook.OutcomeUndo {
					got++
				}
			}
		}
		if got >= n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := json.Marshal(f.records())
	t.Fatalf("no %d undo records for %s in 60 s: %s", n, step, b)
}
