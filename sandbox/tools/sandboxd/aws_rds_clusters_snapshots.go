package main

import (
	"maps"
	"slices"
	"strings"
	"time"
)

type clusterSnapshotResult struct {
	DBClusterSnapshot xmlClusterSnapshot `xml:"DBClusterSnapshot"`
}

// createClusterSnapshot is CreateDBClusterSnapshot of an available cluster.
func (s *rdsService) createClusterSnapshot(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBClusterSnapshotIdentifier", "DBClusterIdentifier"); e != nil {
		return nil, e
	}
	id, cluster := f.get("DBClusterSnapshotIdentifier"), f.get("DBClusterIdentifier")
	var out clusterSnapshotResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		cl, ok := d.Clusters[cluster]
		switch {
		case !ok:
			return false, rdsNotFound(codeClusterNotFound, "DBCluster %s not found.", cluster)
		case cl.Status != statusAvailable:
			return false, rdsFault(codeClusterState, "Cannot create a snapshot because DB cluster %s is not currently in the available state (it is %s).", cluster, cl.Status)
		}
		if _, ok := d.ClusterSnapshots[id]; ok {
			return false, rdsFault(codeClusterSnapshotExists, "Cannot create the cluster snapshot because one with the identifier %s already exists.", id)
		}
		sn := s.clusterSnapshotOf(cl, id, now)
		sn.Tags = f.tags()
		d.ClusterSnapshots[id] = sn
		out.DBClusterSnapshot = s.xmlClusterSnapshot(sn, now, false)
		return true, nil
	})
	return out, e
}

// clusterSnapshotOf is a new manual snapshot of cl, creating.
func (s *rdsService) clusterSnapshotOf(cl *rdsCluster, id string, now time.Time) *rdsClusterSnapshot {
	return &rdsClusterSnapshot{ID: id, Arn: s.arn("cluster-snapshot", id), ClusterID: cl.ID, Engine: cl.Engine,
		EngineVersion: cl.EngineVersion, Port: cl.Port, Encrypted: cl.Encrypted, KMSKeyID: cl.KMSKeyID,
		MasterUsername: cl.MasterUsername, DatabaseName: cl.DatabaseName, IAMAuth: cl.IAMAuth, ResourceID: cl.ResourceID,
		ClusterCreated: cl.Created, rdsLife: rdsLife{Created: now, Status: statusCreating, Until: now.Add(s.delays.snapshot)}}
}

// ownClusterSnapshot finds one of the account's cluster snapshots by
// identifier or ARN.
func (s *rdsService) ownClusterSnapshot(d *rdsData, ref string) (*rdsClusterSnapshot, *rdsError) {
	id := ref
	if acct, name, ok := parseRDSARN(ref, "cluster-snapshot"); ok && acct == s.account {
		id = name
	}
	sn, ok := d.ClusterSnapshots[id]
	if !ok {
		return nil, rdsNotFound(codeClusterSnapshotNotFound, "DBClusterSnapshot %s not found.", ref)
	}
	return sn, nil
}

// parseRDSARN splits arn:aws:rds:REGION:ACCOUNT:KIND:ID.
func parseRDSARN(ref, kind string) (account, id string, ok bool) {
	p := strings.Split(ref, ":")
	if len(p) != 7 || p[0] != "arn" || p[2] != "rds" || p[5] != kind {
		return "", "", false
	}
	return p[4], p[6], true
}

// describeClusterSnapshots is DescribeDBClusterSnapshots: the account's
// manual cluster snapshots, and with IncludeShared or SnapshotType shared
// those other accounts share with it (named by ARN, as AWS names them).
func (s *rdsService) describeClusterSnapshots(c *rdsCall) (any, *rdsError) {
	f := c.form
	flt := f.filters()
	ids := slices.Clone(flt["db-cluster-snapshot-id"])
	if id := f.get("DBClusterSnapshotIdentifier"); id != "" {
		ids = append(ids, id)
	}
	clusters := flt["db-cluster-id"]
	if id := f.get("DBClusterIdentifier"); id != "" {
		clusters = append(clusters, id)
	}
	typ := f.get("SnapshotType")
	if types := flt["snapshot-type"]; typ == "" && len(types) == 1 {
		typ = types[0]
	}
	own, shared := typ == "" || typ == "manual", typ == "shared" || (typ == "" && f.bool("IncludeShared"))
	keep := func(sn *rdsClusterSnapshot, name string) bool {
		return (len(ids) == 0 || slices.Contains(ids, name) || slices.Contains(ids, sn.Arn)) &&
			(len(clusters) == 0 || slices.Contains(clusters, sn.ClusterID))
	}
	var out struct {
		Snapshots []xmlClusterSnapshot `xml:"DBClusterSnapshots>DBClusterSnapshot"`
	}
	if own {
		_ = s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
			for _, k := range slices.Sorted(maps.Keys(d.ClusterSnapshots)) {
				if sn := d.ClusterSnapshots[k]; keep(sn, sn.ID) {
					out.Snapshots = append(out.Snapshots, s.xmlClusterSnapshot(sn, now, false))
				}
			}
			return false, nil
		})
	}
	if shared {
		for _, acct := range slices.Sorted(maps.Keys(s.peers)) {
			list, e := peerShared[rdsClusterSnapshot](s, c, acct, rdsSharedClustersPath)
			if e != nil {
				return nil, e
			}
			for i := range list {
				if keep(&list[i], list[i].Arn) {
					out.Snapshots = append(out.Snapshots, s.xmlClusterSnapshot(&list[i], s.now(), true))
				}
			}
		}
	}
	if len(ids) > 0 && len(out.Snapshots) == 0 {
		return nil, rdsNotFound(codeClusterSnapshotNotFound, "DBClusterSnapshot %s not found.", strings.Join(ids, ", "))
	}
	return out, nil
}

// deleteClusterSnapshot is DeleteDBClusterSnapshot.
func (s *rdsService) deleteClusterSnapshot(c *rdsCall) (any, *rdsError) {
	if e := required(c.form, "DBClusterSnapshotIdentifier"); e != nil {
		return nil, e
	}
	var out clusterSnapshotResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		sn, e := s.ownClusterSnapshot(d, c.form.get("DBClusterSnapshotIdentifier"))
		if e != nil {
			return false, e
		}
		delete(d.ClusterSnapshots, sn.ID)
		sn.Status = "deleted"
		out.DBClusterSnapshot = s.xmlClusterSnapshot(sn, now, false)
		return true, nil
	})
	return out, e
}

func (s *rdsService) xmlClusterSnapshot(sn *rdsClusterSnapshot, now time.Time, shared bool) xmlClusterSnapshot {
	x := xmlClusterSnapshot{AvailabilityZones: []string{s.region + "a", s.region + "b", s.region + "c"},
		DBClusterSnapshotIdentifier: sn.ID, DBClusterIdentifier: sn.ClusterID, SnapshotCreateTime: xmlTimestamp(sn.Created),
		Engine: sn.Engine, EngineMode: "provisioned", Status: sn.Status, Port: sn.Port, VpcID: s.vpcID(),
		ClusterCreateTime: xmlTimestamp(sn.ClusterCreated), MasterUsername: sn.MasterUsername, EngineVersion: sn.EngineVersion,
		SnapshotType: "manual", PercentProgress: sn.progress(now), StorageEncrypted: sn.Encrypted, KmsKeyID: sn.KMSKeyID,
		DBClusterSnapshotArn: sn.Arn, SourceDBClusterSnapshotArn: sn.SourceArn, IAMDatabaseAuthenticationEnabled: sn.IAMAuth,
		DbClusterResourceID: sn.ResourceID, TagList: xmlTags(sn.Tags)}
	if shared {
		// A shared snapshot is named by its ARN; its VPC and tags are the
		// owner's business.
		x.DBClusterSnapshotIdentifier, x.SnapshotType, x.TagList, x.VpcID = sn.Arn, "shared", nil, ""
	}
	return x
}
