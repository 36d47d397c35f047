package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The scenario's names; SCENARIO.md is the source and tests assert on them.
const (
	tableLedger      = "ledger-entries"
	tableOrders      = "orders"
	indexByCreated   = "by-created"
	bucketInvoices   = "acme-legacy-invoices"
	bucketAssets     = "acme-legacy-assets"
	queueDLQ         = "orders-fulfillment-dlq"
	queueFulfillment = "orders-fulfillment"
	queueRefunds     = "refunds"
	zoneName         = "acme.internal."
	secretName       = "orders/db-password"
	// secretValue is the scenario's distinctive secret: ferry must never show
	// it, and neither may this program.
	secretValue = "s3cr3t-0rders-Pa55!"
	oidcIssuer  = "oidc.eks.us-east-1.amazonaws.com/id/FERRYSANDBOX"
)

// seedEpoch anchors every timestamp the seed writes, so that content does not
// depend on the wall clock.
var seedEpoch = time.Date(2026, time.January, 5, 9, 0, 0, 0, time.UTC)

func str(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
func num(v int) ddbtypes.AttributeValue {
	return &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(v)}
}

// tableSpec is a DynamoDB table with the items it is seeded with.
type tableSpec struct {
	input *dynamodb.CreateTableInput
	items []map[string]ddbtypes.AttributeValue
}

// tableSpecs: ledger-entries (account_id, entry_id; GSI by-created) and
// orders (order_id).
func tableSpecs() []tableSpec {
	attr := func(name string) ddbtypes.AttributeDefinition {
		return ddbtypes.AttributeDefinition{AttributeName: aws.String(name), AttributeType: ddbtypes.ScalarAttributeTypeS}
	}
	ledger := &dynamodb.CreateTableInput{
		TableName:            aws.String(tableLedger),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{attr("account_id"), attr("entry_id"), attr("created_date"), attr("created_at")},
		KeySchema:            keySchema("account_id", "entry_id"),
		GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{{
			IndexName:  aws.String(indexByCreated),
			KeySchema:  keySchema("created_date", "created_at"),
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		}},
	}
	orders := &dynamodb.CreateTableInput{
		TableName:            aws.String(tableOrders),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{attr("order_id")},
		KeySchema:            keySchema("order_id", ""),
	}
	return []tableSpec{{ledger, ledgerItems()}, {orders, orderItems()}}
}

func keySchema(hash, rng string) []ddbtypes.KeySchemaElement {
	ks := []ddbtypes.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: ddbtypes.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, ddbtypes.KeySchemaElement{AttributeName: aws.String(rng), KeyType: ddbtypes.KeyTypeRange})
	}
	return ks
}

// ledgerItems are 60 entries spread over six ledger accounts.
func ledgerItems() []map[string]ddbtypes.AttributeValue {
	items := make([]map[string]ddbtypes.AttributeValue, 60)
	for i := range items {
		at := seedEpoch.Add(time.Duration(i) * 97 * time.Minute)
		items[i] = map[string]ddbtypes.AttributeValue{
			"account_id":   str(fmt.Sprintf("acct-%03d", i%6+1)),
			"entry_id":     str(fmt.Sprintf("entry-%04d", i+1)),
			"created_date": str(at.Format(time.DateOnly)),
			"created_at":   str(at.Format(time.RFC3339)),
			"amount_cents": num((i*7919)%50000 - 10000),
			"currency":     str("USD"),
		}
	}
	return items
}

var orderStatuses = []string{"placed", "paid", "fulfilled", "shipped", "refunded"}

// orderItems are 40 orders.
func orderItems() []map[string]ddbtypes.AttributeValue {
	items := make([]map[string]ddbtypes.AttributeValue, 40)
	for i := range items {
		items[i] = map[string]ddbtypes.AttributeValue{
			"order_id":    str(fmt.Sprintf("ord-%05d", 10001+i)),
			"customer_id": str(fmt.Sprintf("cust-%03d", i%13+1)),
			"status":      str(orderStatuses[i%len(orderStatuses)]),
			"total_cents": num(1999 + (i*3571)%20000),
			"created_at":  str(seedEpoch.Add(time.Duration(i) * 3 * time.Hour).Format(time.RFC3339)),
		}
	}
	return items
}

// object is one S3 object to seed.
type object struct {
	key, contentType, body string
}

// invoiceObjects are 25 invoices under invoices/2026/.
func invoiceObjects() []object {
	objs := make([]object, 25)
	for i := range objs {
		id := fmt.Sprintf("INV-2026-%04d", i+1)
		objs[i] = object{
			key:         "invoices/2026/" + id + ".json",
			contentType: "application/json",
			body: fmt.Sprintf(`{"invoice_id":%q,"order_id":"ord-%05d","total_cents":%d,"issued_at":%q}`,
				id, 10001+i, 1999+(i*3571)%20000, seedEpoch.AddDate(0, 0, i).Format(time.RFC3339)),
		}
	}
	return objs
}

// assetObjects are the 10 static assets.
func assetObjects() []object {
	objs := []object{
		{key: "static/css/site.css", contentType: "text/css", body: "body { font-family: sans-serif; }\n"},
		{key: "static/js/app.js", contentType: "application/javascript", body: "console.log('acme');\n"},
		{key: "static/img/logo.svg", contentType: "image/svg+xml", body: `<svg xmlns="http://www.w3.org/2000/svg"/>` + "\n"},
		{key: "robots.txt", contentType: "text/plain", body: "User-agent: *\nDisallow:\n"},
	}
	for i := len(objs); i < 10; i++ {
		objs = append(objs, object{
			key:         fmt.Sprintf("emails/template-%02d.html", i-3),
			contentType: "text/html",
			body:        fmt.Sprintf("<p>Acme template %d</p>\n", i-3),
		})
	}
	return objs
}

// fulfillmentMessages wait in orders-fulfillment.
func fulfillmentMessages() []string {
	msgs := make([]string, 3)
	for i := range msgs {
		msgs[i] = fmt.Sprintf(`{"order_id":"ord-%05d","action":"fulfill"}`, 10001+i)
	}
	return msgs
}

// record is one Route53 record in acme.internal.
type record struct {
	name, kind, value string
}

var zoneRecords = []record{
	{"checkout-api.payments.acme.internal.", "A", "10.20.1.10"},
	{"ledger.payments.acme.internal.", "A", "10.20.1.11"},
	{"orders-api.orders.acme.internal.", "A", "10.20.2.10"},
	{"auth-gateway.platform.acme.internal.", "A", "10.20.3.10"},
	{"feature-flags.platform.acme.internal.", "A", "10.20.3.11"},
	{"orders.acme.internal.", "CNAME", "orders-api.orders.acme.internal."},
	{"auth.acme.internal.", "CNAME", "auth-gateway.platform.acme.internal."},
}

// The public zone: shop.acme.example. is served by the kops cluster's load
// balancer through a weighted record, so that a cutover can add the eks side
// (SetIdentifier "target") beside it and shift the weights.
const (
	publicZoneName     = "acme.example."
	publicRecordName   = "shop.acme.example."
	publicRecordSource = "source"
	publicSourceValue  = "kops-ingress.acme.example."
	publicRecordTTL    = 60
	publicSourceWeight = 100
)

// roleSpec is an IAM role with its trust policy and one inline policy.
type roleSpec struct {
	name, description, trust, policy string
}

// oldRoles trust the kops nodes role (kube2iam) and grant the service's own
// table and queue.
func oldRoles(account, region string) []roleSpec {
	trust := policy(map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]string{"AWS": "arn:aws:iam::" + account + ":role/nodes.kops.acme.internal"},
		"Action":    "sts:AssumeRole",
	})
	arn := func(service, resource string) string { return arnOf(service, region, account, resource) }
	return []roleSpec{
		{
			name: "checkout-api", description: "payments/checkout-api via kube2iam", trust: trust,
			policy: policy(
				allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}, arn("dynamodb", "table/"+tableOrders)),
				allow([]string{"sqs:SendMessage"}, arn("sqs", queueFulfillment))),
		},
		{
			name: "ledger", description: "payments/ledger via kube2iam", trust: trust,
			policy: policy(
				allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
					arn("dynamodb", "table/"+tableLedger), arn("dynamodb", "table/"+tableLedger+"/index/"+indexByCreated)),
				allow([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage"}, arn("sqs", queueRefunds))),
		},
	}
}

// newRoles is the one role of the new account: checkout-api for IRSA, trusting
// the EKS cluster's OIDC provider.
func newRoles(account, region string) []roleSpec {
	trust := policy(map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]string{"Federated": "arn:aws:iam::" + account + ":oidc-provider/" + oidcIssuer},
		"Action":    "sts:AssumeRoleWithWebIdentity",
		"Condition": map[string]any{"StringEquals": map[string]string{
			oidcIssuer + ":sub": "system:serviceaccount:payments:checkout-api",
		}},
	})
	return []roleSpec{{
		name: "checkout-api", description: "payments/checkout-api via IRSA", trust: trust,
		policy: policy(
			allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
				arnOf("dynamodb", region, account, "table/"+tableOrders)),
			allow([]string{"sqs:SendMessage"}, arnOf("sqs", region, account, queueFulfillment))),
	}}
}

func arnOf(service, region, account, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, account, resource)
}

// policy renders an IAM policy document; map keys come out sorted, so the
// text is the same on every run.
func policy(statements ...map[string]any) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return string(b)
}

func allow(actions []string, resources ...string) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": actions, "Resource": resources}
}
