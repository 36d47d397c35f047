package sqs

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestApplyCreatesThenChangesNothing clones the DLQ and the queue into an
// empty account, checks what was written and when the undo records were
// saved, applies again (no write at all), verifies and rolls back.
func TestApplyCreatesThenChangesNothing(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	dlq, q := newStep(src, dst, "orders-fulfillment-dlq"), newStep(src, dst, "orders-fulfillment")

	err := q.Apply(t.Context(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "apply step aws/sqs/orders-fulfillment-dlq first") || len(dst.calls.Writes()) != 0 {
		t.Fatalf("queue before its DLQ: err %v, writes %v", err, dst.calls.Writes())
	}
	saved := func(u undoRecord) {
		if _, there := dst.queues[u.Queue]; there || !u.Created || u.Account != newAcct {
			t.Errorf("undo record %+v saved after the write, or wrong", u)
		}
	}
	recs := map[string]*memRecorder{}
	for _, s := range []runbook.Step{dlq, q} {
		recs[s.ID()] = &memRecorder{Check: saved}
		must(t, s.Apply(t.Context(), recs[s.ID()]))
	}
	if w := dst.calls.Writes(); !slices.Equal(w, []string{"CreateQueue orders-fulfillment-dlq", "CreateQueue orders-fulfillment"}) {
		t.Errorf("writes = %q", w)
	}
	got := dst.queues["orders-fulfillment"]
	if canonical(got.attrs["RedrivePolicy"]) != canonical(redrive(newAcct, "orders-fulfillment-dlq")) ||
		canonical(got.attrs["Policy"]) != canonical(sendPolicy(newAcct, "orders-fulfillment")) ||
		got.attrs["VisibilityTimeout"] != "60" || got.tags["producer"] != "arn:aws:iam::"+newAcct+":role/checkout-api" {
		t.Errorf("target queue = %+v", got)
	}

	before := len(dst.calls.Writes())
	for _, s := range []runbook.Step{dlq, q} {
		again := apply(t, s)
		if len(again.Undo()) != 0 || !strings.HasPrefix(again.Messages()[0], "unchanged queue") {
			t.Errorf("second apply of %s: undo %d, progress %q", s.ID(), len(again.Undo()), again.Messages())
		}
		cs, err := s.Plan(t.Context())
		must(t, err)
		if cs.Changes[0].Op != runbook.OpNone {
			t.Errorf("plan after apply of %s: %s", s.ID(), cs.Changes[0].Op)
		}
		wantOK(t, s)
	}
	if w := dst.calls.Writes(); len(w) != before {
		t.Errorf("second apply wrote %q", w[before:])
	}

	for _, s := range []runbook.Step{q, dlq} {
		back := &memRecorder{}
		must(t, s.Rollback(t.Context(), recs[s.ID()].Undo(), back))
	}
	if len(dst.queues) != 0 {
		t.Errorf("rollback left %s", dst.state())
	}
	if w := src.calls.Writes(); len(w) != 0 {
		t.Errorf("the source was written to: %q", w)
	}
}

// wantOK verifies a step and fails on any failing check.
func wantOK(t *testing.T, s runbook.Step) {
	t.Helper()
	checks, err := s.Verify(t.Context())
	must(t, err)
	names := []string{CheckExists, CheckAttributes, CheckRedrive, CheckAccounts, CheckDepth}
	for i, c := range checks {
		if !c.OK || c.Name != names[i] {
			t.Errorf("%s: check %d %q failed: %s", s.ID(), i, c.Name, c.Evidence)
		}
	}
}

// TestUpdateAndRollback applies over an existing, drifted queue twice (the
// source changing in between) and rolls back to exactly the first state.
func TestUpdateAndRollback(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	dst.add("orders-fulfillment-dlq", nil, map[string]string{"team": "orders"}, 0)
	dst.add("orders-fulfillment", map[string]string{"VisibilityTimeout": "30", "DelaySeconds": "5",
		"Policy": sendPolicy(oldAcct, "orders-fulfillment")}, map[string]string{"team": "payments", "cost": "x"}, 0)
	original := dst.state()
	s := newStep(src, dst, "orders-fulfillment")

	first := &memRecorder{Check: func(u undoRecord) {
		if dst.queues["orders-fulfillment"].attrs["VisibilityTimeout"] != "30" {
			t.Error("undo record saved after the write")
		}
	}}
	must(t, s.Apply(t.Context(), first))
	want := []string{"SetQueueAttributes orders-fulfillment DelaySeconds,Policy,RedrivePolicy,VisibilityTimeout",
		"TagQueue orders-fulfillment producer,team", "UntagQueue orders-fulfillment cost"}
	if w := dst.calls.Writes(); !slices.Equal(w, want) {
		t.Errorf("writes =\n%q\nwant\n%q", w, want)
	}
	var u undoRecord
	must(t, json.Unmarshal(first.Undo()[0], &u))
	if u.Created || u.Prior["VisibilityTimeout"] != "30" || u.Prior["RedrivePolicy"] != "" ||
		u.PriorTags["cost"] != "x" || !slices.Equal(u.AddedTags, []string{"producer"}) {
		t.Errorf("undo record = %+v", u)
	}
	wantOK(t, s)

	src.queues["orders-fulfillment"].attrs["MessageRetentionPeriod"] = "60"
	src.queues["orders-fulfillment"].attrs["VisibilityTimeout"] = "90"
	second := apply(t, s)
	undo := append(slices.Clone(first.Undo()), second.Undo()...)
	must(t, s.Rollback(t.Context(), undo, &memRecorder{}))
	if got := dst.state(); got != original {
		t.Errorf("after rollback:\n%s\nwant\n%s", got, original)
	}
	n := len(dst.calls.Writes())
	must(t, s.Rollback(t.Context(), undo, &memRecorder{}))
	if len(dst.calls.Writes()) != n {
		t.Errorf("a second rollback wrote %q", dst.calls.Writes()[n:])
	}
}

func TestRollbackCreated(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	s := newStep(src, dst, "orders-fulfillment-dlq")
	rec := apply(t, s)
	dst.queues["orders-fulfillment-dlq"].messages = 4
	err := s.Rollback(t.Context(), rec.Undo(), &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "holds 4 messages that deleting it would destroy; drain or move them") {
		t.Errorf("rollback of a queue with messages: %v", err)
	}
	dst.queues["orders-fulfillment-dlq"].messages = 0
	back := &memRecorder{}
	must(t, s.Rollback(t.Context(), rec.Undo(), back))
	must(t, s.Rollback(t.Context(), rec.Undo(), back))
	want := []string{"deleted queue orders-fulfillment-dlq in EKS (SQS allows a queue of that name again after 60 seconds)",
		"queue orders-fulfillment-dlq is already gone from EKS"}
	if !slices.Equal(back.Messages(), want) {
		t.Errorf("progress = %q", back.Messages())
	}
	other, _ := json.Marshal(undoRecord{Queue: "refunds", Account: newAcct, Created: true})
	err = s.Rollback(t.Context(), []json.RawMessage{other}, &memRecorder{})
	if err == nil || !strings.Contains(err.Error(), "not written by this step") {
		t.Errorf("rollback with another queue's record: %v", err)
	}
}

// TestVerifyFindsOldAccount: a target queue still naming the old account
// fails verification with the attribute and the ARN.
func TestVerifyFindsOldAccount(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	dst.add("orders-fulfillment-dlq", nil, nil, 0)
	dst.add("orders-fulfillment", map[string]string{"RedrivePolicy": redrive(oldAcct, "orders-fulfillment-dlq"),
		"VisibilityTimeout": "60", "Policy": sendPolicy(newAcct, "orders-fulfillment")},
		map[string]string{"team": "orders", "producer": "arn:aws:iam::" + oldAcct + ":role/checkout-api"}, 0)
	checks, err := newStep(src, dst, "orders-fulfillment").Verify(t.Context())
	must(t, err)
	want := map[string]string{
		CheckExists:     "orders-fulfillment in EKS: arn:aws:sqs:us-east-1:222222222222:orders-fulfillment",
		CheckAttributes: "RedrivePolicy: want {\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:222222222222:orders-fulfillment-dlq\",\"maxReceiveCount\":5}, have {\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:111111111111:orders-fulfillment-dlq\",\"maxReceiveCount\":5}\ntag producer: want arn:aws:iam::222222222222:role/checkout-api, have arn:aws:iam::111111111111:role/checkout-api",
		CheckRedrive:    "redrives to arn:aws:sqs:us-east-1:111111111111:orders-fulfillment-dlq, want arn:aws:sqs:us-east-1:222222222222:orders-fulfillment-dlq (the dead-letter queue in account 222222222222)",
		CheckAccounts:   "attribute RedrivePolicy: arn:aws:sqs:us-east-1:111111111111:orders-fulfillment-dlq\ntag producer: arn:aws:iam::111111111111:role/checkout-api",
		CheckDepth:      "messages do not move: source depth 3 (DLQ 2), target depth 0 (DLQ 0)",
	}
	for _, c := range checks {
		if c.Evidence != want[c.Name] || c.OK != (c.Name == CheckExists || c.Name == CheckDepth) {
			t.Errorf("%s ok=%v:\n%s\nwant\n%s", c.Name, c.OK, c.Evidence, want[c.Name])
		}
	}
	checks, err = newStep(src, newFakeSQS(newAcct), "orders-fulfillment").Verify(t.Context())
	must(t, err)
	if len(checks) != 5 || checks[0].OK || !strings.Contains(checks[0].Evidence, "apply the step") {
		t.Errorf("verify with no target queue = %+v", checks)
	}
}
