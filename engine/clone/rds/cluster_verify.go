package rds

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// CheckClusterAvailable is the cluster step's first check; it also returns
// CheckConfig, CheckAccounts and CheckSnapshots.
const CheckClusterAvailable = "cluster and members available"

// Verify checks the cluster in the new account: it and every member of the
// source's are there and available; the cluster's engine and version,
// port, key, subnet group, cluster parameter group, security groups and
// tags, and each member's class, parameter group, promotion tier and tags
// are the mapped source's; nothing in their descriptions (nor the snapshot
// copy's) names an old account. A last check, always passing, says where
// the snapshots are.
func (s *clusterStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	info := runbook.Check{Name: CheckSnapshots, OK: true, Evidence: sd.evidence(&s.common)}
	if sd.dst == nil {
		absent := "the cluster is absent"
		return []runbook.Check{{Name: CheckClusterAvailable, Evidence: fmt.Sprintf("no DB cluster %s in %s; apply the step", s.names.cluster, s.onTarget())},
			{Name: CheckConfig, Evidence: absent}, {Name: CheckAccounts, Evidence: absent}, info}, nil
	}
	cfg, err := s.configCheck(ctx, sd)
	if err != nil {
		return nil, err
	}
	return []runbook.Check{s.availableCheck(sd), cfg, s.accountsCheck(sd), info}, nil
}

// availableCheck says where the cluster and each member are.
func (s *clusterStep) availableCheck(sd clusterSides) runbook.Check {
	status := aws.ToString(sd.dst.Status)
	ok := status == "available"
	line := fmt.Sprintf("%s in %s is %s", aws.ToString(sd.dst.DBClusterArn), s.cfg.TargetLabel, status)
	if sd.dst.Endpoint != nil {
		line += fmt.Sprintf(", writer endpoint %s:%d, reader endpoint %s", aws.ToString(sd.dst.Endpoint), aws.ToInt32(sd.dst.Port), aws.ToString(sd.dst.ReaderEndpoint))
	}
	lines := []string{line}
	for _, m := range sd.want.members {
		in := sd.dstMembers[m.id]
		if in == nil {
			ok = false
			lines = append(lines, fmt.Sprintf("member %s is absent; apply the step", m.id))
			continue
		}
		st := aws.ToString(in.DBInstanceStatus)
		ok = ok && st == "available"
		lines = append(lines, fmt.Sprintf("member %s (%s) is %s", m.id, aws.ToString(in.DBInstanceClass), st))
	}
	c := runbook.Check{Name: CheckClusterAvailable, OK: ok, Evidence: strings.Join(lines, "\n")}
	if !ok {
		c.Evidence += "\nAWS may still be working on it: verify again later"
	}
	return c
}

// configCheck compares the target with the mapped source, members
// included: a member the source has and the target lacks, or one the
// target cluster has and the source does not, is a difference. A key the
// plan named by an alias AWS creates on first use is looked up again now.
func (s *clusterStep) configCheck(ctx context.Context, sd clusterSides) (runbook.Check, error) {
	w := sd.want
	var err error
	if w.key, w.keyName, err = s.currentKey(ctx, w.key, w.keyName); err != nil {
		return runbook.Check{}, err
	}
	sd.want = w
	d := s.differences(sd)
	var wanted []string
	for _, m := range w.members {
		wanted = append(wanted, m.id)
		if sd.dstMembers[m.id] == nil {
			d = append(d, fmt.Sprintf("member %s: want it in the cluster, have none", m.id))
		}
	}
	for _, m := range sd.dst.DBClusterMembers {
		if id := aws.ToString(m.DBInstanceIdentifier); !slices.Contains(wanted, id) {
			d = append(d, fmt.Sprintf("member %s: want none (the source cluster has no such member), have it in the cluster", id))
		}
	}
	c := runbook.Check{Name: CheckConfig, OK: len(d) == 0, Evidence: strings.Join(d, "\n")}
	if c.OK {
		c.Evidence = fmt.Sprintf("%s %s, port %d, %s, subnet group %s, cluster parameter group %s, security groups [%s], %d tags, members %s: as the mapped source",
			w.engine, w.version, w.port, encryption(w.encrypted, w.keyName), shown(w.subnetGroup), shown(w.parameterGroup),
			strings.Join(w.securityGroups, ", "), len(w.tags), strings.Join(wanted, ", "))
	}
	return c, nil
}

// accountsCheck scans every field of the target cluster's description, its
// members' and its snapshot copy's (but the copy's
// SourceDBClusterSnapshotArn, which names the old account's snapshot by
// design) for old account ids, naming where each one is.
func (s *clusterStep) accountsCheck(sd clusterSides) runbook.Check {
	scan := s.newAccountScan()
	scan.scan("cluster", sd.dst)
	for _, m := range sd.want.members {
		if in := sd.dstMembers[m.id]; in != nil {
			scan.scan("member "+m.id, in)
		}
	}
	if sd.copy != nil {
		// Where the copy came from is AWS's record of it, not a reference.
		cp := *sd.copy
		cp.SourceDBClusterSnapshotArn = nil
		scan.scan("cluster snapshot "+s.names.copy, cp)
	}
	return scan.check("the cluster's, its members' and its snapshot copy's descriptions (the copy's source snapshot aside)")
}
