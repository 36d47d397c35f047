package iam

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	oldAcct  = "111111111111"
	newAcct  = "222222222222"
	issuer   = "https://oidc.eks.us-east-1.amazonaws.com/id/XYZ"
	subject  = "system:serviceaccount:payments:checkout-api"
	nodeRole = "arn:aws:iam::" + oldAcct + ":role/nodes.kops.acme.internal"
	provARN  = "arn:aws:iam::" + newAcct + ":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/XYZ"
	oldPol   = "arn:aws:iam::" + oldAcct + ":policy/orders-read"
	newPol   = "arn:aws:iam::" + newAcct + ":policy/orders-read"
	awsPol   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
)

var kube2iamTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + nodeRole + `"},"Action":"sts:AssumeRole"}]}`

func accessDoc(acct string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Orders","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],` +
		`"Resource":"arn:aws:dynamodb:us-east-1:` + acct + `:table/orders"}]}`
}

func readDoc(acct string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:` + acct + `:orders-fulfillment"}}`
}

// recorder keeps what a step saves and reports.
type recorder = clonetest.Recorder[undoRecord]

// fixture is a source account with role checkout-api (kube2iam trust, an
// inline policy, a customer-managed and an AWS-managed policy, tags) and
// an empty target account.
type fixture struct {
	src, dst *fakeIAM
	step     runbook.Step
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{src: newFakeIAM(oldAcct), dst: newFakeIAM(newAcct)}
	f.src.addRole("checkout-api", kube2iamTrust, map[string]string{"access": accessDoc(oldAcct)}, oldPol, awsPol)
	f.src.roles["checkout-api"].tags = map[string]string{"team": "payments", "caller": "arn:aws:iam::" + oldAcct + ":role/ci"}
	f.src.addPolicy(oldPol, readDoc(oldAcct))
	f.step = NewRoleStep(f.config())
	return f
}

func (f *fixture) config() RoleConfig {
	return RoleConfig{Name: "checkout-api", Source: f.src, Target: f.dst, TargetLabel: "EKS",
		Mapping:       rewrite.Mapping{Accounts: map[string]string{oldAcct: newAcct}},
		SourceAccount: oldAcct, TargetAccount: newAcct, OIDCIssuer: issuer, Subjects: []string{subject}}
}

// dump is an account's whole IAM state, for before/after comparisons.
func (f *fakeIAM) dump() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(f.roles)) {
		fmt.Fprintf(&b, "role %s %+v\n", n, *f.roles[n])
	}
	for _, a := range slices.Sorted(maps.Keys(f.policies)) {
		fmt.Fprintf(&b, "policy %s %+v\n", a, *f.policies[a])
	}
	fmt.Fprintf(&b, "providers %v\n", f.providers)
	return b.String()
}

func ops(cs runbook.ChangeSet) []string {
	var out []string
	for _, c := range cs.Changes {
		out = append(out, fmt.Sprintf("%s %s %s", c.Op, c.Kind, c.Name))
	}
	return out
}

func mustOK(t *testing.T, checks []runbook.Check, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if !c.OK {
			t.Errorf("check %q failed: %s", c.Name, c.Evidence)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestCloneKube2IAMToIRSA: a kube2iam role becomes an IRSA role of the new
// account, its provider created, documents mapped; a second apply writes
// nothing; rollback leaves the new account as it was.
func TestCloneKube2IAMToIRSA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	before := f.dst.dump()
	cs, err := f.step.Plan(ctx)
	must(t, err)
	want := []string{
		"create " + ChangeOIDC + " " + provARN,
		"create " + ChangeManaged + " " + newPol,
		"create " + ChangeRole + " checkout-api",
		"create " + ChangeTrust + " checkout-api",
		"create " + ChangeInline + " checkout-api/access",
		"create " + ChangeAttachment + " checkout-api -> " + newPol,
		"create " + ChangeAttachment + " checkout-api -> " + awsPol,
	}
	if got := ops(cs); !slices.Equal(got, want) {
		t.Fatalf("plan:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rec := &recorder{}
	must(t, f.step.Apply(ctx, rec))
	wantWrites := []string{
		"CreateOpenIDConnectProvider " + provARN + " sts.amazonaws.com",
		"CreatePolicy " + newPol,
		"CreateRole checkout-api",
		"PutRolePolicy checkout-api access",
		"AttachRolePolicy checkout-api " + newPol,
		"AttachRolePolicy checkout-api " + awsPol,
	}
	if got := f.dst.calls.Writes(); !slices.Equal(got, wantWrites) {
		t.Fatalf("writes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantWrites, "\n"))
	}
	if len(rec.Undo()) != len(wantWrites) {
		t.Errorf("%d undo records for %d writes", len(rec.Undo()), len(wantWrites))
	}
	assertIRSA(t, f.dst.roles["checkout-api"].trust)
	if state := f.dst.dump(); strings.Contains(state, oldAcct) {
		t.Errorf("the new account holds %s:\n%s", oldAcct, state)
	}
	checks, err := f.step.Verify(ctx)
	mustOK(t, checks, err)

	n := len(f.dst.calls.Writes())
	must(t, f.step.Apply(ctx, &recorder{}))
	if w := f.dst.calls.Writes()[n:]; len(w) != 0 {
		t.Errorf("the second apply wrote: %q", w)
	}
	cs, err = f.step.Plan(ctx)
	must(t, err)
	for _, c := range cs.Changes {
		if c.Op != runbook.OpNone {
			t.Errorf("plan after apply: %s %s %s", c.Op, c.Kind, c.Name)
		}
	}
	must(t, f.step.Rollback(ctx, rec.Undo(), &recorder{}))
	if after := f.dst.dump(); after != before {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", after, before)
	}
	if w := f.src.calls.Writes(); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
}

// assertIRSA checks a trust policy is exactly the IRSA trust of the
// target's provider for the subject.
func assertIRSA(t *testing.T, trust string) {
	t.Helper()
	host := "oidc.eks.us-east-1.amazonaws.com/id/XYZ"
	want := `{"Statement":[{"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"sts.amazonaws.com","` +
		host + `:sub":"` + subject + `"}},"Effect":"Allow","Principal":{"Federated":"` + provARN + `"}}],"Version":"2012-10-17"}`
	if trust != want {
		t.Errorf("trust:\n%s\nwant\n%s", trust, want)
	}
}

// TestUpdateRestoresOnRollback: a role already in the new account with a
// stale trust, a different inline policy, an extra one and a stray tag is
// brought to the mapped source, and rollback puts every prior document
// back. The provider exists already, so it is neither created nor deleted.
func TestUpdateRestoresOnRollback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	stale := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	f.dst.addRole("checkout-api", stale, map[string]string{"access": readDoc(newAcct), "by-hand": accessDoc(newAcct)}, awsPol)
	f.dst.roles["checkout-api"].tags = map[string]string{"stray": "x", "team": "old"}
	f.dst.roles["checkout-api"].desc = "made by hand"
	f.dst.providers[provARN] = issuer
	f.dst.addPolicy(newPol, readDoc(newAcct))
	before := f.dst.dump()
	cs, err := f.step.Plan(ctx)
	must(t, err)
	t.Logf("plan: %q\nnotes: %q", ops(cs), cs.Notes)
	for _, c := range cs.Changes {
		if c.Kind == ChangeTrust && (c.Op != runbook.OpUpdate || !strings.Contains(c.Before, `"Federated"`) || !strings.Contains(c.After, subject)) {
			t.Errorf("trust change: %s\nbefore %s\nafter %s", c.Op, c.Before, c.After)
		}
	}
	rec := &recorder{}
	must(t, f.step.Apply(ctx, rec))
	want := []string{"UpdateRole checkout-api", "TagRole checkout-api", "UntagRole checkout-api stray", "UpdateAssumeRolePolicy checkout-api",
		"PutRolePolicy checkout-api access", "DeleteRolePolicy checkout-api by-hand", "AttachRolePolicy checkout-api " + newPol}
	if got := f.dst.calls.Writes(); !slices.Equal(got, want) {
		t.Errorf("writes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checks, err := f.step.Verify(ctx)
	mustOK(t, checks, err)
	must(t, f.step.Rollback(ctx, rec.Undo(), &recorder{}))
	if after := f.dst.dump(); after != before {
		t.Errorf("new account after rollback:\n%s\nwant\n%s", after, before)
	}
}

// TestManagedPolicyNewVersion: a customer-managed policy that exists with
// another document gets the mapped one as a new default version; rollback
// makes the old version the default again and deletes the new one.
func TestManagedPolicyNewVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	f.dst.addPolicy(newPol, accessDoc(newAcct))
	rec := &recorder{}
	must(t, f.step.Apply(ctx, rec))
	p := f.dst.policies[newPol]
	if p.def != "v2" || !sameDoc(p.versions["v2"], readDoc(newAcct)) {
		t.Errorf("policy after apply: %+v", *p)
	}
	must(t, f.step.Rollback(ctx, rec.Undo(), &recorder{}))
	if p := f.dst.policies[newPol]; p == nil || p.def != "v1" || len(p.versions) != 1 {
		t.Errorf("policy after rollback: %+v", p)
	}
	if _, ok := f.dst.roles["checkout-api"]; ok {
		t.Error("rollback left the role it created")
	}
}

// TestManagedPolicyVersionOnce: an answer lost after IAM wrote the new
// version is not retried into a second one.
func TestManagedPolicyVersionOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.dst.addPolicy(newPol, accessDoc(newAcct))
	f.dst.loseVersionAnswers = 1
	rec := &recorder{}
	must(t, f.step.Apply(t.Context(), rec))
	if p := f.dst.policies[newPol]; len(p.versions) != 2 || p.def != "v2" || !sameDoc(p.versions["v2"], readDoc(newAcct)) {
		t.Errorf("policy after an apply whose answer was lost: default %s, %d versions; want v2 of 2", p.def, len(p.versions))
	}
	must(t, f.step.Rollback(t.Context(), rec.Undo(), &recorder{}))
	if p := f.dst.policies[newPol]; p == nil || p.def != "v1" || len(p.versions) != 1 {
		t.Errorf("policy after rollback: %+v", p)
	}
}

// TestProviderKeptWhileTrusted: rollback leaves an OIDC provider it created
// when another role trusts it, and says so.
func TestProviderKeptWhileTrusted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	rec := &recorder{}
	must(t, f.step.Apply(ctx, rec))
	f.dst.addRole("other", f.dst.roles["checkout-api"].trust, nil)
	out := &recorder{}
	must(t, f.step.Rollback(ctx, rec.Undo(), out))
	if _, ok := f.dst.providers[provARN]; !ok {
		t.Error("rollback deleted a provider role other trusts")
	}
	if len(out.Messages()) != 1 || !strings.Contains(out.Messages()[0], "stays: roles other trust it") {
		t.Errorf("rollback said %q", out.Messages())
	}
}

// TestVerifyNamesOldAccount: an old account id slipped into a target
// document fails verification, naming the policy and the statement.
func TestVerifyNamesOldAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	must(t, f.step.Apply(ctx, &recorder{}))
	f.dst.roles["checkout-api"].inline["access"] = accessDoc(oldAcct)
	checks, err := f.step.Verify(ctx)
	must(t, err)
	got := map[string]runbook.Check{}
	for _, c := range checks {
		got[c.Name] = c
	}
	want := "inline policy access statement 1 (Sid Orders): arn:aws:dynamodb:us-east-1:111111111111:table/orders"
	if c := got[CheckAccounts]; c.OK || c.Evidence != want {
		t.Errorf("accounts check: ok=%v %q, want %q", c.OK, c.Evidence, want)
	}
	if c := got[CheckInline]; c.OK {
		t.Errorf("inline check passed with the old account's table: %s", c.Evidence)
	}
	if c := got[CheckIRSA]; !c.OK {
		t.Errorf("IRSA check: %s", c.Evidence)
	}
}

// TestKube2IAMNeedsIRSAConfig: without the issuer and subjects, a kube2iam
// trust cannot be cloned, and the error says what to give.
func TestKube2IAMNeedsIRSAConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Subjects = nil
	_, err := NewRoleStep(cfg).Plan(t.Context())
	if err == nil || !strings.Contains(err.Error(), "OIDC issuer and the service accounts") {
		t.Errorf("Plan = %v, want an error asking for the OIDC issuer and service accounts", err)
	}
	if w := f.dst.calls.Writes(); len(w) != 0 {
		t.Errorf("writes: %q", w)
	}
}
