package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func (s *seeder) seedTables(ctx context.Context) error {
	for _, t := range tableSpecs() {
		_, err := s.ddb.CreateTable(ctx, t.input)
		if err != nil && !hasCode(err, "ResourceInUseException") {
			return fmt.Errorf("create table %s: %w", *t.input.TableName, err)
		}
		// Puts overwrite items with identical ones, so this needs no guard.
		if err := s.putItems(ctx, *t.input.TableName, t.items); err != nil {
			return err
		}
	}
	return nil
}

// putItems writes items with BatchWriteItem, 25 at a time (the API's limit),
// resending whatever comes back unprocessed.
func (s *seeder) putItems(ctx context.Context, table string, items []map[string]ddbtypes.AttributeValue) error {
	for start := 0; start < len(items); start += 25 {
		batch := items[start:min(start+25, len(items))]
		reqs := make([]ddbtypes.WriteRequest, len(batch))
		for i, item := range batch {
			reqs[i] = ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: item}}
		}
		pending := map[string][]ddbtypes.WriteRequest{table: reqs}
		for attempt := 0; len(pending[table]) > 0; attempt++ {
			if attempt == 5 {
				return fmt.Errorf("write items to %s: %d still unprocessed after %d attempts", table, len(pending[table]), attempt)
			}
			out, err := s.ddb.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("write items to %s: %w", table, err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

func (s *seeder) seedBuckets(ctx context.Context) error {
	for _, b := range []struct {
		name      string
		versioned bool
		objects   []object
	}{{bucketInvoices, false, invoiceObjects()}, {bucketAssets, true, assetObjects()}} {
		_, err := s.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.name)})
		if err != nil && !hasCode(err, "BucketAlreadyOwnedByYou") {
			return fmt.Errorf("create bucket %s: %w", b.name, err)
		}
		if b.versioned {
			_, err := s.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
				Bucket:                  aws.String(b.name),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
			})
			if err != nil {
				return fmt.Errorf("enable versioning on %s: %w", b.name, err)
			}
		}
		if err := s.putObjects(ctx, b.name, b.objects); err != nil {
			return err
		}
	}
	return nil
}

// putObjects uploads the objects that are missing: uploading again would add
// a version to a versioned bucket.
func (s *seeder) putObjects(ctx context.Context, bucket string, objs []object) error {
	for _, o := range objs {
		_, err := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key)})
		if err == nil {
			continue
		}
		if !hasCode(err, "NotFound", "NoSuchKey") {
			return fmt.Errorf("check object s3://%s/%s: %w", bucket, o.key, err)
		}
		_, err = s.s3.PutObject(ctx, &s3.PutObjectInput{
			Bucket:      aws.String(bucket),
			Key:         aws.String(o.key),
			ContentType: aws.String(o.contentType),
			Body:        strings.NewReader(o.body),
		})
		if err != nil {
			return fmt.Errorf("put object s3://%s/%s: %w", bucket, o.key, err)
		}
	}
	return nil
}

// seedQueues creates the queues that are missing; messages go only into a
// queue this run created, so a restart never duplicates them.
func (s *seeder) seedQueues(ctx context.Context) error {
	dlqArn := arnOf("sqs", s.region, s.account, queueDLQ)
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":5}`, dlqArn)
	queues := []struct {
		name  string
		attrs map[string]string
		msgs  []string
	}{
		{queueDLQ, nil, nil},
		{queueFulfillment, map[string]string{string(sqstypes.QueueAttributeNameRedrivePolicy): redrive}, fulfillmentMessages()},
		{queueRefunds, nil, nil},
	}
	for _, q := range queues {
		_, err := s.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.name)})
		if err == nil {
			continue
		}
		if !hasCode(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
			return fmt.Errorf("look up queue %s: %w", q.name, err)
		}
		out, err := s.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q.name), Attributes: q.attrs})
		if err != nil {
			return fmt.Errorf("create queue %s: %w", q.name, err)
		}
		for _, m := range q.msgs {
			if _, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(m)}); err != nil {
				return fmt.Errorf("send message to %s: %w", q.name, err)
			}
		}
	}
	return nil
}

// seedZone creates acme.internal. unless a zone of that name exists and
// upserts its records.
func (s *seeder) seedZone(ctx context.Context) error {
	zoneID, err := s.ensureZone(ctx, zoneName)
	if err != nil {
		return err
	}
	changes := make([]r53types.Change, len(zoneRecords))
	for i, r := range zoneRecords {
		changes[i] = r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name:            aws.String(r.name),
			Type:            r53types.RRType(r.kind),
			TTL:             aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(r.value)}},
		}}
	}
	_, err = s.r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: zoneID,
		ChangeBatch:  &r53types.ChangeBatch{Changes: changes},
	})
	if err != nil {
		return fmt.Errorf("upsert records in %s: %w", zoneName, err)
	}
	return nil
}

// seedPublicZone creates acme.example. and its weighted record for
// shop.acme.example. once. Unlike seedZone it never writes the record again
// once any weighted record of that name exists: a restart must not undo the
// weights a cutover test has set.
func (s *seeder) seedPublicZone(ctx context.Context) error {
	zoneID, err := s.ensureZone(ctx, publicZoneName)
	if err != nil {
		return err
	}
	out, err := s.r53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{
		HostedZoneId: zoneID, StartRecordName: aws.String(publicRecordName), StartRecordType: r53types.RRTypeCname, MaxItems: aws.Int32(1)})
	if err != nil {
		return fmt.Errorf("list records of %s: %w", publicZoneName, err)
	}
	if len(out.ResourceRecordSets) > 0 && aws.ToString(out.ResourceRecordSets[0].Name) == publicRecordName &&
		out.ResourceRecordSets[0].Type == r53types.RRTypeCname {
		return nil
	}
	_, err = s.r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: zoneID,
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name:            aws.String(publicRecordName),
			Type:            r53types.RRTypeCname,
			TTL:             aws.Int64(publicRecordTTL),
			SetIdentifier:   aws.String(publicRecordSource),
			Weight:          aws.Int64(publicSourceWeight),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(publicSourceValue)}},
		}}}},
	})
	if err != nil {
		return fmt.Errorf("create %s in %s: %w", publicRecordName, publicZoneName, err)
	}
	return nil
}

// ensureZone returns the id of the zone called name, creating it when
// missing (zone ids are random, so the name is the key).
func (s *seeder) ensureZone(ctx context.Context, name string) (*string, error) {
	zones, err := s.r53.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{DNSName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("list hosted zones: %w", err)
	}
	for _, z := range zones.HostedZones {
		if aws.ToString(z.Name) == name {
			return z.Id, nil
		}
	}
	out, err := s.r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{
		Name:            aws.String(name),
		CallerReference: aws.String("ferry-sandbox-" + name),
	})
	if err != nil {
		return nil, fmt.Errorf("create hosted zone %s: %w", name, err)
	}
	return out.HostedZone.Id, nil
}

// seedSecret creates the secret once. Errors name the secret, never its value.
func (s *seeder) seedSecret(ctx context.Context) error {
	_, err := s.secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String(secretName),
		Description:  aws.String("orders-api database password"),
		SecretString: aws.String(secretValue),
	})
	if err != nil && !hasCode(err, "ResourceExistsException") {
		return fmt.Errorf("create secret %s: %w", secretName, err)
	}
	return nil
}
