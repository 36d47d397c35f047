package secrets

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// The source secrets' values; tests fail when any of them leaks.
const (
	dbPassword = "s3cr3t-0rders-Pa55!"
	workerConf = `{"password":"w0rker-Pa55-xyz","queueUrl":"https://sqs.us-east-1.amazonaws.com/` + oldAcct + `/orders-fulfillment"}`
	// workerMapped is workerConf as the new account must hold it.
	workerMapped = `{"password":"w0rker-Pa55-xyz","queueUrl":"https://sqs.us-east-1.amazonaws.com/` + newAcct + `/orders-fulfillment"}`
	oldTarget    = "0ld-target-Pa55-abc"
)

// seededSecrets is the old account with two secrets: a password on the
// default key, and a JSON config naming the old account's queue, on a
// customer key alias, tagged; the new account is empty.
func seededSecrets() (src, dst *fakeSM) {
	src, dst = newFakeSM(oldAcct), newFakeSM(newAcct)
	src.add("orders/db-password", dbPassword, "orders-api database password", "", nil)
	src.add("orders/worker-config", workerConf, "worker config", "arn:aws:kms:us-east-1:"+oldAcct+":alias/orders",
		map[string]string{"team": "orders", "owner": "arn:aws:iam::" + oldAcct + ":role/orders-admin"})
	return src, dst
}

func newSecretStep(src, dst *fakeSM, name string) runbook.Step {
	return NewSecretStep(SecretConfig{Name: name, Source: src, Target: dst, Mapping: testMapping, TargetLabel: "EKS",
		SourceAccount: oldAcct, TargetAccount: newAcct})
}

// verified runs Verify and fails on any failing check.
func verified(t *testing.T, s runbook.Step) []runbook.Check {
	t.Helper()
	checks, err := s.Verify(t.Context())
	must(t, err)
	for _, c := range checks {
		if !c.OK {
			t.Errorf("%s: check %q failed: %s", s.ID(), c.Name, c.Evidence)
		}
	}
	return checks
}

func TestSecretMetadata(t *testing.T) {
	t.Parallel()
	src, dst := seededSecrets()
	s := NewSecretStep(SecretConfig{Name: "orders/db-password", Source: src, Target: dst, TargetLabel: "EKS", Deps: []string{"preflight"},
		Namespace: "orders", Service: "orders-api"})
	ns, svc := s.Scope()
	got := []string{s.ID(), s.Kind(), s.Title(), strings.Join(s.Deps(), ","), ns, svc}
	want := []string{"aws/secretsmanager/orders/db-password", "clone-secret", "Copy secret orders/db-password to EKS", "preflight", "orders", "orders-api"}
	if !slices.Equal(got, want) {
		t.Errorf("metadata = %q, want %q", got, want)
	}
}

// TestSecretCreateThenNothing clones the JSON secret into an empty
// account: the plan shows the value as a hash, the copy holds the new
// queue URL on the mapped key alias with mapped tags, the undo record is
// saved before the write, a second apply writes nothing, Verify passes by
// hash, and the rollback deletes the secret without a recovery window.
func TestSecretCreateThenNothing(t *testing.T) {
	t.Parallel()
	src, dst := seededSecrets()
	s := newSecretStep(src, dst, "orders/worker-config")
	cs, err := s.Plan(t.Context())
	must(t, err)
	ch := cs.Changes[0]
	wantAfter := "name: orders/worker-config\ndescription: worker config\nkmsKey: arn:aws:kms:us-east-1:" + newAcct + ":alias/orders\nvalue: " +
		digestOf([]byte(workerMapped)).String() + "\nvalueType: string\ntags:\n  owner: arn:aws:iam::" + newAcct + ":role/orders-admin\n  team: orders\n"
	if ch.Op != runbook.OpCreate || ch.After != wantAfter {
		t.Errorf("change %s:\n%s\nwant\n%s", ch.Op, ch.After, wantAfter)
	}
	if !slices.Contains(cs.Notes, "the value names the old account or a renamed resource: the copy holds it rewritten through the mapping") {
		t.Errorf("notes = %q", cs.Notes)
	}
	rec := &memRecorder{Check: func(json.RawMessage) {
		if len(dst.calls.Writes()) != 0 {
			t.Errorf("undo record saved after a write: %q", dst.calls.Writes())
		}
	}}
	must(t, s.Apply(t.Context(), rec))
	if got := dst.currentValue("orders/worker-config"); got != workerMapped {
		t.Errorf("the new account's value is not the mapped one (sha256 %s)", digestOf([]byte(got)))
	}
	if w := dst.calls.Writes(); !slices.Equal(w, []string{"CreateSecret orders/worker-config"}) {
		t.Errorf("writes = %q", w)
	}
	again := &memRecorder{}
	must(t, s.Apply(t.Context(), again))
	if len(dst.calls.Writes()) != 1 || len(again.Undo()) != 0 || again.Messages()[0] != "unchanged secret orders/worker-config in EKS" {
		t.Errorf("second apply: writes %q, undo %d, progress %q", dst.calls.Writes(), len(again.Undo()), again.Messages())
	}
	cs, err = s.Plan(t.Context())
	must(t, err)
	if cs.Changes[0].Op != runbook.OpNone {
		t.Errorf("plan after apply: %s", cs.Changes[0].Op)
	}
	checks := verified(t, s)
	if checks[1].Evidence != digestOf([]byte(workerMapped)).String()+" on both sides, after the mapping" {
		t.Errorf("value evidence = %q", checks[1].Evidence)
	}
	preview, err := s.(*secretStep).RollbackPreview(rec.Undo())
	must(t, err)
	if !slices.Equal(preview, []string{"delete secret orders/worker-config in EKS (account 222222222222), which the clone created, without a recovery window (the value stays in the old account)"}) {
		t.Errorf("preview = %q", preview)
	}
	must(t, s.Rollback(t.Context(), rec.Undo(), &memRecorder{}))
	if st := dst.state(); st != "" {
		t.Errorf("after rollback: %s", st)
	}
	if w := dst.calls.Writes(); w[len(w)-1] != "DeleteSecret arn:aws:secretsmanager:us-east-1:222222222222:secret:orders/worker-config-XyZ123 force=true" {
		t.Errorf("writes = %q", w)
	}
	if w := src.calls.Writes(); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
}

// TestSecretUpdateAndRollback: over an existing secret with another value,
// description and an extra tag, the apply writes each; the rollback makes
// the old version current again and puts settings and tags back.
func TestSecretUpdateAndRollback(t *testing.T) {
	t.Parallel()
	src, dst := seededSecrets()
	dst.add("orders/db-password", oldTarget, "old description", "", map[string]string{"extra": "x"})
	before := dst.state()
	s := newSecretStep(src, dst, "orders/db-password")
	cs, err := s.Plan(t.Context())
	must(t, err)
	if cs.Changes[0].Op != runbook.OpUpdate || !slices.Contains(cs.Notes, "update secret orders/db-password: value, description, tags") {
		t.Errorf("plan: %s, notes %q", cs.Changes[0].Op, cs.Notes)
	}
	rec := &memRecorder{}
	must(t, s.Apply(t.Context(), rec))
	verified(t, s)
	var u secretUndo
	must(t, json.Unmarshal(rec.Undo()[0], &u))
	if u.Created || u.PriorVersion != "v-seed" || *u.Prior != digestOf([]byte(oldTarget)) || *u.PriorDescription != "old description" || u.PriorTags["extra"] != "x" {
		t.Errorf("undo = %+v", u)
	}
	preview, err := s.(*secretStep).RollbackPreview(rec.Undo())
	must(t, err)
	if len(preview) != 3 || preview[0] != "make version v-seed (value "+digestOf([]byte(oldTarget)).String()+") current again for secret orders/db-password in EKS (account 222222222222)" {
		t.Errorf("preview = %q", preview)
	}
	back := &memRecorder{}
	must(t, s.Rollback(t.Context(), rec.Undo(), back))
	if got := dst.state(); got != before {
		t.Errorf("after rollback:\n%s\nwant\n%s", got, before)
	}
	if !slices.ContainsFunc(dst.calls.Writes(), func(w string) bool {
		return strings.HasPrefix(w, "UpdateSecretVersionStage") && strings.HasSuffix(w, "->v-seed")
	}) {
		t.Errorf("writes = %q", dst.calls.Writes())
	}
	n := len(dst.calls.Writes())
	must(t, s.Rollback(t.Context(), rec.Undo(), &memRecorder{}))
	if w := dst.calls.Writes()[n:]; len(w) != 0 {
		t.Errorf("the second rollback wrote %q", w)
	}
}

// TestSecretRollbackRefusesChanged: a value put by someone else since the
// clone wrote its own is never undone.
func TestSecretRollbackRefusesChanged(t *testing.T) {
	t.Parallel()
	for _, existed := range []bool{false, true} {
		src, dst := seededSecrets()
		if existed {
			dst.add("orders/db-password", oldTarget, "", "", nil)
		}
		s := newSecretStep(src, dst, "orders/db-password")
		rec := &memRecorder{}
		must(t, s.Apply(t.Context(), rec))
		_, err := dst.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("orders/db-password"),
			ClientRequestToken: aws.String("v-other2"), SecretString: aws.String("rotated")})
		must(t, err)
		n := len(dst.calls.Writes())
		err = s.Rollback(t.Context(), rec.Undo(), &memRecorder{})
		if err == nil || !strings.Contains(err.Error(), "holds version v-other2, which the clone did not write: it was changed since") {
			t.Errorf("existed=%t: rollback: %v", existed, err)
		}
		if len(dst.calls.Writes()) != n {
			t.Errorf("existed=%t: a refused rollback wrote %q", existed, dst.calls.Writes()[n:])
		}
	}
}

// TestSecretRetriedCreate: a create whose answer was lost is retried and
// refused as existing; the secret holds the clone's version, so the apply
// succeeds.
func TestSecretRetriedCreate(t *testing.T) {
	t.Parallel()
	src, dst := seededSecrets()
	dst.lostCreate = true
	s := newSecretStep(src, dst, "orders/db-password")
	must(t, s.Apply(t.Context(), &memRecorder{}))
	dst.lostCreate = false
	verified(t, s)
	// A secret someone else makes between the read and the create is not
	// taken for the clone's.
	src, dst = seededSecrets()
	dst.onCreate = func() { dst.add("orders/db-password", oldTarget, "", "", nil) }
	err := newSecretStep(src, dst, "orders/db-password").Apply(t.Context(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "create secret orders/db-password in EKS") || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("create over a foreign secret: %v", err)
	}
	if dst.currentValue("orders/db-password") != oldTarget {
		t.Error("the foreign secret was overwritten")
	}
}

// TestSecretKMS: the default key stays the default, an alias keeps its
// name, a key id needs the key table.
func TestSecretKMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, table, want, err string
	}{
		{key: "", want: ""},
		{key: "alias/aws/secretsmanager", want: ""},
		{key: "arn:aws:kms:us-east-1:" + oldAcct + ":alias/aws/secretsmanager", want: ""},
		{key: "alias/orders", want: "alias/orders"},
		{key: "arn:aws:kms:us-east-1:" + oldAcct + ":alias/orders", want: "arn:aws:kms:us-east-1:" + newAcct + ":alias/orders"},
		{key: "arn:aws:kms:us-east-1:" + oldAcct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab",
			err: "KMS key arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab has no counterpart in the new account"},
		{key: "arn:aws:kms:us-east-1:" + oldAcct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab", table: "1234abcd-12ab-34cd-56ef-1234567890ab",
			want: "arn:aws:kms:us-east-1:" + newAcct + ":key/99999999-12ab-34cd-56ef-1234567890ab"},
	}
	for _, tt := range tests {
		src, dst := newFakeSM(oldAcct), newFakeSM(newAcct)
		src.add("s", dbPassword, "", tt.key, nil)
		cfg := SecretConfig{Name: "s", Source: src, Target: dst, Mapping: testMapping, SourceAccount: oldAcct, TargetAccount: newAcct}
		if tt.table != "" {
			cfg.KMSKeys = map[string]string{tt.table: tt.want}
		}
		err := NewSecretStep(cfg).Apply(t.Context(), &memRecorder{})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || len(dst.calls.Writes()) != 0 {
				t.Errorf("key %q: %v, writes %q", tt.key, err, dst.calls.Writes())
			}
			continue
		}
		must(t, err)
		if got := dst.secrets["s"].kmsKey; got != tt.want {
			t.Errorf("key %q: target key %q, want %q", tt.key, got, tt.want)
		}
	}
}
