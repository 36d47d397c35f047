package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The scenario's databases (SCENARIO.md). The old account runs orders-db,
// encrypted with its own customer-managed key (alias/orders-db), in the
// KOPS VPC's subnet group and security group, legacy-reports, encrypted
// with the account's AWS-managed aws/rds key: the database whose snapshots
// AWS refuses to share, and the Aurora PostgreSQL cluster events-aurora
// (writer events-aurora-1, reader events-aurora-2) under its own
// customer-managed key (alias/events-db). The new account has what a
// restore of orders-db and of events-aurora needs: keys under the same
// aliases, the EKS VPC's subnet group, the parameter group and the cluster
// parameter group. Security groups are ids only (the sandbox has no EC2);
// the plan's mapping pairs the old one with the new one.
const (
	// oldDBSecurityGroup and newDBSecurityGroup are the databases' security
	// groups in the KOPS and the EKS VPC.
	oldDBSecurityGroup = "sg-0a1c0ffee0000d001"
	newDBSecurityGroup = "sg-0b2c0ffee0000e001"
	ordersKeyAlias     = "alias/orders-db"
	eventsKeyAlias     = "alias/events-db"
	// eventsClusterParams is events-aurora's DB cluster parameter group.
	eventsClusterParams = "events-apg15"
)

// rdsClients builds RDS and KMS clients on the seeder's endpoint and
// credentials (read from its SQS client, which has them).
func (s *seeder) rdsClients() (*rds.Client, *kms.Client) {
	o := s.sqs.Options()
	cfg := aws.Config{Region: o.Region, BaseEndpoint: o.BaseEndpoint, Credentials: o.Credentials}
	return rds.NewFromConfig(cfg), kms.NewFromConfig(cfg)
}

// seedOldDatabases seeds the old account's two instances and their groups.
func (s *seeder) seedOldDatabases(ctx context.Context) error {
	db, keys := s.rdsClients()
	if err := s.ensureKey(ctx, keys, ordersKeyAlias, "orders-db storage"); err != nil {
		return err
	}
	if err := ensureDBGroups(ctx, db, "kops-private", "KOPS VPC private subnets",
		[]string{"subnet-0a1c0ffee0000a001", "subnet-0a1c0ffee0000b001"}); err != nil {
		return err
	}
	tags := []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")},
		{Key: aws.String("service"), Value: aws.String("orders-api")},
		{Key: aws.String("backup-role"), Value: aws.String("arn:aws:iam::" + s.account + ":role/rds-backup")}}
	for _, in := range []*rds.CreateDBInstanceInput{{
		DBInstanceIdentifier: aws.String("orders-db"), Engine: aws.String("postgres"), EngineVersion: aws.String("15.7"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20), StorageType: aws.String("gp3"),
		DBSubnetGroupName: aws.String("kops-private"), DBParameterGroupName: aws.String("orders-pg15"),
		VpcSecurityGroupIds: []string{oldDBSecurityGroup}, StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(ordersKeyAlias),
		MasterUsername: aws.String("orders"), DBName: aws.String("orders"), Tags: tags,
	}, {
		DBInstanceIdentifier: aws.String("legacy-reports"), Engine: aws.String("mysql"), EngineVersion: aws.String("8.0.39"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20),
		DBSubnetGroupName: aws.String("kops-private"), VpcSecurityGroupIds: []string{oldDBSecurityGroup},
		StorageEncrypted: aws.Bool(true), // with the default aws/rds key
		MasterUsername:   aws.String("reports"), Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("analytics")}},
	}} {
		_, err := db.CreateDBInstance(ctx, in)
		if err != nil && !hasCode(err, "DBInstanceAlreadyExists") {
			return fmt.Errorf("create DB instance %s: %w", aws.ToString(in.DBInstanceIdentifier), err)
		}
	}
	return s.seedOldCluster(ctx, db, keys)
}

// seedOldCluster seeds events-aurora: its key, its cluster parameter group,
// the cluster in orders-db's subnet and security groups, and its two
// members, the writer created first.
func (s *seeder) seedOldCluster(ctx context.Context, db *rds.Client, keys *kms.Client) error {
	if err := s.ensureKey(ctx, keys, eventsKeyAlias, "events-aurora storage"); err != nil {
		return err
	}
	if err := ensureClusterParams(ctx, db); err != nil {
		return err
	}
	_, err := db.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("events-aurora"),
		Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"), DBClusterParameterGroupName: aws.String(eventsClusterParams),
		DBSubnetGroupName: aws.String("kops-private"), VpcSecurityGroupIds: []string{oldDBSecurityGroup},
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(eventsKeyAlias), MasterUsername: aws.String("events"), DatabaseName: aws.String("events"),
		Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("events")},
			{Key: aws.String("backup-role"), Value: aws.String("arn:aws:iam::" + s.account + ":role/rds-backup")}}})
	if err != nil && !hasCode(err, "DBClusterAlreadyExistsFault") {
		return fmt.Errorf("create DB cluster events-aurora: %w", err)
	}
	for i, id := range []string{"events-aurora-1", "events-aurora-2"} {
		_, err := db.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBClusterIdentifier: aws.String("events-aurora"),
			Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large"), PromotionTier: aws.Int32(int32(i)),
			Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("events")}}})
		if err != nil && !hasCode(err, "DBInstanceAlreadyExists") {
			return fmt.Errorf("create DB instance %s in cluster events-aurora: %w", id, err)
		}
	}
	return nil
}

// ensureClusterParams creates events-aurora's DB cluster parameter group.
func ensureClusterParams(ctx context.Context, db *rds.Client) error {
	_, err := db.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(eventsClusterParams),
		DBParameterGroupFamily: aws.String("aurora-postgresql15"), Description: aws.String("events-aurora settings")})
	if err != nil && !hasCode(err, "DBParameterGroupAlreadyExists") {
		return fmt.Errorf("create DB cluster parameter group %s: %w", eventsClusterParams, err)
	}
	return nil
}

// seedNewDatabases seeds what a restore of orders-db and events-aurora in
// the new account needs.
func (s *seeder) seedNewDatabases(ctx context.Context) error {
	db, keys := s.rdsClients()
	if err := s.ensureKey(ctx, keys, ordersKeyAlias, "orders-db storage"); err != nil {
		return err
	}
	if err := s.ensureKey(ctx, keys, eventsKeyAlias, "events-aurora storage"); err != nil {
		return err
	}
	if err := ensureClusterParams(ctx, db); err != nil {
		return err
	}
	return ensureDBGroups(ctx, db, "eks-private", "EKS VPC private subnets",
		[]string{"subnet-0b2c0ffee0000a001", "subnet-0b2c0ffee0000b001"})
}

// ensureKey creates a customer-managed key under alias unless the alias
// exists (CreateKey is not idempotent, so it looks first).
func (s *seeder) ensureKey(ctx context.Context, keys *kms.Client, alias, description string) error {
	_, err := keys.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err == nil {
		return nil
	}
	if !hasCode(err, "NotFoundException") {
		return fmt.Errorf("look up KMS key %s: %w", alias, err)
	}
	k, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description)})
	if err != nil {
		return fmt.Errorf("create KMS key for %s: %w", alias, err)
	}
	if _, err := keys.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		return fmt.Errorf("create KMS alias %s: %w", alias, err)
	}
	return nil
}

// ensureDBGroups creates the subnet group and orders-db's parameter group.
func ensureDBGroups(ctx context.Context, db *rds.Client, subnetGroup, description string, subnets []string) error {
	_, err := db.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String(subnetGroup),
		DBSubnetGroupDescription: aws.String(description), SubnetIds: subnets})
	if err != nil && !hasCode(err, "DBSubnetGroupAlreadyExists") {
		return fmt.Errorf("create DB subnet group %s: %w", subnetGroup, err)
	}
	_, err = db.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("orders-pg15"),
		DBParameterGroupFamily: aws.String("postgres15"), Description: aws.String("orders-db settings")})
	if err != nil && !hasCode(err, "DBParameterGroupAlreadyExists") {
		return fmt.Errorf("create DB parameter group orders-pg15: %w", err)
	}
	return nil
}
