package awsstep

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

const (
	oldAcct = "111111111111"
	newAcct = "222222222222"
)

func queue(newName string) Step {
	return Step{StepID: "aws/sqs/orders", StepKind: "clone-sqs", HaveClients: true, Verb: "Clone", Noun: "SQS queue", Resource: "queue", API: "SQS", OldName: "orders", NewName: newName,
		TargetLabel: "EKS", SourceAccount: oldAcct, TargetAccount: newAcct,
		Mapping: rewrite.Mapping{Accounts: map[string]string{"333333333333": newAcct}}, Needs: []string{"preflight"}}
}

func TestNames(t *testing.T) {
	t.Parallel()
	s := queue("orders")
	renamed := queue("orders-eks")
	deps := s.Deps()
	deps[0] = "changed"
	got := []string{s.ID(), s.Kind(), s.Title(), renamed.Title(), s.Fail("read: %w", errors.New("boom")).Error(), strings.Join(s.Deps(), ",")}
	want := []string{"aws/sqs/orders", "clone-sqs", "Clone SQS queue orders to EKS", "Clone SQS queue orders as orders-eks to EKS",
		"clone SQS queue orders: read: boom", "preflight"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if err := s.Fail("read: %w", errTest); !errors.Is(err, errTest) {
		t.Errorf("Fail does not wrap: %v", err)
	}
}

var errTest = errors.New("test")

func TestCheckConfig(t *testing.T) {
	t.Parallel()
	own := errors.New("own refusal")
	refuse := func() error { return own }
	for _, tc := range []struct {
		name    string
		edit    func(*Step)
		clients bool
		more    []func() error
		want    string
	}{
		{"ok", nil, true, []func() error{func() error { return nil }}, ""},
		{"no clients first", func(s *Step) { s.TargetAccount = "" }, false, []func() error{refuse},
			"clone SQS queue orders: the step has no SQS client for the source or the target; build it with both"},
		{"own before accounts", func(s *Step) { s.TargetAccount = "" }, true, []func() error{refuse}, "own refusal"},
		{"no target account", func(s *Step) { s.TargetAccount = "" }, true, nil, "the plan names no target account id"},
		{"target is the source", func(s *Step) { s.TargetAccount = oldAcct }, true, nil, "target account 111111111111 is an old account"},
		{"target is mapped from", func(s *Step) { s.TargetAccount = "333333333333" }, true, nil, "target account 333333333333 is an old account"},
	} {
		s := queue("orders")
		if tc.edit != nil {
			tc.edit(&s)
		}
		s.HaveClients = tc.clients
		err := s.CheckConfig(tc.more...)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// recorder keeps saves; fail makes Save fail.
type recorder struct {
	saved []json.RawMessage
	fail  error
}

func (r *recorder) Progress(runbook.Progress)         {}
func (r *recorder) Saved() ([]json.RawMessage, error) { return nil, nil }
func (r *recorder) Save(raw json.RawMessage) error {
	if r.fail != nil {
		return r.fail
	}
	r.saved = append(r.saved, raw)
	return nil
}

type undo struct {
	Queue   string `json:"queue"`
	Account string `json:"account"`
}

func (u undo) UndoTarget() (name, account string) { return u.Queue, u.Account }

func TestSaveAndReadUndo(t *testing.T) {
	t.Parallel()
	s := queue("orders-eks")
	rec := &recorder{}
	if err := s.Save(rec, undo{Queue: "orders-eks", Account: newAcct}); err != nil || len(rec.saved) != 1 {
		t.Fatalf("Save: %v, saved %q", err, rec.saved)
	}
	var u undo
	if err := s.ReadUndo(0, rec.saved[0], &u); err != nil || u.Queue != "orders-eks" {
		t.Errorf("ReadUndo of its own record: %v, %+v", err, u)
	}
	for raw, want := range map[string]string{
		`{"queue":"orders-eks","account":"111111111111"}`: "undo record 2 is for queue orders-eks in account 111111111111, not orders-eks in 222222222222; it was not written by this step",
		`{"queue":"orders","account":"222222222222"}`:     "undo record 2 is for queue orders in account 222222222222",
		`{"queue":`: "undo record 2 is unreadable",
	} {
		if err := s.ReadUndo(1, json.RawMessage(raw), &undo{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadUndo(%s): %v, want %q", raw, err, want)
		}
	}
	rec.fail = errors.New("disk full")
	err := s.Save(rec, undo{})
	if err == nil || !strings.Contains(err.Error(), "save the undo record before writing: disk full; nothing was written") {
		t.Errorf("Save to a failing journal: %v", err)
	}
	if err := s.Save(&recorder{}, func() {}); err == nil || !strings.Contains(err.Error(), "encode the undo record") {
		t.Errorf("Save of what JSON cannot hold: %v", err)
	}
}

func TestVerifyChecks(t *testing.T) {
	t.Parallel()
	s := queue("orders-eks")
	missing := s.Missing("queue exists", "attributes match", "no old-account ids")
	want := []runbook.Check{
		{Name: "queue exists", Evidence: "no queue orders-eks in EKS (account 222222222222); apply the step"},
		{Name: "attributes match", Evidence: "the queue is absent"},
		{Name: "no old-account ids", Evidence: "the queue is absent"},
	}
	if !slices.Equal(missing, want) {
		t.Errorf("Missing = %+v", missing)
	}
	if c := s.Found("queue exists", "arn:q"); c != (runbook.Check{Name: "queue exists", OK: true, Evidence: "orders-eks in EKS: arn:q"}) {
		t.Errorf("Found = %+v", c)
	}
	if c := Check("c", []string{"a", "b"}, "fine"); c.OK || c.Evidence != "a\nb" {
		t.Errorf("Check with problems = %+v", c)
	}
	if c := Check("c", nil, "fine"); !c.OK || c.Evidence != "fine" {
		t.Errorf("Check without problems = %+v", c)
	}

	f := s.Findings()
	if !slices.Equal(f.Old(), []string{oldAcct, "333333333333"}) {
		t.Errorf("Old = %q", f.Old())
	}
	f.Scan("queue URL", "https://sqs.us-east-1.amazonaws.com/222222222222/orders-eks")
	if c := f.Check("accounts", "the URL"); !c.OK || c.Evidence != "none of 111111111111, 333333333333 in the URL" {
		t.Errorf("clean Findings.Check = %+v", c)
	}
	f.Scan("tag owner", "arn:aws:iam::111111111111:role/x")
	f.Add("policy statement 1: 333333333333")
	c := f.Check("accounts", "the URL")
	if c.OK || c.Evidence != "tag owner: arn:aws:iam::111111111111:role/x\npolicy statement 1: 333333333333" {
		t.Errorf("Findings.Check = %+v", c)
	}
}
