package rds

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// TestClusterRefusals: what the new account lacks, a source the step
// cannot clone, or names taken in the new account stop plan and apply
// before any write, saying what to do.
func TestClusterRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(w *fakeWorld, c *ClusterConfig)
		want  string
	}{
		{"no subnet group", func(w *fakeWorld, _ *ClusterConfig) { w.accounts[newAcct].subnets = nil },
			"DB subnet group eks-private does not exist in EKS (account 222222222222)"},
		{"no cluster parameter group", func(w *fakeWorld, _ *ClusterConfig) { w.accounts[newAcct].clusterParams = nil },
			"DB cluster parameter group events-apg15 does not exist in EKS (account 222222222222)"},
		{"no member parameter group", func(w *fakeWorld, _ *ClusterConfig) { w.accounts[newAcct].params = nil },
			"DB parameter group events-apg15-db does not exist in EKS (account 222222222222)"},
		{"unmapped security group", func(_ *fakeWorld, c *ClusterConfig) { c.Mapping.Names = c.Mapping.Names[:1] },
			"security group sg-old belongs to the old account's VPC"},
		{"no target key", func(w *fakeWorld, _ *ClusterConfig) {
			delete(w.accounts[newAcct].keys, w.accounts[newAcct].keyARN("n4"))
		},
			"no KMS key alias/events-db in account 222222222222"},
		{"missing cluster", func(w *fakeWorld, _ *ClusterConfig) { delete(w.accounts[oldAcct].clusters, "events-aurora") },
			"no such DB cluster in the old account 111111111111; check the source profile and region, or drop it from the plan's resources.rdsClusters"},
		{"multi-AZ DB cluster", func(w *fakeWorld, _ *ClusterConfig) {
			w.accounts[oldAcct].clusters["events-aurora"].d.Engine = aws.String("postgres")
		}, "it is a Multi-AZ DB cluster (engine postgres), not an Aurora cluster"},
		{"serverless v1", func(w *fakeWorld, _ *ClusterConfig) {
			w.accounts[oldAcct].clusters["events-aurora"].d.EngineMode = aws.String("serverless")
		}, "its engine mode is serverless"},
		{"same accounts", func(_ *fakeWorld, c *ClusterConfig) { c.TargetAccount = oldAcct }, "is an old account"},
		{"members mapped to one name", func(_ *fakeWorld, c *ClusterConfig) {
			c.Mapping.Names = append(c.Mapping.Names, rewrite.Rename{Kind: "db-instance", From: "events-aurora-1", To: "events-one"},
				rewrite.Rename{Kind: "db-instance", From: "events-aurora-2", To: "events-one"})
		}, "the mapping gives members events-aurora-1 and events-aurora-2 the same identifier events-one"},
		{"member name taken", func(w *fakeWorld, _ *ClusterConfig) {
			w.accounts[newAcct].instances["events-aurora-2"] = &fakeInstance{d: instance(newAcct, "events-aurora-2", "postgres", "", "x", nil)}
		}, "DB instance events-aurora-2 already exists in EKS (account 222222222222) and is not a member of cluster events-aurora"},
		{"existing different cluster", func(w *fakeWorld, _ *ClusterConfig) {
			w.accounts[newAcct].addCluster("events-aurora", "", nil)
		}, "DB cluster events-aurora already exists in EKS (account 222222222222) and differs from the mapped source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := clusterWorld()
			refused(t, w, w.clusterStep("events-aurora", func(c *ClusterConfig) { tt.setup(w, c) }), tt.want)
		})
	}
}

// TestInstanceRefusesAuroraMember: the instance step refuses a member of a
// cluster and points at the cluster step's plan key.
func TestInstanceRefusesAuroraMember(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.step("events-aurora-1")
	_, err := s.Plan(t.Context())
	for _, m := range []string{"member of DB cluster events-aurora", "drop events-aurora-1 from the plan's resources.rds", "list the cluster under resources.rdsClusters"} {
		if err == nil || !strings.Contains(err.Error(), m) {
			t.Errorf("plan: %v, want %q", err, m)
		}
	}
	w.noWrites(t)
}

// TestClusterSaveFailsFirst: when the undo record cannot be saved, nothing
// is written.
func TestClusterSaveFailsFirst(t *testing.T) {
	t.Parallel()
	w := clusterWorld()
	s := w.clusterStep("events-aurora")
	err := s.Apply(t.Context(), &recorder{failSave: errors.New("disk full")})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("apply: %v", err)
	}
	w.noWrites(t)
}
