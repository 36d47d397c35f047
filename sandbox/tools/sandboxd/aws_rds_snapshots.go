package main

import (
	"maps"
	"slices"
	"strings"
	"time"
)

type snapshotResult struct {
	DBSnapshot xmlSnapshot `xml:"DBSnapshot"`
}

// createSnapshot is CreateDBSnapshot of an available instance.
func (s *rdsService) createSnapshot(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBSnapshotIdentifier", "DBInstanceIdentifier"); e != nil {
		return nil, e
	}
	id, inst := f.get("DBSnapshotIdentifier"), f.get("DBInstanceIdentifier")
	var out snapshotResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		in, ok := d.Instances[inst]
		switch {
		case !ok:
			return false, rdsNotFound(codeInstanceNotFound, "DBInstance %s not found.", inst)
		case in.ClusterID != "":
			return false, rdsFault(codeInvalidParameter, "DB instance %s is a member of DB cluster %s, whose data is the cluster's: create a DB cluster snapshot (CreateDBClusterSnapshot) instead.", inst, in.ClusterID)
		case in.Status != statusAvailable:
			return false, rdsFault(codeInstanceState, "Cannot create a snapshot because the database instance %s is not currently in the available state (it is %s).", inst, in.Status)
		}
		if _, ok := d.Snapshots[id]; ok {
			return false, rdsFault(codeSnapshotExists, "Cannot create the snapshot because a snapshot with the identifier %s already exists.", id)
		}
		sn := s.snapshotOf(in, id, now)
		sn.Tags = f.tags()
		d.Snapshots[id] = sn
		out.DBSnapshot = s.xmlSnapshot(sn, now, false)
		return true, nil
	})
	return out, e
}

// snapshotOf is a new manual snapshot of in, creating.
func (s *rdsService) snapshotOf(in *rdsInstance, id string, now time.Time) *rdsSnapshot {
	return &rdsSnapshot{ID: id, Arn: s.arn("snapshot", id), InstanceID: in.ID, InstanceClass: in.Class,
		Engine: in.Engine, EngineVersion: in.EngineVersion, Storage: in.Storage, StorageType: in.StorageType,
		Port: in.Port, Encrypted: in.Encrypted, KMSKeyID: in.KMSKeyID, MasterUsername: in.MasterUsername,
		DBName: in.DBName, ResourceID: in.ResourceID, InstanceCreated: in.Created, Original: now,
		rdsLife: rdsLife{Created: now, Status: statusCreating, Until: now.Add(s.delays.snapshot)}}
}

// ownSnapshot finds one of the account's snapshots by identifier or ARN.
func (s *rdsService) ownSnapshot(d *rdsData, ref string) (*rdsSnapshot, *rdsError) {
	id := ref
	if acct, name, ok := parseSnapshotARN(ref); ok && acct == s.account {
		id = name
	}
	sn, ok := d.Snapshots[id]
	if !ok {
		return nil, rdsNotFound(codeSnapshotNotFound, "DBSnapshot %s not found.", ref)
	}
	return sn, nil
}

// parseSnapshotARN splits arn:aws:rds:REGION:ACCOUNT:snapshot:ID.
func parseSnapshotARN(ref string) (account, id string, ok bool) {
	return parseRDSARN(ref, "snapshot")
}

// describeSnapshots is DescribeDBSnapshots: the account's manual
// snapshots, and with IncludeShared or SnapshotType shared those other
// accounts share with it (named by ARN, as AWS names them).
func (s *rdsService) describeSnapshots(c *rdsCall) (any, *rdsError) {
	f := c.form
	flt := f.filters()
	ids := slices.Clone(flt["db-snapshot-id"])
	if id := f.get("DBSnapshotIdentifier"); id != "" {
		ids = append(ids, id)
	}
	insts := flt["db-instance-id"]
	if id := f.get("DBInstanceIdentifier"); id != "" {
		insts = append(insts, id)
	}
	typ := f.get("SnapshotType")
	if types := flt["snapshot-type"]; typ == "" && len(types) == 1 {
		typ = types[0]
	}
	own, shared := typ == "" || typ == "manual", typ == "shared" || (typ == "" && f.bool("IncludeShared"))
	keep := func(sn *rdsSnapshot, name string) bool {
		return (len(ids) == 0 || slices.Contains(ids, name) || slices.Contains(ids, sn.Arn)) &&
			(len(insts) == 0 || slices.Contains(insts, sn.InstanceID))
	}
	var out struct {
		Snapshots []xmlSnapshot `xml:"DBSnapshots>DBSnapshot"`
	}
	if own {
		_ = s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
			for _, k := range slices.Sorted(maps.Keys(d.Snapshots)) {
				if sn := d.Snapshots[k]; keep(sn, sn.ID) {
					out.Snapshots = append(out.Snapshots, s.xmlSnapshot(sn, now, false))
				}
			}
			return false, nil
		})
	}
	if shared {
		for _, acct := range slices.Sorted(maps.Keys(s.peers)) {
			list, e := s.sharedFrom(c, acct)
			if e != nil {
				return nil, e
			}
			for i := range list {
				if keep(&list[i], list[i].Arn) {
					out.Snapshots = append(out.Snapshots, s.xmlSnapshot(&list[i], s.now(), true))
				}
			}
		}
	}
	if len(ids) > 0 && len(out.Snapshots) == 0 {
		return nil, rdsNotFound(codeSnapshotNotFound, "DBSnapshot %s not found.", strings.Join(ids, ", "))
	}
	return out, nil
}

// deleteSnapshot is DeleteDBSnapshot; deleting a copy in progress stops it.
func (s *rdsService) deleteSnapshot(c *rdsCall) (any, *rdsError) {
	if e := required(c.form, "DBSnapshotIdentifier"); e != nil {
		return nil, e
	}
	var out snapshotResult
	e := s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		sn, e := s.ownSnapshot(d, c.form.get("DBSnapshotIdentifier"))
		if e != nil {
			return false, e
		}
		delete(d.Snapshots, sn.ID)
		sn.Status = "deleted"
		out.DBSnapshot = s.xmlSnapshot(sn, now, false)
		return true, nil
	})
	return out, e
}

func (s *rdsService) xmlSnapshot(sn *rdsSnapshot, now time.Time, shared bool) xmlSnapshot {
	x := xmlSnapshot{
		DBSnapshotIdentifier: sn.ID, DBInstanceIdentifier: sn.InstanceID, SnapshotCreateTime: xmlTimestamp(sn.Created),
		Engine: sn.Engine, AllocatedStorage: sn.Storage, Status: sn.Status, Port: sn.Port,
		AvailabilityZone: s.region + "a", InstanceCreateTime: xmlTimestamp(sn.InstanceCreated),
		MasterUsername: sn.MasterUsername, EngineVersion: sn.EngineVersion, SnapshotType: "manual",
		PercentProgress: sn.progress(now), SourceDBSnapshotIdentifier: sn.SourceArn, StorageType: sn.StorageType,
		Encrypted: sn.Encrypted, KmsKeyID: sn.KMSKeyID, DBSnapshotArn: sn.Arn, DbiResourceID: sn.ResourceID,
		TagList: xmlTags(sn.Tags), OriginalSnapshotCreateTime: xmlTimestamp(sn.Original),
	}
	if sn.SourceArn != "" {
		x.SourceRegion = s.region
	}
	if shared {
		x.DBSnapshotIdentifier, x.SnapshotType, x.TagList = sn.Arn, "shared", nil
	}
	return x
}
