package sqs

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// snapshot is every queue of an account with its attributes and tags, read
// by a client of its own.
func snapshot(t *testing.T, c *sqs.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	list, err := c.ListQueues(t.Context(), &sqs.ListQueuesInput{})
	must(t, err)
	for _, u := range list.QueueUrls {
		a, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
		must(t, err)
		tags, err := c.ListQueueTags(t.Context(), &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)})
		must(t, err)
		out[u] = fmt.Sprint(a.Attributes, tags.Tags)
	}
	return out
}

// TestSandboxClone clones orders-fulfillment and its DLQ from the old
// account into the new one through a runner, while both accounts throttle
// and fail a share of requests: both apply and verify, and a second apply
// writes nothing. With the faults off a separate client checks the result;
// then, under faults again, hand-made drift is put right and the clone
// rolled back: the new account ends as it began and the old one is never
// written to.
func TestSandboxClone(t *testing.T) {
	c := newSandboxClone(t)
	before := c.state(t)
	faults := c.sb.InjectFaults(t, true)
	c.planCreate(t)
	c.applyInOrder(t)
	c.sb.Reapply(t, c.r, c.dlq, c.q)
	faults.Off()
	independentRead(t, c.newReader, c.sb.Plan.Target.AWS.Account, c.sb.Plan.Source.AWS.Account)
	faults = c.sb.InjectFaults(t, false)
	c.driftPutRight(t)
	for _, id := range []string{c.q, c.dlq} {
		must(t, c.r.Rollback(t.Context(), id))
	}
	faults.Off()
	c.sb.RolledBack(t, before, c.state(t))
	want := []string{"CreateQueue", "CreateQueue", "SetQueueAttributes", "UntagQueue", "DeleteQueue", "DeleteQueue"}
	if w := c.sb.TargetOps.Writes(0); !slices.Equal(w, want) {
		t.Errorf("writes to the new account: %q, want %q", w, want)
	}
}

// sandboxClone is the two queue steps on a private sandbox, run by a
// runner with a journal, with every SQS call the steps make logged. All
// its clients retry as ferry's do, so they carry on through injected
// faults.
type sandboxClone struct {
	sb                   *clonetest.Sandbox
	oldReader, newReader *sqs.Client // clients the steps never use
	r                    *runbook.Runner
	dlq, q               string
}

func newSandboxClone(t *testing.T) *sandboxClone {
	sb := clonetest.Isolated(t)
	p := sb.Plan
	c := &sandboxClone{sb: sb}
	src, dst := sqs.NewFromConfig(clonetest.Retrying(sb.Source())), sqs.NewFromConfig(clonetest.Retrying(sb.Target()))
	c.oldReader = sqs.NewFromConfig(clonetest.Retrying(sb.OldAccount))
	c.newReader = sqs.NewFromConfig(clonetest.Retrying(sb.NewAccount))
	decorate(t, c.oldReader, p.Source.AWS.Account)

	cfgs, err := Discover(t.Context(), src, "orders-fulfillment", QueueConfig{Source: src, Target: dst,
		Mapping: p.Mapping, TargetLabel: p.Target.Label, SourceAccount: p.Source.AWS.Account,
		TargetAccount: p.Target.AWS.Account, Region: p.Target.AWS.Region})
	must(t, err)
	var steps []runbook.Step
	for _, cfg := range cfgs {
		steps = append(steps, NewQueueStep(cfg))
	}
	if len(steps) != 2 || steps[0].ID() != "aws/sqs/orders-fulfillment-dlq" || steps[1].ID() != "aws/sqs/orders-fulfillment" ||
		!slices.Equal(steps[1].Deps(), []string{"aws/sqs/orders-fulfillment-dlq"}) {
		t.Fatalf("Discover = %+v", cfgs)
	}
	c.dlq, c.q = steps[0].ID(), steps[1].ID()
	c.r, _ = clonetest.Runner(t, runbook.Config{Steps: steps})
	return c
}

// state is both accounts' queues, read by the test's own clients.
func (c *sandboxClone) state(t *testing.T) clonetest.State {
	return clonetest.State{Old: clonetest.Lines(snapshot(t, c.oldReader)), New: clonetest.Lines(snapshot(t, c.newReader))}
}

// planCreate: the plan creates the queue and says messages stay behind,
// with the source's live depth.
func (c *sandboxClone) planCreate(t *testing.T) {
	depth := sourceDepth(t, c.oldReader, "orders-fulfillment")
	cs, err := c.r.Plan(t.Context(), c.q)
	must(t, err)
	t.Logf("plan %s:\n%s\nnotes: %q", c.q, cs.Changes[0].After, cs.Notes)
	wantNote := fmt.Sprintf("messages do not move: source depth %d (DLQ 0), target depth 0 (DLQ 0); the target queue does not exist yet", depth)
	if cs.Changes[0].Op != runbook.OpCreate || !slices.Contains(cs.Notes, wantNote) {
		t.Errorf("plan: %s, notes %q; want create and %q", cs.Changes[0].Op, cs.Notes, wantNote)
	}
}

// applyInOrder: the runner refuses the queue before its DLQ, then both
// apply and verify.
func (c *sandboxClone) applyInOrder(t *testing.T) {
	if err := c.r.Apply(t.Context(), c.q); err == nil {
		t.Error("the runner applied the queue before its DLQ")
	}
	for _, id := range []string{c.dlq, c.q} {
		must(t, c.r.Apply(t.Context(), id))
		clonetest.Verified(t, c.r, id)
	}
}

// driftPutRight: drift made by hand on the target is planned and put
// right, writing only what differs.
func (c *sandboxClone) driftPutRight(t *testing.T) {
	n := c.sb.TargetOps.Len()
	drift(t, c.newReader)
	cs, err := c.r.Plan(t.Context(), c.q)
	must(t, err)
	if cs.Changes[0].Op != runbook.OpUpdate || !slices.Contains(cs.Notes, "update orders-fulfillment: attributes VisibilityTimeout; tags -extra") {
		t.Errorf("plan after drift: %s, notes %q", cs.Changes[0].Op, cs.Notes)
	}
	must(t, c.r.Apply(t.Context(), c.q))
	clonetest.Verified(t, c.r, c.q)
	if w := c.sb.TargetOps.Writes(n); !slices.Equal(w, []string{"SetQueueAttributes", "UntagQueue"}) {
		t.Errorf("writes putting the drift right: %q", w)
	}
}

// decorate gives the seeded orders-fulfillment (old account) what the seed
// lacks and a real queue has: an access policy and tags naming the old
// account, so the clone's rewrite of them runs against the emulator. This
// private sandbox is this test's alone.
func decorate(t *testing.T, c *sqs.Client, oldAccount string) {
	t.Helper()
	u, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("orders-fulfillment")})
	must(t, err)
	_, err = c.SetQueueAttributes(t.Context(), &sqs.SetQueueAttributesInput{QueueUrl: u.QueueUrl,
		Attributes: map[string]string{"Policy": sendPolicy(oldAccount, "orders-fulfillment"), "VisibilityTimeout": "60"}})
	must(t, err)
	_, err = c.TagQueue(t.Context(), &sqs.TagQueueInput{QueueUrl: u.QueueUrl,
		Tags: map[string]string{"team": "orders", "producer": "arn:aws:iam::" + oldAccount + ":role/checkout-api"}})
	must(t, err)
}

// drift changes the cloned queue in the new account behind ferry's back.
func drift(t *testing.T, c *sqs.Client) {
	t.Helper()
	u, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("orders-fulfillment")})
	must(t, err)
	_, err = c.SetQueueAttributes(t.Context(), &sqs.SetQueueAttributesInput{QueueUrl: u.QueueUrl,
		Attributes: map[string]string{"VisibilityTimeout": "45"}})
	must(t, err)
	_, err = c.TagQueue(t.Context(), &sqs.TagQueueInput{QueueUrl: u.QueueUrl, Tags: map[string]string{"extra": "by-hand"}})
	must(t, err)
}

func sourceDepth(t *testing.T, c *sqs.Client, name string) int {
	t.Helper()
	u, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	must(t, err)
	a, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	must(t, err)
	var n int
	fmt.Sscan(a.Attributes["ApproximateNumberOfMessages"], &n)
	if n == 0 {
		t.Fatalf("the seeded %s holds no messages; the depth note would prove nothing", name)
	}
	return n
}

// independentRead checks the clone with a client the steps never used:
// the queue redrives to the DLQ's own ARN in the new account, with
// maxReceiveCount 5, and no attribute or tag holds the old account.
func independentRead(t *testing.T, c *sqs.Client, newAccount, oldAccount string) {
	t.Helper()
	read := func(name string) (map[string]string, map[string]string) {
		u, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		must(t, err)
		a, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
		must(t, err)
		tags, err := c.ListQueueTags(t.Context(), &sqs.ListQueueTagsInput{QueueUrl: u.QueueUrl})
		must(t, err)
		a.Attributes["(url)"] = aws.ToString(u.QueueUrl)
		return a.Attributes, tags.Tags
	}
	dlqAttrs, _ := read("orders-fulfillment-dlq")
	qAttrs, qTags := read("orders-fulfillment")
	wantArn := "arn:aws:sqs:us-east-1:" + newAccount + ":orders-fulfillment-dlq"
	if dlqAttrs["QueueArn"] != wantArn {
		t.Errorf("DLQ ARN = %s, want %s", dlqAttrs["QueueArn"], wantArn)
	}
	if got := canonical(qAttrs["RedrivePolicy"]); got != `{"deadLetterTargetArn":"`+wantArn+`","maxReceiveCount":5}` {
		t.Errorf("RedrivePolicy = %s, want the new DLQ %s and maxReceiveCount 5", got, wantArn)
	}
	if got, want := canonical(qAttrs["Policy"]), canonical(sendPolicy(newAccount, "orders-fulfillment")); got != want {
		t.Errorf("Policy = %s, want %s", got, want)
	}
	if qTags["producer"] != "arn:aws:iam::"+newAccount+":role/checkout-api" || qTags["team"] != "orders" {
		t.Errorf("tags = %v", qTags)
	}
	for _, m := range []map[string]string{dlqAttrs, qAttrs, qTags} {
		for k, v := range m {
			if strings.Contains(v, oldAccount) {
				t.Errorf("%s = %s holds the old account", k, v)
			}
		}
	}
}
