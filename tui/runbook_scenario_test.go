package tui

import "github.com/ferry-dev/ferry/engine/runbook"

// runbookScenario is the sandbox's runbook part way through: one step in
// every state but applying, orders-api planned, the journal's tail.
func runbookScenario() runbook.Snapshot {
	cs := ordersAPIPlan()
	clone := func(ns, name string, st runbook.StepState) runbook.StepView {
		return runbook.StepView{ID: "clone/" + ns + "/" + name, Kind: "clone-k8s",
			Title: "Clone " + ns + "/" + name + " to EKS", Namespace: ns, Service: name,
			Deps: []string{"preflight"}, StepState: st}
	}
	steps := []runbook.StepView{
		{ID: "preflight", Kind: "preflight",
			Title:     "Preflight: KOPS and EKS are who the plan says, and EKS can take the services",
			StepState: runbook.StepState{State: runbook.StateVerified, Checks: preflightChecks()}},
		clone("orders", "fulfillment-worker", runbook.StepState{State: runbook.StateFailed, Applied: true,
			Error: "rollout of Deployment orders/fulfillment-worker not complete: 0 of 1 pods ready (CrashLoopBackOff)",
			Checks: []runbook.Check{
				{Name: "rollout", OK: false, Evidence: "Deployment orders/fulfillment-worker: 0/1 updated replicas available"},
				{Name: "pods ready", OK: false, Evidence: "fulfillment-worker-7d9f-x2x: CrashLoopBackOff, 14 restarts"},
				{Name: "no drift", OK: true, Evidence: "4 objects match the mapping"},
			}}),
		clone("orders", "invoice-renderer", runbook.StepState{State: runbook.StateInterrupted,
			Progress: &runbook.Progress{Done: 2, Total: 5, Message: "ConfigMap orders/invoice-templates"}}),
		clone("orders", "orders-api", runbook.StepState{State: runbook.StatePlanned}),
		clone("payments", "checkout-api", runbook.StepState{State: runbook.StateApplied, Applied: true}),
		clone("payments", "ledger", runbook.StepState{State: runbook.StateRolledBack}),
		clone("payments", "refund-worker", runbook.StepState{State: runbook.StateSkipped}),
		clone("platform", "auth-gateway", runbook.StepState{State: runbook.StatePending}),
		clone("platform", "feature-flags", runbook.StepState{State: runbook.StatePending}),
	}
	steps[3].Plan = &cs
	return runbook.Snapshot{Run: "20260302T094000-4242", Steps: steps, Events: scenarioEvents(), DroppedEvents: 3}
}

func preflightChecks() []runbook.Check {
	return []runbook.Check{
		{Name: "source identity", OK: true, Evidence: "arn:aws:iam::111111111111:user/ferry-operator in 111111111111"},
		{Name: "target identity", OK: true, Evidence: "arn:aws:iam::222222222222:user/ferry-operator in 222222222222"},
		{Name: "storage classes", OK: true, Evidence: "gp3 exists on EKS"},
		{Name: "ingress class", OK: true, Evidence: "alb exists on EKS"},
		{Name: "kinds served", OK: true, Evidence: "9 kinds, all served on EKS"},
	}
}

func scenarioEvents() []runbook.Event {
	ev := func(min float64, step string, a runbook.Action, o runbook.Outcome, msg string) runbook.Event {
		return runbook.Event{Time: at(min), Step: step, Action: a, Outcome: o, Message: msg}
	}
	ok, failed := runbook.OutcomeOK, runbook.OutcomeFailed
	return []runbook.Event{
		ev(20, "preflight", runbook.ActionVerify, ok, "5 checks passed"),
		ev(15, "clone/payments/checkout-api", runbook.ActionApply, ok, "3 create"),
		ev(12, "clone/payments/ledger", runbook.ActionApply, ok, "1 create, 2 update"),
		ev(10, "clone/payments/ledger", runbook.ActionRollback, ok, "3 objects restored"),
		ev(9, "clone/payments/refund-worker", runbook.ActionSkip, ok, "moves with the payments team in Q3"),
		ev(7, "clone/orders/fulfillment-worker", runbook.ActionApply, ok, "4 create"),
		ev(5, "clone/orders/fulfillment-worker", runbook.ActionVerify, failed, "rollout: 0 of 1 pods ready"),
		ev(4, "clone/orders/invoice-renderer", runbook.ActionApply, runbook.OutcomeStarted, "5 objects"),
		ev(2, "", "", "", "journal line 57 is damaged (a crash mid-write?): skipped"),
		ev(1, "clone/orders/orders-api", runbook.ActionPlan, ok, "2 create, 2 update, 1 unchanged"),
	}
}

// ordersAPIPlan is the orders-api clone's change set: a new image and
// registry, the IRSA ServiceAccount, a ConfigMap, a Secret whose value
// stays redacted, a Service already as wanted.
func ordersAPIPlan() runbook.ChangeSet {
	return runbook.ChangeSet{Step: "clone/orders/orders-api",
		Notes: []string{"kube2iam role orders-api becomes IRSA: ServiceAccount orders/orders-api gets arn:aws:iam::222222222222:role/orders-api"},
		Changes: []runbook.Change{
			{Op: runbook.OpUpdate, Kind: "Deployment", Namespace: "orders", Name: "orders-api",
				Before: deploymentYAML("2", "111111111111", "3.1.9", "      annotations:\n        iam.amazonaws.com/role: orders-api\n"),
				After:  deploymentYAML("3", "222222222222", "3.2.0", "")},
			{Op: runbook.OpCreate, Kind: "ServiceAccount", Namespace: "orders", Name: "orders-api",
				After: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: orders-api\n  namespace: orders\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::222222222222:role/orders-api\n"},
			{Op: runbook.OpCreate, Kind: "ConfigMap", Namespace: "orders", Name: "orders-api-config",
				After: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orders-api-config\n  namespace: orders\ndata:\n  BATCH_SIZE: \"250\"\n"},
			{Op: runbook.OpUpdate, Kind: "Secret", Namespace: "orders", Name: "orders-db",
				Before: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\n  labels:\n    team: orders\ndata:\n  password: " + runbook.Redacted + "\n",
				After:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\n  labels:\n    team: orders\n    migrated-by: ferry\ndata:\n  password: " + runbook.Redacted + "\n"},
			{Op: runbook.OpNone, Kind: "Service", Namespace: "orders", Name: "orders-api"},
		}}
}

func deploymentYAML(replicas, account, tag, podAnnotations string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders-api\n  namespace: orders\nspec:\n" +
		"  replicas: " + replicas + "\n  template:\n    metadata:\n" + podAnnotations +
		"      labels:\n        app: orders-api\n    spec:\n      containers:\n      - name: orders-api\n" +
		"        image: " + account + ".dkr.ecr.us-east-1.amazonaws.com/orders-api:" + tag + "\n"
}
