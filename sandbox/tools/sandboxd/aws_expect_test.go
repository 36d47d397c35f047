package main

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// checkOld asserts the old account's seed as SCENARIO.md describes it, seen
// through the proxy at url.
func checkOld(t *testing.T, inv inventory, url string) {
	t.Helper()
	const id = "111111111111"
	checkCaller(t, inv, id)
	wantEqual(t, "item counts", inv.Items, map[string]int32{tableLedger: 60, tableOrders: 40})
	wantEqual(t, "indexes", inv.Indexes, map[string][]string{tableLedger: {indexByCreated}})
	wantEqual(t, "object counts", inv.Objects, map[string]int32{bucketInvoices: 25, bucketAssets: 10})
	wantEqual(t, "version counts", inv.Versions, map[string]int{bucketInvoices: 25, bucketAssets: 10})
	wantEqual(t, "versioning", inv.Versioning[bucketAssets], "Enabled")
	wantEqual(t, "queue urls", inv.QueueURLs, map[string]string{
		queueDLQ:         url + "/" + id + "/" + queueDLQ,
		queueFulfillment: url + "/" + id + "/" + queueFulfillment,
		queueRefunds:     url + "/" + id + "/" + queueRefunds,
	})
	wantEqual(t, "messages", inv.Messages, map[string]string{queueDLQ: "0", queueFulfillment: "3", queueRefunds: "0"})
	wantContains(t, "redrive policy", inv.Redrive[queueFulfillment],
		`"deadLetterTargetArn":"arn:aws:sqs:us-east-1:`+id+`:orders-fulfillment-dlq"`, `"maxReceiveCount":5`)
	wantEqual(t, "roles", inv.RoleArns, map[string]string{
		"checkout-api": "arn:aws:iam::" + id + ":role/checkout-api",
		"ledger":       "arn:aws:iam::" + id + ":role/ledger",
	})
	for _, role := range []string{"checkout-api", "ledger"} {
		wantContains(t, role+" trust", inv.Trusts[role], `"AWS":"arn:aws:iam::`+id+`:role/nodes.kops.acme.internal"`)
	}
	wantContains(t, "checkout-api policy", inv.Policies["checkout-api/checkout-api-access"],
		"arn:aws:dynamodb:us-east-1:"+id+":table/orders", "arn:aws:sqs:us-east-1:"+id+":orders-fulfillment")
	wantContains(t, "ledger policy", inv.Policies["ledger/ledger-access"],
		"arn:aws:dynamodb:us-east-1:"+id+":table/ledger-entries/index/by-created")
	for _, r := range zoneRecords {
		wantEqual(t, "record "+r.name, inv.Records[zoneName+" "+r.name+" "+r.kind], r.value)
	}
	names := make([]string, 0, len(inv.SecretArns))
	for name := range inv.SecretArns {
		names = append(names, name)
	}
	wantEqual(t, "secrets", names, []string{secretName})
	wantContains(t, "secret arn", inv.SecretArns[secretName], "arn:aws:secretsmanager:us-east-1:"+id+":secret:orders/db-password")
	if !inv.SecretValueOK {
		t.Error("secret orders/db-password does not read back its value") // never print the value
	}
}

// checkNew asserts the new account: only the IRSA role.
func checkNew(t *testing.T, inv inventory, _ string) {
	t.Helper()
	const id = "222222222222"
	checkCaller(t, inv, id)
	wantEqual(t, "roles", inv.RoleArns, map[string]string{"checkout-api": "arn:aws:iam::" + id + ":role/checkout-api"})
	wantContains(t, "checkout-api trust", inv.Trusts["checkout-api"],
		`"Federated":"arn:aws:iam::222222222222:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/FERRYSANDBOX"`,
		`"oidc.eks.us-east-1.amazonaws.com/id/FERRYSANDBOX:sub":"system:serviceaccount:payments:checkout-api"`)
	wantContains(t, "checkout-api policy", inv.Policies["checkout-api/checkout-api-access"],
		"arn:aws:dynamodb:us-east-1:"+id+":table/orders")
	empty := map[string]int{
		"tables": len(inv.Items), "buckets": len(inv.Objects), "queues": len(inv.QueueURLs),
		"records": len(inv.Records), "secrets": len(inv.SecretArns),
	}
	wantEqual(t, "everything else", empty, map[string]int{"tables": 0, "buckets": 0, "queues": 0, "records": 0, "secrets": 0})
}

func checkCaller(t *testing.T, inv inventory, id string) {
	t.Helper()
	wantEqual(t, "caller account", inv.CallerAccount, id)
	wantContains(t, "caller arn", inv.CallerArn, "arn:aws:iam::"+id+":")
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if s, ok := got.([]string); ok {
		sort.Strings(s)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s = %q, want it to contain %q", what, got, w)
		}
	}
}
