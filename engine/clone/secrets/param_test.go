package secrets

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// The source parameters' values; tests fail when any of them leaks.
const (
	dbHost      = "orders-db.orders.acme.internal"
	ssmPassword = "0rders-Db-Pa55-ssm!"
	queueURL    = "https://sqs.us-east-1.amazonaws.com/" + oldAcct + "/orders-fulfillment"
	queueMapped = "https://sqs.us-east-1.amazonaws.com/" + newAcct + "/orders-fulfillment"
)

// seededParams is the old account's /orders/ parameters (and one
// elsewhere) and an empty new account.
func seededParams() (src, dst *fakeSSM) {
	src, dst = newFakeSSM(oldAcct), newFakeSSM(newAcct)
	tags := map[string]string{"team": "orders"}
	src.add(param{name: "/orders/db/host", typ: ssmtypes.ParameterTypeString, value: []byte(dbHost), description: "orders database host", tags: tags}, 1)
	src.add(param{name: "/orders/db/password", typ: ssmtypes.ParameterTypeSecureString, value: []byte(ssmPassword), tags: tags}, 2)
	src.add(param{name: "/orders/queue-url", typ: ssmtypes.ParameterTypeString, value: []byte(queueURL), tags: tags}, 1)
	src.add(param{name: "/payments/key", typ: ssmtypes.ParameterTypeSecureString, value: []byte("other")}, 1)
	return src, dst
}

func newParamStep(src, dst *fakeSSM, path string) runbook.Step {
	return NewParameterStep(ParameterConfig{Path: path, Source: src, Target: dst, Mapping: testMapping, TargetLabel: "EKS",
		SourceAccount: oldAcct, TargetAccount: newAcct})
}

func TestParameterMetadata(t *testing.T) {
	t.Parallel()
	src, dst := seededParams()
	for path, want := range map[string][]string{
		"/orders/":        {"aws/ssm/orders/", "clone-ssm-parameter", "Copy SSM parameters under /orders/ to EKS"},
		"/orders/db/host": {"aws/ssm/orders/db/host", "clone-ssm-parameter", "Copy SSM parameter /orders/db/host to EKS"},
	} {
		s := newParamStep(src, dst, path)
		if got := []string{s.ID(), s.Kind(), s.Title()}; !slices.Equal(got, want) {
			t.Errorf("%s: metadata = %q, want %q", path, got, want)
		}
	}
}

// TestParamsCreateThenNothing clones /orders/ into an empty account: three
// creates (the password stays a SecureString on the default key, the
// queue URL comes out naming the new account), a second apply writes
// nothing, Verify passes by hash, the rollback deletes all three.
func TestParamsCreateThenNothing(t *testing.T) {
	t.Parallel()
	src, dst := seededParams()
	s := newParamStep(src, dst, "/orders/")
	cs, err := s.Plan(t.Context())
	must(t, err)
	var names []string
	for _, c := range cs.Changes {
		if c.Op != runbook.OpCreate {
			t.Errorf("%s: %s", c.Name, c.Op)
		}
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"/orders/db/host", "/orders/db/password", "/orders/queue-url"}) {
		t.Errorf("changes for %q", names)
	}
	want := "name: /orders/db/password\ntype: SecureString\nkmsKey: (the account's default key, aws/ssm)\nvalue: " +
		digestOf([]byte(ssmPassword)).String() + "\ndataType: text\ntier: Standard\ntags:\n  team: orders\n"
	if cs.Changes[1].After != want {
		t.Errorf("password change:\n%s\nwant\n%s", cs.Changes[1].After, want)
	}
	rec := &memRecorder{}
	must(t, s.Apply(t.Context(), rec))
	if p := dst.current("/orders/db/password"); p.typ != ssmtypes.ParameterTypeSecureString || p.keyID != "" || string(p.value) != ssmPassword {
		t.Errorf("password in the new account: %s key %q", p.typ, p.keyID)
	}
	if p := dst.current("/orders/queue-url"); string(p.value) != queueMapped {
		t.Errorf("queue URL in the new account is not the mapped one (%s)", digestOf(p.value))
	}
	n := len(dst.calls.Writes())
	again := &memRecorder{}
	must(t, s.Apply(t.Context(), again))
	if len(dst.calls.Writes()) != n || len(again.Undo()) != 0 {
		t.Errorf("second apply: writes %q, undo %d", dst.calls.Writes()[n:], len(again.Undo()))
	}
	checks := verified(t, s)
	if !strings.Contains(checks[1].Evidence, "/orders/queue-url: "+digestOf([]byte(queueMapped)).String()+" on both sides") {
		t.Errorf("value evidence = %q", checks[1].Evidence)
	}
	preview, err := s.(*paramStep).RollbackPreview(rec.Undo())
	must(t, err)
	if len(preview) != 3 || preview[0] != "delete parameter /orders/db/host in EKS (account 222222222222), which the clone created" {
		t.Errorf("preview = %q", preview)
	}
	must(t, s.Rollback(t.Context(), rec.Undo(), &memRecorder{}))
	if st := dst.state(); st != "" {
		t.Errorf("after rollback:\n%s", st)
	}
	if w := src.calls.Writes(); len(w) != 0 {
		t.Errorf("the old account was written to: %q", w)
	}
}

// TestParamOverwriteAndRollback: an existing parameter is overwritten (its
// undo record holds its version and hash) and put back from that version
// on rollback.
func TestParamOverwriteAndRollback(t *testing.T) {
	t.Parallel()
	src, dst := seededParams()
	dst.add(param{name: "/orders/db/host", typ: ssmtypes.ParameterTypeString, value: []byte("old-host"), description: "was here",
		tags: map[string]string{"team": "orders", "extra": "x"}}, 3)
	before := dst.state()
	s := newParamStep(src, dst, "/orders/db/host")
	cs, err := s.Plan(t.Context())
	must(t, err)
	if cs.Changes[0].Op != runbook.OpUpdate || !slices.Contains(cs.Notes, "update parameter /orders/db/host: value, description, tags") {
		t.Errorf("plan: %s, notes %q", cs.Changes[0].Op, cs.Notes)
	}
	rec := &memRecorder{}
	must(t, s.Apply(t.Context(), rec))
	verified(t, s)
	var u paramUndo
	must(t, json.Unmarshal(rec.Undo()[0], &u))
	if u.Created || u.Prior.Version != 3 || u.Prior.Value != digestOf([]byte("old-host")) || u.Prior.Description != "was here" || u.PriorTags["extra"] != "x" {
		t.Errorf("undo = %+v, prior %+v", u, u.Prior)
	}
	back := &memRecorder{}
	must(t, s.Rollback(t.Context(), rec.Undo(), back))
	if got := dst.state(); got != before {
		t.Errorf("after rollback:\n%s\nwant\n%s", got, before)
	}
	if !slices.Contains(dst.calls.Writes(), "PutParameter /orders/db/host String overwrite=true") || len(dst.params["/orders/db/host"].history) != 5 {
		t.Errorf("writes = %q", dst.calls.Writes())
	}
	// A rollback run again (as after one cut short) finds it done.
	n := len(dst.calls.Writes())
	must(t, s.Rollback(t.Context(), rec.Undo(), &memRecorder{}))
	if w := dst.calls.Writes()[n:]; len(w) != 0 {
		t.Errorf("the second rollback wrote %q", w)
	}
}

// TestParamRollbackRefusesChanged: a parameter changed since the clone
// wrote it stops the whole rollback before any write.
func TestParamRollbackRefusesChanged(t *testing.T) {
	t.Parallel()
	src, dst := seededParams()
	s := newParamStep(src, dst, "/orders/")
	rec := &memRecorder{}
	must(t, s.Apply(t.Context(), rec))
	dst.add(param{name: "/orders/queue-url", typ: ssmtypes.ParameterTypeString, value: []byte("changed")}, 2)
	n := len(dst.calls.Writes())
	err := s.Rollback(t.Context(), rec.Undo(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "parameters changed in EKS since the clone wrote them: /orders/queue-url (version 2 holds a value the clone did not write)") {
		t.Errorf("rollback: %v", err)
	}
	if len(dst.calls.Writes()) != n {
		t.Errorf("a refused rollback wrote: %q", dst.calls.Writes()[n:])
	}
}

// TestParamResumeAfterCrash: an apply cut short after the first parameter
// is resumed by the next, which writes only the rest; a rollback from
// both applies' undo records empties the account again.
func TestParamResumeAfterCrash(t *testing.T) {
	t.Parallel()
	src, dst := seededParams()
	dst.failPut = 2
	s := newParamStep(src, dst, "/orders/")
	first := &memRecorder{}
	if err := s.Apply(t.Context(), first); err == nil || !strings.Contains(err.Error(), "put parameter /orders/db/password in EKS") {
		t.Fatalf("apply with a failing put: %v", err)
	}
	second := &memRecorder{Resume: first.Undo()}
	must(t, s.Apply(t.Context(), second))
	puts := map[string]int{}
	for i, w := range dst.calls.Writes() {
		if strings.HasPrefix(w, "PutParameter") && i != 2 { // the second put failed without writing
			puts[strings.Fields(w)[1]]++
		}
	}
	if len(puts) != 3 || puts["/orders/db/host"] != 1 || puts["/orders/db/password"] != 1 || puts["/orders/queue-url"] != 1 {
		t.Errorf("puts = %v, writes %q", puts, dst.calls.Writes())
	}
	verified(t, s)
	must(t, s.Rollback(t.Context(), append(first.Undo(), second.Undo()...), &memRecorder{}))
	if st := dst.state(); st != "" {
		t.Errorf("after rollback:\n%s", st)
	}
}

// TestParamKMS: a SecureString on a customer alias keeps the alias; one on
// a key id without a table entry is refused before any write.
func TestParamKMS(t *testing.T) {
	t.Parallel()
	src, dst := newFakeSSM(oldAcct), newFakeSSM(newAcct)
	src.add(param{name: "/k/alias", typ: ssmtypes.ParameterTypeSecureString, value: []byte("a"), keyID: "alias/orders"}, 1)
	must(t, newParamStep(src, dst, "/k/alias").Apply(t.Context(), &memRecorder{}))
	if p := dst.current("/k/alias"); p.keyID != "alias/orders" {
		t.Errorf("key = %q", p.keyID)
	}
	src.add(param{name: "/k/id", typ: ssmtypes.ParameterTypeSecureString, value: []byte("b"), keyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}, 1)
	n := len(dst.calls.Writes())
	_, err := newParamStep(src, dst, "/k/id").Plan(t.Context())
	if err == nil || !strings.Contains(err.Error(), "/k/id: KMS key 1234abcd-12ab-34cd-56ef-1234567890ab has no counterpart in the new account") {
		t.Errorf("plan: %v", err)
	}
	if err := newParamStep(src, dst, "/k/id").Apply(t.Context(), &memRecorder{}); err == nil || len(dst.calls.Writes()) != n {
		t.Errorf("apply: %v, writes %q", err, dst.calls.Writes()[n:])
	}
}

// TestParamRefusals: nothing to copy, a root path, an old target account.
func TestParamRefusals(t *testing.T) {
	t.Parallel()
	src, dst := seededParams()
	for path, want := range map[string]string{
		"/nope/":      "copy SSM /nope/: no such parameter in the old account 111111111111",
		"/nope/x":     "copy SSM /nope/x: no such parameter in the old account 111111111111",
		"/":           "name one parameter or a path below the root",
		"/orders/old": "no such parameter",
	} {
		if _, err := newParamStep(src, dst, path).Plan(t.Context()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	s := NewParameterStep(ParameterConfig{Path: "/orders/", Source: src, Target: dst, SourceAccount: oldAcct, TargetAccount: oldAcct})
	if err := s.Apply(t.Context(), &memRecorder{}); err == nil || !strings.Contains(err.Error(), "target account 111111111111 is an old account") {
		t.Errorf("old target: %v", err)
	}
	if len(dst.calls.Writes()) != 0 {
		t.Errorf("a refused step wrote: %q", dst.calls.Writes())
	}
}

// TestValueFindings: old account ids are found in JSON fields, plain text
// and a bare number, and reported without the value around them.
func TestValueFindings(t *testing.T) {
	t.Parallel()
	old := []string{oldAcct}
	for value, want := range map[string]string{
		`{"a":{"queue":"` + queueURL + `"},"n":[1,"x ` + oldAcct + `"]}`: "v $.a.queue: old account 111111111111\nv $.n[1]: old account 111111111111",
		queueURL:                         "v: old account 111111111111",
		oldAcct:                          "v: old account 111111111111",
		`"arn:aws:iam::` + oldAcct + `"`: "v: old account 111111111111",
		"1111111111112":                  "",
		`{"ok":"` + queueMapped + `"}`:   "",
	} {
		if got := strings.Join(valueFindings("v", []byte(value), old), "\n"); got != want {
			t.Errorf("findings in a %d-byte value = %q, want %q", len(value), got, want)
		}
	}
}
