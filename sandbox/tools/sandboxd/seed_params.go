package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// paramPassword is the SSM twin of secretValue: a distinctive value ferry
// must never show, so a test that finds it in output knows it leaked.
const paramPassword = "0rders-Db-Pa55-ssm!"

// paramSpec is one SSM parameter of the old account.
type paramSpec struct {
	name, kind, value, description string
}

// oldParams are the orders service's parameters: a plain host, a password
// and the fulfillment queue's URL, which names the old account and must be
// rewritten by the clone. kumo's SSM ignores KeyId (every SecureString is
// on the default key), so none is set: the seed would claim a key the
// emulator never records.
func oldParams(account, region string) []paramSpec {
	return []paramSpec{
		{"/orders/db/host", string(ssmtypes.ParameterTypeString), "orders-db.orders.acme.internal", "orders database host"},
		{"/orders/db/password", string(ssmtypes.ParameterTypeSecureString), paramPassword, "orders database password"},
		{"/orders/queue-url", string(ssmtypes.ParameterTypeString),
			fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, account, queueFulfillment), "orders fulfillment queue"},
	}
}

// seedParams creates each parameter once (no overwrite, so a reseed keeps
// its version) and tags it. Errors name the parameter, never its value.
func (s *seeder) seedParams(ctx context.Context) error {
	c := s.ssmClient()
	for _, p := range oldParams(s.account, s.region) {
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{
			Name:        aws.String(p.name),
			Type:        ssmtypes.ParameterType(p.kind),
			Value:       aws.String(p.value),
			Description: aws.String(p.description),
		})
		if err != nil && !hasCode(err, "ParameterAlreadyExists") {
			return fmt.Errorf("put parameter %s: %w", p.name, err)
		}
		_, err = c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{
			ResourceType: ssmtypes.ResourceTypeForTaggingParameter,
			ResourceId:   aws.String(p.name),
			Tags:         []ssmtypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}},
		})
		if err != nil {
			return fmt.Errorf("tag parameter %s: %w", p.name, err)
		}
	}
	return nil
}

// ssmClient talks to the same endpoint, with the same credentials, as the
// seeder's other clients.
func (s *seeder) ssmClient() *ssm.Client {
	o := s.secrets.Options()
	return ssm.New(ssm.Options{Region: o.Region, BaseEndpoint: o.BaseEndpoint, Credentials: o.Credentials, HTTPClient: o.HTTPClient})
}
