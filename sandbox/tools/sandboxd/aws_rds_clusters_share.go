package main

import (
	"slices"
	"time"
)

type clusterAttributesResult struct {
	Result xmlClusterSnapshotAttributes `xml:"DBClusterSnapshotAttributesResult"`
}

// modifyClusterSnapshotAttribute is ModifyDBClusterSnapshotAttribute of
// restore, with the rules of ModifyDBSnapshotAttribute: an encrypted
// snapshot cannot be public, one under an AWS-managed key cannot be
// shared at all.
func (s *rdsService) modifyClusterSnapshotAttribute(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBClusterSnapshotIdentifier", "AttributeName"); e != nil {
		return nil, e
	}
	add, remove, e := restoreChange(f)
	if e != nil {
		return nil, e
	}
	sn, e := readOwn(s, f.get("DBClusterSnapshotIdentifier"), s.ownClusterSnapshot)
	if e != nil {
		return nil, e
	}
	if e := s.checkShareable(c, sn.ID, sn.Encrypted, sn.KMSKeyID, add); e != nil {
		return nil, e
	}
	var out clusterAttributesResult
	e = s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownClusterSnapshot(d, sn.ID)
		if e != nil {
			return false, e
		}
		if got.Status != statusAvailable {
			return false, rdsFault(codeClusterSnapshotState, "Cluster snapshot %s is not available (it is %s).", got.ID, got.Status)
		}
		got.SharedWith = changeShares(got.SharedWith, add, remove)
		out.Result = clusterRestoreAttribute(got)
		return true, nil
	})
	return out, e
}

// describeClusterSnapshotAttributes is DescribeDBClusterSnapshotAttributes.
func (s *rdsService) describeClusterSnapshotAttributes(c *rdsCall) (any, *rdsError) {
	if e := required(c.form, "DBClusterSnapshotIdentifier"); e != nil {
		return nil, e
	}
	var out clusterAttributesResult
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		sn, e := s.ownClusterSnapshot(d, c.form.get("DBClusterSnapshotIdentifier"))
		if e == nil {
			out.Result = clusterRestoreAttribute(sn)
		}
		return false, e
	})
	return out, e
}

func clusterRestoreAttribute(sn *rdsClusterSnapshot) xmlClusterSnapshotAttributes {
	return xmlClusterSnapshotAttributes{DBClusterSnapshotIdentifier: sn.ID,
		Attributes: []xmlClusterSnapshotAttr{{AttributeName: "restore", AttributeValues: slices.Clone(sn.SharedWith)}}}
}

// copyClusterSnapshot is CopyDBClusterSnapshot from one of the account's
// cluster snapshots or, by ARN, from one another account shares with it,
// fetched from that account's front. A copy of an encrypted shared
// snapshot needs a key of this account (KmsKeyId), as in AWS.
func (s *rdsService) copyClusterSnapshot(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "SourceDBClusterSnapshotIdentifier", "TargetDBClusterSnapshotIdentifier"); e != nil {
		return nil, e
	}
	src, dst, keyArg := f.get("SourceDBClusterSnapshotIdentifier"), f.get("TargetDBClusterSnapshotIdentifier"), f.get("KmsKeyId")
	sn, cross, e := s.clusterCopySource(c, src)
	if e != nil {
		return nil, e
	}
	if sn.Status != statusAvailable {
		return nil, rdsFault(codeClusterSnapshotState, "Cluster snapshot %s is not available (it is %s).", src, sn.Status)
	}
	if acct, _, _ := parseRDSARN(sn.Arn, "cluster-snapshot"); cross && sn.Encrypted && keyArg == "" {
		return nil, rdsFault(codeInvalidParameter, "KmsKeyId is required to copy an encrypted cluster snapshot shared from account %s", acct)
	}
	var tags []rdsTag
	if sn.KMSKeyID, sn.Encrypted, tags, e = s.copyAs(c, keyArg, sn.KMSKeyID, sn.Encrypted, sn.Tags); e != nil {
		return nil, e
	}
	var out clusterSnapshotResult
	e = s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		if _, ok := d.ClusterSnapshots[dst]; ok {
			return false, rdsFault(codeClusterSnapshotExists, "Cannot copy the cluster snapshot because one with the identifier %s already exists.", dst)
		}
		cp := sn
		cp.ID, cp.Arn, cp.SourceArn, cp.SharedWith, cp.Tags = dst, s.arn("cluster-snapshot", dst), sn.Arn, nil, tags
		cp.Created, cp.Status, cp.Until = now, statusCreating, now.Add(s.delays.copy)
		d.ClusterSnapshots[dst] = &cp
		out.DBClusterSnapshot = s.xmlClusterSnapshot(&cp, now, false)
		return true, nil
	})
	return out, e
}

// clusterCopySource finds the cluster snapshot a copy starts from: the
// account's own, or one a peer shares with it.
func (s *rdsService) clusterCopySource(c *rdsCall, ref string) (sn rdsClusterSnapshot, cross bool, e *rdsError) {
	if acct, _, ok := parseRDSARN(ref, "cluster-snapshot"); ok && acct != s.account {
		sn, found, e := peerSnapshot(s, c, acct, rdsSharedClustersPath, ref, func(sn *rdsClusterSnapshot) string { return sn.Arn })
		if e == nil && !found {
			e = rdsNotFound(codeClusterSnapshotNotFound, "DBClusterSnapshot %s not found: account %s does not share it with account %s.", ref, acct, s.account)
		}
		return sn, true, e
	}
	sn, e = readOwn(s, ref, s.ownClusterSnapshot)
	return sn, false, e
}
