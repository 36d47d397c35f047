package main

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Aurora DB clusters: the front owns them as it owns instances (kumo's
// clusters keep no key, groups or members), following the RDS API
// reference. A cluster holds the data and its settings; its members are
// instances created with DBClusterIdentifier, which take the cluster's
// storage, key, subnet group and security groups. Multi-AZ DB clusters
// (engine postgres or mysql) are not modelled and are refused.

type clusterResult struct {
	DBCluster xmlCluster `xml:"DBCluster"`
}

// createCluster is CreateDBCluster. The master password is accepted and
// dropped.
func (s *rdsService) createCluster(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBClusterIdentifier", "Engine"); e != nil {
		return nil, e
	}
	engine := f.get("Engine")
	if !strings.HasPrefix(engine, "aurora") {
		return nil, rdsFault(codeInvalidParameter, "the sandbox models Aurora DB clusters only, not Multi-AZ DB clusters of engine %s", engine)
	}
	cl := &rdsCluster{ID: f.get("DBClusterIdentifier"), Engine: engine, EngineVersion: orDefault(f.get("EngineVersion"), defaultEngineVersion(engine)),
		Port: f.int32("Port", defaultPort(engine)), Encrypted: f.bool("StorageEncrypted"), SubnetGroup: f.get("DBSubnetGroupName"),
		SecurityGroups: f.list("VpcSecurityGroupIds.VpcSecurityGroupId"), MasterUsername: f.get("MasterUsername"),
		DatabaseName: f.get("DatabaseName"), DeletionProtection: f.bool("DeletionProtection"), IAMAuth: f.bool("EnableIAMDatabaseAuthentication"),
		MinACU: f.float("ServerlessV2ScalingConfiguration.MinCapacity"), MaxACU: f.float("ServerlessV2ScalingConfiguration.MaxCapacity"),
		BackupRetention: f.int32("BackupRetentionPeriod", 1), Tags: f.tags()}
	cl.ParameterGroup = orDefault(f.get("DBClusterParameterGroupName"), "default."+family(engine, cl.EngineVersion))
	key, e := s.storageKey(c, cl.Encrypted, f.get("KmsKeyId"))
	if e != nil {
		return nil, e
	}
	cl.KMSKeyID = key
	return s.addCluster(cl)
}

// addCluster stores a new cluster, creating, once its groups check out.
func (s *rdsService) addCluster(cl *rdsCluster) (any, *rdsError) {
	var out clusterResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		if _, ok := d.Clusters[cl.ID]; ok {
			return false, rdsFault(codeClusterExists, "DB cluster %s already exists", cl.ID)
		}
		if _, ok := d.SubnetGroups[cl.SubnetGroup]; cl.SubnetGroup != "" && !ok {
			return false, rdsNotFound(codeSubnetGroupNotFound, "DBSubnetGroupName %s doesn't refer to an existing DB subnet group", cl.SubnetGroup)
		}
		if _, ok := d.ClusterParameterGroups[cl.ParameterGroup]; !ok && !strings.HasPrefix(cl.ParameterGroup, "default.") {
			return false, rdsNotFound(codeClusterParameterGroupMissing, "DBClusterParameterGroup not found: %s", cl.ParameterGroup)
		}
		cl.ResourceID = s.clusterResourceID(cl.ID, now)
		cl.Created, cl.Status, cl.Until = now, statusCreating, now.Add(s.delays.create)
		d.Clusters[cl.ID] = cl
		out.DBCluster = s.xmlCluster(d, cl)
		return true, nil
	})
	return out, e
}

// describeClusters is DescribeDBClusters, with the db-cluster-id filter.
func (s *rdsService) describeClusters(c *rdsCall) (any, *rdsError) {
	var out struct {
		DBClusters []xmlCluster `xml:"DBClusters>DBCluster"`
	}
	id := c.form.get("DBClusterIdentifier")
	ids := c.form.filters()["db-cluster-id"]
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		if id != "" {
			cl, ok := d.Clusters[id]
			if !ok {
				return false, rdsNotFound(codeClusterNotFound, "DBCluster %s not found.", id)
			}
			out.DBClusters = append(out.DBClusters, s.xmlCluster(d, cl))
			return false, nil
		}
		for _, k := range slices.Sorted(maps.Keys(d.Clusters)) {
			if len(ids) == 0 || slices.Contains(ids, k) || slices.Contains(ids, s.arn("cluster", k)) {
				out.DBClusters = append(out.DBClusters, s.xmlCluster(d, d.Clusters[k]))
			}
		}
		return false, nil
	})
	return out, e
}

// deleteCluster is DeleteDBCluster: refused while the cluster has members
// that are not being deleted, as in AWS; deleting for a while, then gone.
func (s *rdsService) deleteCluster(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBClusterIdentifier"); e != nil {
		return nil, e
	}
	id, skip, final := f.get("DBClusterIdentifier"), f.bool("SkipFinalSnapshot"), f.get("FinalDBSnapshotIdentifier")
	if skip == (final != "") {
		return nil, rdsFault(codeInvalidCombination, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified, and not allowed with it")
	}
	var out clusterResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		cl, ok := d.Clusters[id]
		switch {
		case !ok:
			return false, rdsNotFound(codeClusterNotFound, "DBCluster %s not found.", id)
		case cl.DeletionProtection:
			return false, rdsFault(codeInvalidCombination, "Cannot delete protected Cluster, please disable deletion protection and try again.")
		case cl.Status != statusAvailable:
			return false, rdsFault(codeClusterState, "DB cluster %s is %s, not available.", id, cl.Status)
		case slices.ContainsFunc(d.members(id), func(in *rdsInstance) bool { return in.Status != statusDeleting }):
			return false, rdsFault(codeClusterState, "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
		}
		if final != "" {
			if _, ok := d.ClusterSnapshots[final]; ok {
				return false, rdsFault(codeClusterSnapshotExists, "Cannot create the cluster snapshot because one with the identifier %s already exists.", final)
			}
			d.ClusterSnapshots[final] = s.clusterSnapshotOf(cl, final, now)
		}
		cl.Status, cl.Until = statusDeleting, now.Add(s.delays.delete)
		out.DBCluster = s.xmlCluster(d, cl)
		return true, nil
	})
	return out, e
}

// restoreCluster is RestoreDBClusterFromSnapshot from one of the account's
// own cluster snapshots: the cluster takes the snapshot's data and key (or
// the KmsKeyId the call names) and the groups the call names. Its members
// are created afterwards, with CreateDBInstance, as in AWS.
func (s *rdsService) restoreCluster(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBClusterIdentifier", "SnapshotIdentifier", "Engine"); e != nil {
		return nil, e
	}
	var sn rdsClusterSnapshot
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownClusterSnapshot(d, f.get("SnapshotIdentifier"))
		if e == nil && got.Status != statusAvailable {
			e = rdsFault(codeClusterSnapshotState, "Cluster snapshot %s is not available (it is %s).", got.ID, got.Status)
		}
		if e == nil {
			sn = *got
		}
		return false, e
	})
	if e != nil {
		return nil, e
	}
	if engine := f.get("Engine"); engine != sn.Engine {
		return nil, rdsFault(codeInvalidCombination, "Engine %s is not compatible with the snapshot's engine %s.", engine, sn.Engine)
	}
	cl := &rdsCluster{ID: f.get("DBClusterIdentifier"), Engine: sn.Engine, EngineVersion: orDefault(f.get("EngineVersion"), sn.EngineVersion),
		Port: f.int32("Port", sn.Port), Encrypted: sn.Encrypted, KMSKeyID: sn.KMSKeyID, SubnetGroup: f.get("DBSubnetGroupName"),
		SecurityGroups: f.list("VpcSecurityGroupIds.VpcSecurityGroupId"), MasterUsername: sn.MasterUsername, DatabaseName: sn.DatabaseName,
		DeletionProtection: f.bool("DeletionProtection"), IAMAuth: f.bool("EnableIAMDatabaseAuthentication"),
		MinACU: f.float("ServerlessV2ScalingConfiguration.MinCapacity"), MaxACU: f.float("ServerlessV2ScalingConfiguration.MaxCapacity"),
		BackupRetention: 1, Tags: f.tags()}
	cl.ParameterGroup = orDefault(f.get("DBClusterParameterGroupName"), "default."+family(cl.Engine, cl.EngineVersion))
	if key := f.get("KmsKeyId"); key != "" {
		arn, _, e := s.resolveKey(c, key)
		if e != nil {
			return nil, e
		}
		cl.KMSKeyID, cl.Encrypted = arn, true
	}
	return s.addCluster(cl)
}

// createMember is CreateDBInstance of a member of an Aurora cluster: the
// instance takes the cluster's engine version, storage, key, subnet group,
// security groups and port; the first one is the cluster's writer.
func (s *rdsService) createMember(c *rdsCall) (any, *rdsError) {
	f := c.form
	clusterID, engine := f.get("DBClusterIdentifier"), f.get("Engine")
	in := &rdsInstance{ID: f.get("DBInstanceIdentifier"), Class: f.get("DBInstanceClass"), Engine: engine, Storage: 1, StorageType: "aurora",
		Public: f.bool("PubliclyAccessible"), PromotionTier: f.int32("PromotionTier", 1), Tags: f.tags(), ClusterID: clusterID,
		ParameterGroup: f.get("DBParameterGroupName")}
	return s.addInstance(in, func(d *rdsData) *rdsError {
		cl, ok := d.Clusters[clusterID]
		switch {
		case !ok:
			return rdsNotFound(codeClusterNotFound, "DBCluster %s not found.", clusterID)
		case cl.Status == statusDeleting:
			return rdsFault(codeClusterState, "DB cluster %s is being deleted.", clusterID)
		case cl.Engine != engine:
			return rdsFault(codeInvalidCombination, "The engine %s of DB instance %s is not the engine %s of its DB cluster %s.", engine, in.ID, cl.Engine, clusterID)
		}
		in.EngineVersion, in.Encrypted, in.KMSKeyID, in.SubnetGroup = cl.EngineVersion, cl.Encrypted, cl.KMSKeyID, cl.SubnetGroup
		in.SecurityGroups, in.Port, in.MasterUsername, in.BackupRetention = slices.Clone(cl.SecurityGroups), cl.Port, cl.MasterUsername, cl.BackupRetention
		in.ParameterGroup = orDefault(in.ParameterGroup, "default."+family(cl.Engine, cl.EngineVersion))
		return nil
	})
}

func (s *rdsService) xmlCluster(d *rdsData, cl *rdsCluster) xmlCluster {
	x := xmlCluster{AllocatedStorage: 1, AvailabilityZones: []string{s.region + "a", s.region + "b", s.region + "c"},
		BackupRetentionPeriod: cl.BackupRetention, DatabaseName: cl.DatabaseName, DBClusterIdentifier: cl.ID,
		DBClusterParameterGroup: cl.ParameterGroup, DBSubnetGroup: cl.SubnetGroup, Status: cl.Status, Engine: cl.Engine,
		EngineVersion: cl.EngineVersion, EngineMode: "provisioned", Port: cl.Port, MasterUsername: cl.MasterUsername,
		HostedZoneID: "Z2R2ITUGPM61AM", StorageEncrypted: cl.Encrypted, KmsKeyID: cl.KMSKeyID, DbClusterResourceID: cl.ResourceID,
		DBClusterArn: s.arn("cluster", cl.ID), IAMDatabaseAuthenticationEnabled: cl.IAMAuth, ClusterCreateTime: xmlTimestamp(cl.Created),
		DeletionProtection: cl.DeletionProtection, TagList: xmlTags(cl.Tags)}
	if cl.Status != statusCreating {
		x.Endpoint = fmt.Sprintf("%s.cluster-%s.%s.rds.amazonaws.com", cl.ID, s.endpointID(), s.region)
		x.ReaderEndpoint = fmt.Sprintf("%s.cluster-ro-%s.%s.rds.amazonaws.com", cl.ID, s.endpointID(), s.region)
	}
	if cl.MaxACU > 0 {
		x.ServerlessV2ScalingConfiguration = &xmlServerlessV2{MinCapacity: cl.MinACU, MaxCapacity: cl.MaxACU}
	}
	for _, sg := range cl.SecurityGroups {
		x.VpcSecurityGroups = append(x.VpcSecurityGroups, xmlSGMembership{VpcSecurityGroupID: sg, Status: "active"})
	}
	for i, in := range d.members(cl.ID) {
		x.DBClusterMembers = append(x.DBClusterMembers, xmlClusterMember{DBInstanceIdentifier: in.ID, IsClusterWriter: i == 0,
			DBClusterParameterGroupStatus: "in-sync", PromotionTier: in.PromotionTier})
	}
	x.MultiAZ = len(x.DBClusterMembers) > 1
	return x
}

// clusterResourceID is a DbClusterResourceId: cluster- and 26 letters and
// digits.
func (s *rdsService) clusterResourceID(id string, now time.Time) string {
	h := sha256.Sum256([]byte(s.account + "/cluster/" + id + "/" + now.String()))
	return "cluster-" + base32.StdEncoding.EncodeToString(h[:])[:26]
}

// float is a numeric parameter, 0 when absent or malformed.
func (f rdsForm) float(k string) float64 {
	n, err := strconv.ParseFloat(f.get(k), 64)
	if err != nil {
		return 0
	}
	return n
}
