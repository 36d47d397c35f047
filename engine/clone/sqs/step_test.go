package sqs

import (
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

var testMapping = rewrite.Mapping{
	Accounts: map[string]string{oldAcct: newAcct},
	Names:    []rewrite.Rename{{Kind: "queue", From: "legacy-*", To: "platform-*"}},
}

func redrive(acct, dlq string) string {
	return `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:` + acct + `:` + dlq + `","maxReceiveCount":5}`
}

func sendPolicy(acct, queue string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct +
		`:role/checkout-api"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:` + acct + `:` + queue + `"}]}`
}

// seeded is the scenario's pair in the old account (a DLQ holding 2
// messages, the queue holding 3) and an empty new account.
func seeded() (src, dst *fakeSQS) {
	src, dst = newFakeSQS(oldAcct), newFakeSQS(newAcct)
	src.add("orders-fulfillment-dlq", nil, map[string]string{"team": "orders"}, 2)
	src.add("orders-fulfillment", map[string]string{"RedrivePolicy": redrive(oldAcct, "orders-fulfillment-dlq"),
		"VisibilityTimeout": "60", "Policy": sendPolicy(oldAcct, "orders-fulfillment")},
		map[string]string{"team": "orders", "producer": "arn:aws:iam::" + oldAcct + ":role/checkout-api"}, 3)
	return src, dst
}

func newStep(src, dst *fakeSQS, name string) runbook.Step {
	return NewQueueStep(QueueConfig{Name: name, Source: src, Target: dst, Mapping: testMapping, TargetLabel: "EKS",
		SourceAccount: oldAcct, TargetAccount: newAcct, Region: "us-east-1"})
}

func apply(t *testing.T, s runbook.Step) *memRecorder {
	t.Helper()
	rec := &memRecorder{}
	must(t, s.Apply(t.Context(), rec))
	return rec
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	s := NewQueueStep(QueueConfig{Name: "legacy-jobs.fifo", Source: src, Target: dst, Mapping: testMapping,
		TargetLabel: "EKS", Deps: []string{"preflight"}, Namespace: "orders", Service: "fulfillment-worker"})
	ns, svc := s.Scope()
	got := []string{s.ID(), s.Kind(), s.Title(), strings.Join(s.Deps(), ","), ns, svc}
	want := []string{"aws/sqs/legacy-jobs.fifo", "clone-sqs", "Clone SQS queue legacy-jobs.fifo as platform-jobs.fifo to EKS",
		"preflight", "orders", "fulfillment-worker"}
	if !slices.Equal(got, want) {
		t.Errorf("metadata = %q, want %q", got, want)
	}
}

func TestPlanOps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		target func(dst *fakeSQS)
		op     runbook.Op
		notes  []string
	}{
		{"absent", func(*fakeSQS) {}, runbook.OpCreate, []string{
			"messages do not move: source depth 3 (DLQ 2), target depth 0 (DLQ 1); the target queue does not exist yet"}},
		{"equal", func(dst *fakeSQS) {
			dst.add("orders-fulfillment", map[string]string{"RedrivePolicy": `{"maxReceiveCount":"5","deadLetterTargetArn":"arn:aws:sqs:us-east-1:` +
				newAcct + `:orders-fulfillment-dlq"}`, "VisibilityTimeout": "60", "Policy": sendPolicy(newAcct, "orders-fulfillment")},
				map[string]string{"team": "orders", "producer": "arn:aws:iam::" + newAcct + ":role/checkout-api"}, 0)
		}, runbook.OpNone, []string{"messages do not move: source depth 3 (DLQ 2), target depth 0 (DLQ 1)"}},
		{"differs", func(dst *fakeSQS) {
			dst.add("orders-fulfillment", map[string]string{"RedrivePolicy": redrive(oldAcct, "orders-fulfillment-dlq"),
				"VisibilityTimeout": "30", "KmsMasterKeyId": "alias/aws/sqs"}, map[string]string{"team": "orders", "cost": "x"}, 7)
		}, runbook.OpUpdate, []string{
			"update orders-fulfillment: attributes KmsMasterKeyId, Policy, RedrivePolicy, SqsManagedSseEnabled, VisibilityTimeout; tags +producer -cost",
			"messages do not move: source depth 3 (DLQ 2), target depth 7 (DLQ 1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := seeded()
			dst.add("orders-fulfillment-dlq", nil, map[string]string{"team": "orders"}, 1)
			tt.target(dst)
			cs, err := newStep(src, dst, "orders-fulfillment").Plan(t.Context())
			must(t, err)
			if len(cs.Changes) != 1 || cs.Changes[0].Op != tt.op || cs.Changes[0].Kind != ChangeKind {
				t.Fatalf("changes = %+v, want one %s", cs.Changes, tt.op)
			}
			if !slices.Equal(cs.Notes, tt.notes) {
				t.Errorf("notes =\n%q\nwant\n%q", cs.Notes, tt.notes)
			}
			after := cs.Changes[0].After
			for _, want := range []string{`"deadLetterTargetArn":"arn:aws:sqs:us-east-1:222222222222:orders-fulfillment-dlq"`,
				`"AWS": "arn:aws:iam::222222222222:role/checkout-api"`, "producer: arn:aws:iam::222222222222:role/checkout-api",
				"VisibilityTimeout: 60"} {
				if !strings.Contains(after, want) {
					t.Errorf("after lacks %s:\n%s", want, after)
				}
			}
			if strings.Contains(after, oldAcct) {
				t.Errorf("after holds the old account:\n%s", after)
			}
			if (cs.Changes[0].Before != "") != (tt.op == runbook.OpUpdate) {
				t.Errorf("before = %q for %s", cs.Changes[0].Before, tt.op)
			}
			if len(src.calls.Writes()) != 0 || len(dst.calls.Writes()) != 0 {
				t.Errorf("plan wrote: source %v, target %v", src.calls.Writes(), dst.calls.Writes())
			}
		})
	}
}

func TestPlanNotes(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	src.add("legacy-jobs.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true",
		"KmsMasterKeyId": "arn:aws:kms:us-east-1:" + oldAcct + ":alias/jobs"}, nil, 0)
	cs, err := newStep(src, dst, "orders-fulfillment").Plan(t.Context())
	must(t, err)
	if !slices.Contains(cs.Notes, "dead-letter queue arn:aws:sqs:us-east-1:222222222222:orders-fulfillment-dlq is not in EKS yet: "+
		"step aws/sqs/orders-fulfillment-dlq creates it and must be applied first") {
		t.Errorf("no DLQ-first note: %q", cs.Notes)
	}
	cs, err = newStep(src, dst, "legacy-jobs.fifo").Plan(t.Context())
	must(t, err)
	ch := cs.Changes[0]
	if ch.Name != "platform-jobs.fifo" || !strings.Contains(ch.After, "FifoQueue: true\n  ContentBasedDeduplication: true\n") {
		t.Errorf("FIFO change = %+v", ch)
	}
	if !slices.Contains(cs.Notes, "KMS key arn:aws:kms:us-east-1:222222222222:alias/jobs is not cloned: it must exist in account "+
		"222222222222, with a policy letting SQS use it, before apply") {
		t.Errorf("no KMS note: %q", cs.Notes)
	}
	// SQS cannot make a standard queue FIFO: the plan says what to do.
	dst.add("platform-jobs.fifo", nil, nil, 0)
	_, err = newStep(src, dst, "legacy-jobs.fifo").Plan(t.Context())
	if err == nil || !strings.Contains(err.Error(), "different FifoQueue, which SQS cannot change; delete it there or rename") {
		t.Errorf("plan over a standard queue: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	src, dst := seeded()
	dst.add("orders-fulfillment-dlq", nil, nil, 0)
	wrong := newFakeSQS(oldAcct) // a "target" client answering for the old account
	wrong.add("orders-fulfillment-dlq", nil, nil, 0)
	tests := []struct {
		name string
		cfg  QueueConfig
		want string
	}{
		{"missing source", QueueConfig{Name: "nope", Source: src, Target: dst, TargetAccount: newAcct},
			"clone SQS queue nope: no such queue in the old account"},
		{"target is old", QueueConfig{Name: "orders-fulfillment", Source: src, Target: dst, SourceAccount: oldAcct, TargetAccount: oldAcct},
			"target account 111111111111 is an old account"},
		{"wrong target client", QueueConfig{Name: "orders-fulfillment-dlq", Source: src, Target: wrong, SourceAccount: oldAcct, TargetAccount: newAcct},
			`is in account "111111111111", not the plan's target account 222222222222; check the target profile`},
		{"wrong target region", QueueConfig{Name: "orders-fulfillment-dlq", Source: src, Target: dst, SourceAccount: oldAcct, TargetAccount: newAcct, Region: "eu-west-1"},
			`queue orders-fulfillment-dlq on the target side is in region "us-east-1", not the plan's eu-west-1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewQueueStep(tt.cfg)
			err := s.Apply(t.Context(), &memRecorder{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("apply: %v, want %q", err, tt.want)
			}
			err = s.Rollback(t.Context(), nil, &memRecorder{})
			if tt.name != "missing source" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("rollback: %v, want %q", err, tt.want)
			}
		})
	}
	if len(wrong.calls.Writes()) != 0 || len(dst.calls.Writes()) != 0 {
		t.Errorf("a refused step wrote: %v %v", wrong.calls.Writes(), dst.calls.Writes())
	}
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	src, _ := seeded()
	src.add("refunds", nil, nil, 0)
	src.add("z-dlq", nil, nil, 0)
	src.add("a-jobs", map[string]string{"RedrivePolicy": redrive(oldAcct, "z-dlq")}, nil, 0)
	got, err := Discover(t.Context(), src, "", QueueConfig{TargetLabel: "EKS", Deps: []string{"preflight"}})
	must(t, err)
	var lines []string
	for _, c := range got {
		lines = append(lines, c.Name+" <- "+strings.Join(c.Deps, ",")+" "+c.TargetLabel)
	}
	want := []string{"z-dlq <- preflight EKS", "a-jobs <- preflight,aws/sqs/z-dlq EKS",
		"orders-fulfillment-dlq <- preflight EKS", "orders-fulfillment <- preflight,aws/sqs/orders-fulfillment-dlq EKS",
		"refunds <- preflight EKS"}
	if !slices.Equal(lines, want) {
		t.Errorf("Discover =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// A prefix that leaves the DLQ out still brings it, first.
	got, err = Discover(t.Context(), src, "orders-fulfillment", QueueConfig{})
	must(t, err)
	if len(got) != 2 || got[0].Name != "orders-fulfillment-dlq" || got[1].Name != "orders-fulfillment" {
		t.Errorf("Discover(prefix) = %+v", got)
	}
	got, err = Discover(t.Context(), src, "a-", QueueConfig{})
	must(t, err)
	if len(got) != 2 || got[0].Name != "z-dlq" {
		t.Errorf("Discover(a-) = %+v", got)
	}
	if len(src.calls.Writes()) != 0 {
		t.Errorf("Discover wrote to the source: %v", src.calls.Writes())
	}
	src.add("b-jobs", map[string]string{"RedrivePolicy": redrive(oldAcct, "gone-dlq")}, nil, 0)
	_, err = Discover(t.Context(), src, "b-", QueueConfig{})
	if err == nil || !strings.Contains(err.Error(), "queue gone-dlq does not exist in the old account, yet a redrive policy names it") {
		t.Errorf("Discover with a dangling redrive policy: %v", err)
	}
}

// TestSelect: a named queue brings its dead-letter queue along, unnamed
// queues stay out, order is Discover's, and unknown names are reported.
func TestSelect(t *testing.T) {
	t.Parallel()
	all := []QueueConfig{
		{Name: "orders-dlq"},
		{Name: "audit"},
		{Name: "orders", Deps: []string{"preflight", StepID("orders-dlq")}},
		{Name: "refunds"},
	}
	sel, missing := Select(all, []string{"refunds", "orders", "nope"})
	var names []string
	for _, c := range sel {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "orders-dlq,orders,refunds" || strings.Join(missing, ",") != "nope" {
		t.Errorf("selected %v, missing %v; want orders-dlq,orders,refunds and nope", names, missing)
	}
}
