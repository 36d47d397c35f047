package secrets

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// The seed's values (sandbox/tools/sandboxd seed_data.go, seed_params.go):
// the test fails if any reaches the journal.
const (
	seededSecret   = "s3cr3t-0rders-Pa55!"
	seededPassword = "0rders-Db-Pa55-ssm!"
)

// opLog records the operations of the clients it is an option of (once
// per operation, however often the retryer sends it).
type opLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *opLog) middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("ferry-test-oplog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			l.mu.Lock()
			l.ops = append(l.ops, awsmiddleware.GetOperationName(ctx))
			l.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// writes are the recorded operations that change something, from the
// first'th on.
func (l *opLog) writes(from int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, op := range l.ops[from:] {
		if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Describe") {
			out = append(out, op)
		}
	}
	return out
}

func (l *opLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ops)
}

// clients are one account's Secrets Manager and SSM clients.
type clients struct {
	sm  *secretsmanager.Client
	ssm *ssm.Client
}

func newClients(cfg aws.Config, log *opLog) clients {
	if log == nil {
		return clients{sm: secretsmanager.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg)}
	}
	cfg.RetryMaxAttempts = 10 // room for the retries the injected faults cause
	return clients{
		sm:  secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.APIOptions = append(o.APIOptions, log.middleware) }),
		ssm: ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.APIOptions = append(o.APIOptions, log.middleware) }),
	}
}

// TestSandboxClone copies the seeded secret, a JSON secret naming the old
// account's queue on a customer key alias, and the seeded /orders/
// parameters into the new account through a runner, while both accounts
// throttle and fail a share of requests; checks them with clients the
// steps never used (by hash, and for old account ids); re-applies (no
// write); rolls back: the new account ends as it began, the old one is
// never written to, and no value reaches the journal.
func TestSandboxClone(t *testing.T) {
	env := sandboxtest.Isolated(t)
	p, err := plan.Load(env.SB.Config().PlanPath())
	must(t, err)
	oldAcct, newAcct := p.Source.AWS.Account, p.Target.AWS.Account
	oldR, newR := newClients(env.AWS(t, "kops"), nil), newClients(env.AWS(t, "eks"), nil)
	workerValue := `{"password":"w0rker-Pa55-sbx","queueUrl":"https://sqs.us-east-1.amazonaws.com/` + oldAcct + `/orders-fulfillment"}`
	decorate(t, oldR.sm, oldAcct, workerValue)
	oldBefore, newBefore := snapshot(t, oldR), snapshot(t, newR)

	var srcOps, dstOps opLog
	src, dst := newClients(env.AWS(t, "kops"), &srcOps), newClients(env.AWS(t, "eks"), &dstOps)
	steps := []runbook.Step{
		NewSecretStep(SecretConfig{Name: "orders/db-password", Source: src.sm, Target: dst.sm, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: oldAcct, TargetAccount: newAcct}),
		NewSecretStep(SecretConfig{Name: "orders/worker-config", Source: src.sm, Target: dst.sm, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: oldAcct, TargetAccount: newAcct}),
		NewParameterStep(ParameterConfig{Path: "/orders/", Source: src.ssm, Target: dst.ssm, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: oldAcct, TargetAccount: newAcct}),
	}
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := runbook.OpenJournal(journal)
	must(t, err)
	t.Cleanup(func() { _ = j.Close() })
	r, err := runbook.NewRunner(runbook.Config{Steps: steps, Journal: j})
	must(t, err)

	off := withFaults(t, env, true)
	for _, s := range steps {
		cs, err := r.Plan(t.Context(), s.ID())
		must(t, err)
		for _, c := range cs.Changes {
			if c.Op != runbook.OpCreate || !strings.Contains(c.After, "value: <redacted: sha256 ") {
				t.Errorf("plan of %s: %s %s\n%s", s.ID(), c.Op, c.Name, c.After)
			}
		}
		must(t, r.Apply(t.Context(), s.ID()))
		sandboxVerified(t, r, s.ID())
	}
	n := dstOps.len()
	for _, s := range steps {
		must(t, r.Apply(t.Context(), s.ID()))
		cs, err := r.Plan(t.Context(), s.ID())
		must(t, err)
		for _, c := range cs.Changes {
			if c.Op != runbook.OpNone {
				t.Errorf("plan of %s after apply: %s %s", s.ID(), c.Op, c.Name)
			}
		}
	}
	if w := dstOps.writes(n); len(w) != 0 {
		t.Errorf("the second apply wrote: %q", w)
	}
	off()

	independentRead(t, oldR, newR, oldAcct, newAcct)
	off = withFaults(t, env, false)
	for _, s := range slices.Backward(steps) {
		must(t, r.Rollback(t.Context(), s.ID()))
	}
	off()
	if got := snapshot(t, newR); !slices.Equal(got, newBefore) {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(newBefore, "\n"))
	}
	if got := snapshot(t, oldR); !slices.Equal(got, oldBefore) {
		t.Errorf("old account changed:\n%s\nwas\n%s", strings.Join(got, "\n"), strings.Join(oldBefore, "\n"))
	}
	if w := srcOps.writes(0); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
	noValuesOnDisk(t, filepath.Dir(journal), seededSecret, seededPassword, workerValue, "w0rker-Pa55-sbx", "orders-db.orders.acme.internal")
}

// decorate adds to the old account what the seed lacks: a secret holding
// JSON that names the old account's queue, on a customer key alias, with
// tags, one naming the old account. This private sandbox is this test's
// alone.
func decorate(t *testing.T, c *secretsmanager.Client, oldAcct, value string) {
	t.Helper()
	_, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("orders/worker-config"),
		Description: aws.String("fulfillment worker config"), KmsKeyId: aws.String("alias/orders-secrets"), SecretString: aws.String(value),
		Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")},
			{Key: aws.String("owner"), Value: aws.String("arn:aws:iam::" + oldAcct + ":role/orders-admin")}}})
	must(t, err)
}

// withFaults turns faults on in both accounts until the returned func (or
// the test's end) turns them off; with mustFault, that func fails the test
// if no fault was injected, which would make the run prove nothing about
// retries (a phase of a few requests may well see none).
func withFaults(t *testing.T, env *sandboxtest.Env, mustFault bool) (off func()) {
	t.Helper()
	cfg := env.SB.Config()
	faults := sandbox.AWSFaults{Throttle: 0.1, Error5xx: 0.05}
	before := map[string]sandbox.AWSFaultCounts{}
	for _, side := range []string{"kops", "eks"} {
		counts, err := cfg.SetAWSFaults(t.Context(), sandboxtest.Side(t, side), faults)
		must(t, err)
		before[side] = counts
	}
	done := false
	off = func() {
		if done {
			return
		}
		done = true
		var faulted int64
		for _, side := range []string{"kops", "eks"} {
			counts, err := cfg.SetAWSFaults(context.Background(), sandboxtest.Side(t, side), sandbox.AWSFaults{})
			if err != nil {
				t.Error(err)
				continue
			}
			faulted += counts.Throttle + counts.Error5xx - before[side].Throttle - before[side].Error5xx
		}
		if mustFault && faulted == 0 {
			t.Error("no request was faulted: the run proves nothing about retries")
		}
	}
	t.Cleanup(off)
	return off
}

// snapshot is every secret and parameter of an account — settings, tags
// and the sha256 of the value — one a line, read by clients of their own.
func snapshot(t *testing.T, c clients) []string {
	t.Helper()
	var out []string
	list, err := c.sm.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{})
	must(t, err)
	for _, e := range list.SecretList {
		v, err := c.sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: e.ARN})
		must(t, err)
		out = append(out, strings.Join([]string{"secret", aws.ToString(e.Name), aws.ToString(e.Description), aws.ToString(e.KmsKeyId),
			tagText(e.Tags), sum(aws.ToString(v.SecretString))}, " "))
	}
	params, err := c.ssm.DescribeParameters(t.Context(), &ssm.DescribeParametersInput{})
	must(t, err)
	for _, m := range params.Parameters {
		v, err := c.ssm.GetParameter(t.Context(), &ssm.GetParameterInput{Name: m.Name, WithDecryption: aws.Bool(true)})
		must(t, err)
		out = append(out, strings.Join([]string{"parameter", aws.ToString(m.Name), string(m.Type), aws.ToString(m.Description),
			sum(aws.ToString(v.Parameter.Value))}, " "))
	}
	slices.Sort(out)
	return out
}

func tagText(tags []smtypes.Tag) string {
	var parts []string
	for _, tag := range tags {
		parts = append(parts, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func sum(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:])
}

// independentRead checks the copies with clients the steps never used:
// each value hashes as the source's does with the old account replaced by
// the new, the settings followed (the default key stays default, the alias
// stays, a SecureString stays one), and nothing copied names the old
// account.
func independentRead(t *testing.T, oldC, newC clients, oldAcct, newAcct string) {
	t.Helper()
	for name, key := range map[string]string{"orders/db-password": "", "orders/worker-config": "alias/orders-secrets"} {
		ov, err := oldC.sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		must(t, err)
		nv, err := newC.sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		must(t, err)
		d, err := newC.sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		must(t, err)
		want := strings.ReplaceAll(aws.ToString(ov.SecretString), oldAcct, newAcct)
		if got := aws.ToString(nv.SecretString); sum(got) != sum(want) || strings.Contains(got, oldAcct) {
			t.Errorf("secret %s in the new account: sha256 %s, want %s (or it names the old account)", name, sum(got)[:8], sum(want)[:8])
		}
		if aws.ToString(d.KmsKeyId) != key || strings.Contains(tagText(d.Tags)+aws.ToString(d.Description), oldAcct) {
			t.Errorf("secret %s in the new account: key %q (want %q), tags %s", name, aws.ToString(d.KmsKeyId), key, tagText(d.Tags))
		}
	}
	for _, name := range []string{"/orders/db/host", "/orders/db/password", "/orders/queue-url"} {
		ov, err := oldC.ssm.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		must(t, err)
		nv, err := newC.ssm.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		must(t, err)
		want := strings.ReplaceAll(aws.ToString(ov.Parameter.Value), oldAcct, newAcct)
		got := aws.ToString(nv.Parameter.Value)
		if sum(got) != sum(want) || strings.Contains(got, oldAcct) || nv.Parameter.Type != ov.Parameter.Type {
			t.Errorf("parameter %s in the new account: %s sha256 %s, want %s sha256 %s", name, nv.Parameter.Type, sum(got)[:8], ov.Parameter.Type, sum(want)[:8])
		}
		tags, err := newC.ssm.ListTagsForResource(t.Context(), &ssm.ListTagsForResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter, ResourceId: aws.String(name)})
		must(t, err)
		if len(tags.TagList) != 1 || aws.ToString(tags.TagList[0].Value) != "orders" {
			t.Errorf("parameter %s tags: %v", name, tags.TagList)
		}
	}
	q, err := newC.ssm.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String("/orders/queue-url")})
	must(t, err)
	if !strings.Contains(aws.ToString(q.Parameter.Value), "/"+newAcct+"/orders-fulfillment") {
		t.Error("the queue URL parameter does not name the new account's queue")
	}
	if p, err := newC.ssm.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String("/orders/db/password")}); err != nil ||
		p.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		t.Errorf("the password is not a SecureString in the new account: %v", err)
	}
}

// noValuesOnDisk fails if any value, or its base64 form, is in a file under
// dir: the journal and its undo store.
func noValuesOnDisk(t *testing.T, dir string, values ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range values {
			if strings.Contains(string(b), v) || strings.Contains(string(b), base64.StdEncoding.EncodeToString([]byte(v))) {
				t.Errorf("%s holds a value (sha256 %s)", path, sum(v)[:8])
			}
		}
		return nil
	})
	must(t, err)
	if files < 2 {
		t.Errorf("only %d files under %s: the journal and undo store were not where the scan looked", files, dir)
	}
}

// sandboxVerified runs Verify through the runner and fails on a failing
// check.
func sandboxVerified(t *testing.T, r *runbook.Runner, id string) {
	t.Helper()
	checks, err := r.Verify(t.Context(), id)
	must(t, err)
	for _, c := range checks {
		t.Logf("%s: %s ok=%v: %s", id, c.Name, c.OK, c.Evidence)
		if !c.OK {
			t.Errorf("%s: check %q failed: %s", id, c.Name, c.Evidence)
		}
	}
}
