package secrets

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// The seed's values (sandbox/tools/sandboxd seed_data.go, seed_params.go):
// the test fails if any reaches the journal.
const (
	seededSecret   = "s3cr3t-0rders-Pa55!"
	seededPassword = "0rders-Db-Pa55-ssm!"
)

// clients are one account's Secrets Manager and SSM clients.
type clients struct {
	sm  *secretsmanager.Client
	ssm *ssm.Client
}

func newClients(cfg aws.Config) clients {
	return clients{sm: secretsmanager.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg)}
}

// TestSandboxClone copies the seeded secret, a JSON secret naming the old
// account's queue on a customer key alias, and the seeded /orders/
// parameters into the new account through a runner, while both accounts
// throttle and fail a share of requests; checks them with clients the
// steps never used (by hash, and for old account ids); re-applies (no
// write); rolls back: the new account ends as it began, the old one is
// never written to, and no value reaches the journal.
func TestSandboxClone(t *testing.T) {
	sb := clonetest.Isolated(t)
	p := sb.Plan
	oldAcct, newAcct := p.Source.AWS.Account, p.Target.AWS.Account
	oldR, newR := newClients(sb.OldAccount), newClients(sb.NewAccount)
	workerValue := `{"password":"w0rker-Pa55-sbx","queueUrl":"https://sqs.us-east-1.amazonaws.com/` + oldAcct + `/orders-fulfillment"}`
	decorate(t, oldR.sm, oldAcct, workerValue)
	state := func() clonetest.State { return clonetest.State{Old: snapshot(t, oldR), New: snapshot(t, newR)} }
	before := state()

	src, dst := newClients(clonetest.Retrying(sb.Source())), newClients(clonetest.Retrying(sb.Target()))
	steps := []runbook.Step{
		NewSecretStep(SecretConfig{Name: "orders/db-password", Source: src.sm, Target: dst.sm, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: oldAcct, TargetAccount: newAcct}),
		NewSecretStep(SecretConfig{Name: "orders/worker-config", Source: src.sm, Target: dst.sm, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: oldAcct, TargetAccount: newAcct}),
		NewParameterStep(ParameterConfig{Path: "/orders/", Source: src.ssm, Target: dst.ssm, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: oldAcct, TargetAccount: newAcct}),
	}
	var ids []string
	for _, s := range steps {
		ids = append(ids, s.ID())
	}
	r, journal := clonetest.Runner(t, runbook.Config{Steps: steps})

	faults := sb.InjectFaults(t, true)
	for _, id := range ids {
		cs, err := r.Plan(t.Context(), id)
		must(t, err)
		for _, c := range cs.Changes {
			if c.Op != runbook.OpCreate || !strings.Contains(c.After, "value: <redacted: sha256 ") {
				t.Errorf("plan of %s: %s %s\n%s", id, c.Op, c.Name, c.After)
			}
		}
		must(t, r.Apply(t.Context(), id))
		clonetest.Verified(t, r, id)
	}
	sb.Reapply(t, r, ids...)
	faults.Off()

	independentRead(t, oldR, newR, oldAcct, newAcct)
	faults = sb.InjectFaults(t, false)
	for _, id := range slices.Backward(ids) {
		must(t, r.Rollback(t.Context(), id))
	}
	faults.Off()
	sb.RolledBack(t, before, state())
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
