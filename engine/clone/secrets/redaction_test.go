package secrets

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// transcript is everything the steps let out: change sets, notes,
// progress, undo records, check evidence and errors.
type transcript struct{ texts []string }

func (tr *transcript) plan(s runbook.Step, t *testing.T) {
	cs, err := s.Plan(t.Context())
	tr.err(err)
	for _, c := range cs.Changes {
		tr.texts = append(tr.texts, c.Name, c.Before, c.After)
	}
	tr.texts = append(tr.texts, cs.Notes...)
}

func (tr *transcript) verify(s runbook.Step, t *testing.T) {
	checks, err := s.Verify(t.Context())
	tr.err(err)
	for _, c := range checks {
		tr.texts = append(tr.texts, c.Name, c.Evidence)
	}
}

func (tr *transcript) rec(r *memRecorder) {
	tr.texts = append(tr.texts, r.Messages()...)
	for _, u := range r.Undo() {
		tr.texts = append(tr.texts, string(u))
	}
}

func (tr *transcript) err(err error) {
	if err != nil {
		tr.texts = append(tr.texts, err.Error())
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			tr.texts = append(tr.texts, e.Error())
		}
	}
}

// leaks fails the test for every value found in the transcript, as is or
// base64-encoded.
func (tr *transcript) leaks(t *testing.T, values ...string) {
	t.Helper()
	if len(tr.texts) < 20 {
		t.Fatalf("only %d texts collected; the scan would prove little", len(tr.texts))
	}
	for _, v := range values {
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
			for _, text := range tr.texts {
				if strings.Contains(text, form) {
					t.Errorf("a value leaked (sha256 %s) in %q", digestOf([]byte(v)), strings.ReplaceAll(text, form, "<HERE>"))
				}
			}
		}
	}
}

// run drives a step through plan, apply, apply again, verify, rollback
// preview and rollback, recording all it says.
func (tr *transcript) run(t *testing.T, s runbook.Step, preview func([]byte) ([]string, error)) {
	tr.plan(s, t)
	rec := &memRecorder{}
	tr.err(s.Apply(t.Context(), rec))
	tr.rec(rec)
	again := &memRecorder{}
	tr.err(s.Apply(t.Context(), again))
	tr.rec(again)
	tr.plan(s, t)
	tr.verify(s, t)
	for _, u := range rec.Undo() {
		lines, err := preview(u)
		tr.err(err)
		tr.texts = append(tr.texts, lines...)
	}
	back := &memRecorder{}
	tr.err(s.Rollback(t.Context(), rec.Undo(), back))
	tr.rec(back)
}

// TestRedaction drives both step kinds through every path — create,
// update, no-op, verify passing and failing, rollback, AWS errors that
// quote values — and scans all they said for every value they handled.
func TestRedaction(t *testing.T) {
	t.Parallel()
	tr := &transcript{}

	src, dst := seededSecrets()
	dst.add("orders/db-password", oldTarget, "", "", nil)
	for _, name := range []string{"orders/worker-config", "orders/db-password"} {
		s := newSecretStep(src, dst, name).(*secretStep)
		tr.run(t, s, func(u []byte) ([]string, error) { return s.RollbackPreview([]json.RawMessage{u}) })
	}
	// Verify failing: the target holds an old-account value.
	src, dst = seededSecrets()
	dst.add("orders/worker-config", workerConf, "worker config", "alias/orders", nil)
	tr.verify(newSecretStep(src, dst, "orders/worker-config"), t)
	// AWS errors quoting the value.
	src, dst = seededSecrets()
	dst.echo = true
	tr.err(newSecretStep(src, dst, "orders/worker-config").Apply(t.Context(), &memRecorder{}))
	dst.echo = false
	dst.add("orders/db-password", oldTarget, "", "", nil)
	dst.echo = true
	tr.err(newSecretStep(src, dst, "orders/db-password").Apply(t.Context(), &memRecorder{}))

	psrc, pdst := seededParams()
	pdst.add(param{name: "/orders/db/host", typ: ssmtypes.ParameterTypeString, value: []byte(oldTarget)}, 2)
	p := newParamStep(psrc, pdst, "/orders/").(*paramStep)
	tr.run(t, p, func(u []byte) ([]string, error) { return p.RollbackPreview([]json.RawMessage{u}) })
	psrc, pdst = seededParams()
	pdst.add(param{name: "/orders/queue-url", typ: ssmtypes.ParameterTypeString, value: []byte(queueURL)}, 1)
	tr.verify(newParamStep(psrc, pdst, "/orders/queue-url"), t)
	pdst.echo = true
	tr.err(newParamStep(psrc, pdst, "/orders/").Apply(t.Context(), &memRecorder{}))

	all := strings.Join(tr.texts, "\n")
	withheld := " (the service's message quoted the value and is withheld)"
	if !strings.Contains(all, "create secret orders/worker-config in EKS: InvalidParameterException"+withheld) ||
		!strings.Contains(all, "put the value: InvalidParameterException"+withheld) ||
		!strings.Contains(all, "put parameter /orders/db/host in EKS: ValidationException"+withheld) {
		t.Error("the errors quoting values were not collected; the scan would miss them")
	}
	if !strings.Contains(all, "secret orders/worker-config value $.queueUrl: old account 111111111111") ||
		!strings.Contains(all, "/orders/queue-url value: old account 111111111111") {
		t.Error("the failing account checks were not collected, or do not say where")
	}
	tr.leaks(t, dbPassword, workerConf, workerMapped, "w0rker-Pa55-xyz", oldTarget, dbHost, ssmPassword, queueURL, queueMapped)
}
