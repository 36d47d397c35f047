package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckAvailable = "instance available"
	CheckConfig    = "configuration matches"
	CheckAccounts  = "no old-account ids"
	CheckSnapshots = "snapshots (information)"
)

// Verify checks the instance in the new account: it exists and is
// available; its engine and version, class, storage, encryption key,
// subnet group, parameter group, security groups and tags are the mapped
// source's; nothing in its description (nor its snapshot copy's) names an
// old account. A last check, always passing, says where the snapshots are.
func (s *instanceStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	sd, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	info := runbook.Check{Name: CheckSnapshots, OK: true, Evidence: sd.evidence(&s.common)}
	if sd.dst == nil {
		absent := "the instance is absent"
		return []runbook.Check{{Name: CheckAvailable, Evidence: fmt.Sprintf("no DB instance %s in %s (account %s); apply the step",
			s.names.instance, s.cfg.TargetLabel, s.cfg.TargetAccount)},
			{Name: CheckConfig, Evidence: absent}, {Name: CheckAccounts, Evidence: absent}, info}, nil
	}
	cfg, err := s.configCheck(ctx, sd)
	if err != nil {
		return nil, err
	}
	return []runbook.Check{s.availableCheck(sd.dst), cfg, s.accountsCheck(sd), info}, nil
}

func (s *instanceStep) availableCheck(in *types.DBInstance) runbook.Check {
	status := aws.ToString(in.DBInstanceStatus)
	c := runbook.Check{Name: CheckAvailable, OK: status == "available"}
	c.Evidence = fmt.Sprintf("%s in %s is %s", aws.ToString(in.DBInstanceArn), s.cfg.TargetLabel, status)
	if in.Endpoint != nil {
		c.Evidence += fmt.Sprintf(", endpoint %s:%d", aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port))
	}
	if !c.OK {
		c.Evidence += "; AWS is still working on it: verify again later"
	}
	return c
}

// configCheck compares the target with the mapped source. A key the plan
// named by an alias AWS creates on first use is looked up again now.
func (s *instanceStep) configCheck(ctx context.Context, sd sides) (runbook.Check, error) {
	w := sd.want
	var err error
	if w.key, w.keyName, err = s.currentKey(ctx, w.key, w.keyName); err != nil {
		return runbook.Check{}, err
	}
	d := differences(w, have(sd.dst))
	c := runbook.Check{Name: CheckConfig, OK: len(d) == 0, Evidence: strings.Join(d, "\n")}
	if c.OK {
		c.Evidence = fmt.Sprintf("%s %s, %s, %d GiB %s, %s, subnet group %s, parameter group %s, security groups [%s], %d tags: as the mapped source",
			w.engine, w.version, w.class, w.storage, w.storageType, encryption(w.encrypted, w.keyName), shown(w.subnetGroup),
			shown(w.parameterGroup), strings.Join(w.securityGroups, ", "), len(w.tags))
	}
	return c, nil
}

// accountsCheck scans every field of the target instance's description and
// of its snapshot copy (but the copy's SourceDBSnapshotIdentifier, which
// names the old account's snapshot by design) for old account ids, naming
// where each one is.
func (s *instanceStep) accountsCheck(sd sides) runbook.Check {
	scan := s.newAccountScan()
	scan.scan("instance", sd.dst)
	if sd.copy != nil {
		// Where the copy came from is AWS's record of it, not a reference.
		cp := *sd.copy
		cp.SourceDBSnapshotIdentifier = nil
		scan.scan("snapshot "+s.names.copy, cp)
	}
	return scan.check("the instance's and its snapshot copy's descriptions (the copy's source snapshot aside)")
}
