package main

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

type instanceResult struct {
	DBInstance xmlInstance `xml:"DBInstance"`
}

// createInstance is CreateDBInstance. The master password is accepted and
// dropped: nothing could use it. With DBClusterIdentifier it creates a
// member of an Aurora cluster (createMember).
func (s *rdsService) createInstance(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBInstanceIdentifier", "DBInstanceClass", "Engine"); e != nil {
		return nil, e
	}
	if f.get("DBClusterIdentifier") != "" {
		return s.createMember(c)
	}
	engine := f.get("Engine")
	in := &rdsInstance{
		ID: f.get("DBInstanceIdentifier"), Class: f.get("DBInstanceClass"), Engine: engine,
		EngineVersion: orDefault(f.get("EngineVersion"), defaultEngineVersion(engine)),
		Storage:       f.int32("AllocatedStorage", 20), StorageType: orDefault(f.get("StorageType"), "gp2"),
		Encrypted: f.bool("StorageEncrypted"), SubnetGroup: f.get("DBSubnetGroupName"),
		SecurityGroups: f.list("VpcSecurityGroupIds.VpcSecurityGroupId"),
		MasterUsername: f.get("MasterUsername"), DBName: f.get("DBName"),
		Port: f.int32("Port", defaultPort(engine)), MultiAZ: f.bool("MultiAZ"), Public: f.bool("PubliclyAccessible"),
		DeletionProtection: f.bool("DeletionProtection"), BackupRetention: f.int32("BackupRetentionPeriod", 1), Tags: f.tags(),
	}
	in.ParameterGroup = orDefault(f.get("DBParameterGroupName"), "default."+family(engine, in.EngineVersion))
	key, e := s.storageKey(c, in.Encrypted, f.get("KmsKeyId"))
	if e != nil {
		return nil, e
	}
	in.KMSKeyID = key
	return s.addInstance(in, nil)
}

// addInstance stores a new instance, creating, once its groups check out;
// join, when not nil, first fills in what a member takes from its cluster.
func (s *rdsService) addInstance(in *rdsInstance, join func(d *rdsData) *rdsError) (any, *rdsError) {
	var out instanceResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		if _, ok := d.Instances[in.ID]; ok {
			return false, rdsFault(codeInstanceExists, "DB instance already exists")
		}
		if join != nil {
			if e := join(d); e != nil {
				return false, e
			}
		}
		if e := d.checkGroups(in.SubnetGroup, in.ParameterGroup); e != nil {
			return false, e
		}
		in.ResourceID = s.resourceID(in.ID, now)
		in.Created, in.Status, in.Until = now, statusCreating, now.Add(s.delays.create)
		d.Instances[in.ID] = in
		out.DBInstance = s.xmlInstance(d, in)
		return true, nil
	})
	return out, e
}

// checkGroups refuses groups the account does not have; default.* parameter
// groups exist in every account.
func (d *rdsData) checkGroups(subnetGroup, parameterGroup string) *rdsError {
	if _, ok := d.SubnetGroups[subnetGroup]; subnetGroup != "" && !ok {
		return rdsNotFound(codeSubnetGroupNotFound, "DBSubnetGroupName %s doesn't refer to an existing DB subnet group", subnetGroup)
	}
	if _, ok := d.ParameterGroups[parameterGroup]; !ok && !strings.HasPrefix(parameterGroup, "default.") {
		return rdsNotFound(codeParameterGroupMissing, "DBParameterGroup not found: %s", parameterGroup)
	}
	return nil
}

// describeInstances is DescribeDBInstances, with the db-instance-id and
// db-cluster-id filters.
func (s *rdsService) describeInstances(c *rdsCall) (any, *rdsError) {
	var out struct {
		DBInstances []xmlInstance `xml:"DBInstances>DBInstance"`
	}
	id := c.form.get("DBInstanceIdentifier")
	ids, clusters := c.form.filters()["db-instance-id"], c.form.filters()["db-cluster-id"]
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		if id != "" {
			in, ok := d.Instances[id]
			if !ok {
				return false, rdsNotFound(codeInstanceNotFound, "DBInstance %s not found.", id)
			}
			out.DBInstances = append(out.DBInstances, s.xmlInstance(d, in))
			return false, nil
		}
		for _, k := range slices.Sorted(maps.Keys(d.Instances)) {
			in := d.Instances[k]
			inCluster := len(clusters) == 0 || slices.Contains(clusters, in.ClusterID) || slices.Contains(clusters, s.arn("cluster", in.ClusterID))
			if inCluster && (len(ids) == 0 || slices.Contains(ids, k) || slices.Contains(ids, s.arn("db", k))) {
				out.DBInstances = append(out.DBInstances, s.xmlInstance(d, in))
			}
		}
		return false, nil
	})
	return out, e
}

// deleteInstance is DeleteDBInstance: deleting for a while, then gone. A
// cluster member takes no final snapshot: its data is the cluster's.
func (s *rdsService) deleteInstance(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBInstanceIdentifier"); e != nil {
		return nil, e
	}
	id, skip, final := f.get("DBInstanceIdentifier"), f.bool("SkipFinalSnapshot"), f.get("FinalDBSnapshotIdentifier")
	var out instanceResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		in, ok := d.Instances[id]
		switch {
		case !ok:
			return false, rdsNotFound(codeInstanceNotFound, "DBInstance %s not found.", id)
		case in.ClusterID != "" && final != "":
			return false, rdsFault(codeInvalidCombination, "FinalDBSnapshotIdentifier can't be specified when deleting a member of DB cluster %s; snapshot the cluster instead", in.ClusterID)
		case in.ClusterID == "" && skip == (final != ""):
			return false, rdsFault(codeInvalidCombination, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified, and not allowed with it")
		case in.Status == statusDeleting:
			return false, rdsFault(codeInstanceState, "Instance %s is already being deleted.", id)
		case in.DeletionProtection:
			return false, rdsFault(codeInvalidCombination, "Cannot delete protected DB Instance, please disable deletion protection and try again.")
		}
		if final != "" {
			if _, ok := d.Snapshots[final]; ok {
				return false, rdsFault(codeSnapshotExists, "Cannot create the snapshot because a snapshot with the identifier %s already exists.", final)
			}
			d.Snapshots[final] = s.snapshotOf(in, final, now)
		}
		in.Status, in.Until = statusDeleting, now.Add(s.delays.delete)
		out.DBInstance = s.xmlInstance(d, in)
		return true, nil
	})
	return out, e
}

// restoreInstance is RestoreDBInstanceFromDBSnapshot from one of the
// account's own snapshots: the instance takes the snapshot's engine,
// storage and KMS key, and the groups and class the call names.
func (s *rdsService) restoreInstance(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBInstanceIdentifier", "DBSnapshotIdentifier"); e != nil {
		return nil, e
	}
	var sn rdsSnapshot
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownSnapshot(d, f.get("DBSnapshotIdentifier"))
		if e == nil && got.Status != statusAvailable {
			e = rdsFault(codeSnapshotState, "Snapshot %s is not available (it is %s).", got.ID, got.Status)
		}
		if e == nil {
			sn = *got
		}
		return false, e
	})
	if e != nil {
		return nil, e
	}
	in := &rdsInstance{
		ID: f.get("DBInstanceIdentifier"), Class: orDefault(f.get("DBInstanceClass"), sn.InstanceClass),
		Engine: sn.Engine, EngineVersion: sn.EngineVersion, Storage: sn.Storage,
		StorageType: orDefault(f.get("StorageType"), sn.StorageType), Encrypted: sn.Encrypted, KMSKeyID: sn.KMSKeyID,
		SubnetGroup: f.get("DBSubnetGroupName"), SecurityGroups: f.list("VpcSecurityGroupIds.VpcSecurityGroupId"),
		ParameterGroup: orDefault(f.get("DBParameterGroupName"), "default."+family(sn.Engine, sn.EngineVersion)),
		MasterUsername: sn.MasterUsername, DBName: sn.DBName, Port: f.int32("Port", sn.Port),
		MultiAZ: f.bool("MultiAZ"), Public: f.bool("PubliclyAccessible"), DeletionProtection: f.bool("DeletionProtection"),
		BackupRetention: 1, Tags: f.tags(),
	}
	return s.addInstance(in, nil)
}

func (s *rdsService) xmlInstance(d *rdsData, in *rdsInstance) xmlInstance {
	x := xmlInstance{
		DBInstanceIdentifier: in.ID, DBInstanceClass: in.Class, Engine: in.Engine, EngineVersion: in.EngineVersion,
		DBInstanceStatus: in.Status, MasterUsername: in.MasterUsername, DBName: in.DBName,
		AllocatedStorage: in.Storage, InstanceCreateTime: xmlTimestamp(in.Created), BackupRetentionPeriod: in.BackupRetention,
		DBParameterGroups: []xmlParameterGroupStatus{{DBParameterGroupName: in.ParameterGroup, ParameterApplyStatus: "in-sync"}},
		AvailabilityZone:  s.region + "a", MultiAZ: in.MultiAZ, PubliclyAccessible: in.Public,
		StorageType: in.StorageType, StorageEncrypted: in.Encrypted, KmsKeyID: in.KMSKeyID, DbiResourceID: in.ResourceID,
		DBInstanceArn: s.arn("db", in.ID), DeletionProtection: in.DeletionProtection, TagList: xmlTags(in.Tags),
		DBClusterIdentifier: in.ClusterID,
	}
	if in.ClusterID != "" {
		x.PromotionTier = &in.PromotionTier
	}
	if in.Status != statusCreating {
		x.Endpoint = &xmlEndpoint{Address: fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", in.ID, s.endpointID(), s.region),
			Port: in.Port, HostedZoneID: "Z2R2ITUGPM61AM"}
	}
	for _, sg := range in.SecurityGroups {
		x.VpcSecurityGroups = append(x.VpcSecurityGroups, xmlSGMembership{VpcSecurityGroupID: sg, Status: "active"})
	}
	if g, ok := d.SubnetGroups[in.SubnetGroup]; ok {
		sg := s.xmlSubnetGroup(g)
		x.DBSubnetGroup = &sg
	}
	return x
}

// endpointID is the account's part of endpoint host names: stable, and
// not the account id.
func (s *rdsService) endpointID() string {
	h := sha256.Sum256([]byte("endpoint/" + s.account + "/" + s.region))
	return fmt.Sprintf("c%x", h[:5])
}

// resourceID is a DbiResourceId: db- and 26 letters and digits.
func (s *rdsService) resourceID(id string, now time.Time) string {
	h := sha256.Sum256([]byte(s.account + "/" + id + "/" + now.String()))
	return "db-" + base32.StdEncoding.EncodeToString(h[:])[:26]
}

func required(f rdsForm, names ...string) *rdsError {
	for _, n := range names {
		if f.get(n) == "" {
			return rdsFault(codeMissingParameter, "The request must contain the parameter %s", n)
		}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func defaultEngineVersion(engine string) string {
	switch engine {
	case "postgres":
		return "16.3"
	case "mysql":
		return "8.0.39"
	case "aurora-postgresql":
		return "16.4"
	case "aurora-mysql":
		return "8.0.mysql_aurora.3.08.0"
	}
	return "1.0"
}

func defaultPort(engine string) int32 {
	if strings.Contains(engine, "postgres") {
		return 5432
	}
	return 3306
}

// family is a parameter group family: postgres15, mysql8.0.
func family(engine, version string) string {
	parts := strings.Split(version, ".")
	if strings.Contains(engine, "postgres") || len(parts) < 2 {
		return engine + parts[0]
	}
	return engine + parts[0] + "." + parts[1]
}
