package iam

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// TestSandboxClone clones the seeded roles checkout-api (which the new
// account already has, trusting the EKS OIDC provider) and ledger (which it
// lacks) on a private sandbox, through a runner with a journal, while both
// accounts throttle and fail a share of requests: both apply and verify,
// and a second apply writes nothing. With the faults off a separate client
// finds no old account id in any role of the new account; the rollback,
// under faults again, leaves the new account's roles as they were, and the
// old account is never written to.
func TestSandboxClone(t *testing.T) {
	sb := clonetest.Isolated(t)
	p, ctx := sb.Plan, t.Context()
	src, dst := iam.NewFromConfig(clonetest.Retrying(sb.Source())), iam.NewFromConfig(clonetest.Retrying(sb.Target()))
	oldReader, newReader := iam.NewFromConfig(sb.OldAccount), iam.NewFromConfig(sb.NewAccount)
	// A tag naming the old account, which the seed lacks, so the clone's
	// mapping of tags runs against the emulator too.
	_, err := oldReader.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("ledger"),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("arn:aws:iam::" + p.Source.AWS.Account + ":role/platform-admin")}}})
	must(t, err)
	eksCluster, err := cluster.DescribeEKS(ctx, eks.NewFromConfig(sb.NewAccount), "acme-platform")
	must(t, err)
	t.Logf("target OIDC issuer %s", eksCluster.OIDCIssuer)

	var steps []runbook.Step
	for _, name := range []string{"ledger", "checkout-api"} {
		steps = append(steps, NewRoleStep(RoleConfig{Name: name, Source: src, Target: dst, Mapping: p.Mapping, TargetLabel: p.Target.Label,
			SourceAccount: p.Source.AWS.Account, TargetAccount: p.Target.AWS.Account, OIDCIssuer: eksCluster.OIDCIssuer,
			Subjects: []string{"system:serviceaccount:payments:" + name}, Namespace: "payments", Service: name}))
	}
	r, _ := clonetest.Runner(t, runbook.Config{Steps: steps})

	oldBefore, newBefore := accountState(t, oldReader), accountState(t, newReader)
	ids := []string{StepID("ledger"), StepID("checkout-api")}
	faults := sb.InjectFaults(t, true)
	for _, id := range ids {
		cs, err := r.Plan(ctx, id)
		must(t, err)
		for _, c := range cs.Changes {
			t.Logf("plan %s: %s %s %s\nbefore:\n%s\nafter:\n%s", id, c.Op, c.Kind, c.Name, c.Before, c.After)
		}
		must(t, r.Apply(ctx, id))
		clonetest.Verified(t, r, id)
	}
	sb.Reapply(t, r, ids...)
	faults.Off()
	independentRead(t, newReader, p.Source.AWS.Account)

	faults = sb.InjectFaults(t, false)
	for _, id := range []string{StepID("checkout-api"), StepID("ledger")} {
		must(t, r.Rollback(ctx, id))
	}
	faults.Off()
	newAfter := accountState(t, newReader)
	provider := "oidc-provider " + "arn:aws:iam::" + p.Target.AWS.Account + ":oidc-provider/" + issuerHost(eksCluster.OIDCIssuer)
	if _, ok := newAfter[provider]; !ok || newBefore[provider] != "" {
		t.Errorf("the OIDC provider: before %v, after %v; want it created by the clone and kept, since the seeded checkout-api trusts it",
			slices.Sorted(maps.Keys(newBefore)), slices.Sorted(maps.Keys(newAfter)))
	}
	delete(newAfter, provider)
	sb.RolledBack(t, clonetest.State{Old: clonetest.Lines(oldBefore), New: clonetest.Lines(newBefore)},
		clonetest.State{Old: clonetest.Lines(accountState(t, oldReader)), New: clonetest.Lines(newAfter)})
}

// accountState is every role of an account (properties, tags, trust,
// inline documents, attachments) and every OIDC provider, read with a
// client of its own. A missing MaxSessionDuration reads as IAM's default.
func accountState(t *testing.T, c *iam.Client) map[string]string {
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	roles, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	must(t, err)
	for _, lr := range roles.Roles {
		got, err := readRole(ctx, c, aws.ToString(lr.RoleName))
		must(t, err)
		out["role "+aws.ToString(lr.RoleName)] = fmt.Sprintf("%s %s %q %d %v trust=%s inline=%v attached=%v",
			got.arn, got.path, got.description, got.maxSession, got.tags, got.trust, got.inline, got.attached)
	}
	provs, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	must(t, err)
	for _, pv := range provs.OpenIDConnectProviderList {
		out["oidc-provider "+aws.ToString(pv.Arn)] = "present"
	}
	return out
}

// independentRead reads every role of the new account with a client the
// steps never used: no document, tag or ARN holds the old account.
func independentRead(t *testing.T, c *iam.Client, oldAccount string) {
	t.Helper()
	state := accountState(t, c)
	if len(state) < 3 {
		t.Fatalf("the new account holds only %v; the scan would prove little", slices.Sorted(maps.Keys(state)))
	}
	for k, v := range state {
		if strings.Contains(k+v, oldAccount) {
			t.Errorf("%s holds the old account %s: %s", k, oldAccount, v)
		}
	}
	for _, name := range []string{"checkout-api", "ledger"} {
		if v := state["role "+name]; !strings.Contains(v, "sts:AssumeRoleWithWebIdentity") || !strings.Contains(v, "system:serviceaccount:payments:"+name) {
			t.Errorf("role %s in the new account is no IRSA role: %s", name, v)
		}
	}
}
