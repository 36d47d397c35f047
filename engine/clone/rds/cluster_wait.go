package rds

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// clusterSnapshotReady polls a cluster snapshot until it is available.
func (s *clusterStep) clusterSnapshotReady(api clusterSnapshotDescriber, account, id string) poll {
	return func(ctx context.Context) (string, bool, error) {
		sn, err := describeClusterSnapshot(ctx, api, id)
		switch {
		case err != nil:
			return "", false, s.fail("account %s: %w", account, err)
		case sn == nil:
			return "", false, s.fail("cluster snapshot %s vanished from account %s while AWS was making it; apply again to make it anew", id, account)
		}
		status := aws.ToString(sn.Status)
		if failedStatus(status) {
			return "", false, s.fail("AWS reports cluster snapshot %s in account %s as %s; delete it there and apply again", id, account, status)
		}
		if status == "available" {
			return "available", true, nil
		}
		return fmt.Sprintf("%s, %d%%", status, aws.ToInt32(sn.PercentProgress)), false, nil
	}
}

// clusterReady polls a cluster until it is available.
func (s *clusterStep) clusterReady(api clusterDescriber, account, id string) poll {
	return func(ctx context.Context) (string, bool, error) {
		cl, err := describeCluster(ctx, api, id)
		switch {
		case err != nil:
			return "", false, s.fail("account %s: %w", account, err)
		case cl == nil:
			return "", false, s.fail("DB cluster %s is not in account %s (any more); apply again", id, account)
		}
		status := aws.ToString(cl.Status)
		if failedStatus(status) {
			return "", false, s.fail("AWS reports DB cluster %s in account %s as %s; see its events in the RDS console, fix the cause, then roll back and apply again", id, account, status)
		}
		return status, status == "available", nil
	}
}

// clusterGone polls the target cluster until it no longer exists.
func (s *clusterStep) clusterGone() poll {
	return func(ctx context.Context) (string, bool, error) {
		cl, err := describeCluster(ctx, s.cfg.Target, s.names.cluster)
		if err != nil {
			return "", false, s.fail("%s: %w", s.onTarget(), err)
		}
		if cl == nil {
			return "deleted", true, nil
		}
		return aws.ToString(cl.Status), false, nil
	}
}

// clusterVisible polls the new account until it sees the shared cluster
// snapshot.
func (s *clusterStep) clusterVisible(arn string) poll {
	return func(ctx context.Context) (string, bool, error) {
		ok, err := clusterSharedWith(ctx, s.cfg.Target, arn)
		if err != nil {
			return "", false, s.fail("%s: %w", s.onTarget(), err)
		}
		if ok {
			return "shared", true, nil
		}
		return "not visible in account " + s.cfg.TargetAccount + " yet", false, nil
	}
}
