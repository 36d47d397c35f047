package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// rdsStateFile holds the RDS front's state inside --data, next to kumo's.
const rdsStateFile = "ferry-rds.json"

// The states the front moves resources through. A resource that AWS takes
// time over (creating, copying, restoring, deleting) takes a few seconds
// here too, so that a client's progress while waiting is observable.
const (
	statusAvailable = "available"
	statusCreating  = "creating"
	statusDeleting  = "deleting"
)

type rdsTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// rdsInstance is one DB instance. The master password is never kept.
type rdsInstance struct {
	ID                 string   `json:"id"`
	Class              string   `json:"class"`
	Engine             string   `json:"engine"`
	EngineVersion      string   `json:"engineVersion"`
	Storage            int32    `json:"storage"`
	StorageType        string   `json:"storageType"`
	Encrypted          bool     `json:"encrypted"`
	KMSKeyID           string   `json:"kmsKeyId,omitempty"` // a key ARN
	SubnetGroup        string   `json:"subnetGroup,omitempty"`
	ParameterGroup     string   `json:"parameterGroup"`
	SecurityGroups     []string `json:"securityGroups,omitempty"`
	MasterUsername     string   `json:"masterUsername,omitempty"`
	DBName             string   `json:"dbName,omitempty"`
	Port               int32    `json:"port"`
	MultiAZ            bool     `json:"multiAZ,omitempty"`
	Public             bool     `json:"public,omitempty"`
	DeletionProtection bool     `json:"deletionProtection,omitempty"`
	BackupRetention    int32    `json:"backupRetention"`
	Tags               []rdsTag `json:"tags,omitempty"`
	ResourceID         string   `json:"resourceId"`
	rdsLife
	// ClusterID names the Aurora cluster the instance is a member of, whose
	// storage, key, subnet group and security groups it has.
	ClusterID     string `json:"clusterId,omitempty"`
	PromotionTier int32  `json:"promotionTier,omitempty"`
}

// rdsSnapshot is one manual DB snapshot; a copy of a shared one carries
// everything it was copied with, so the account owns its copy outright.
type rdsSnapshot struct {
	ID              string    `json:"id"`
	Arn             string    `json:"arn"`
	InstanceID      string    `json:"instanceId"`
	InstanceClass   string    `json:"instanceClass"` // restores default to it, as in AWS
	Engine          string    `json:"engine"`
	EngineVersion   string    `json:"engineVersion"`
	Storage         int32     `json:"storage"`
	StorageType     string    `json:"storageType"`
	Port            int32     `json:"port"`
	Encrypted       bool      `json:"encrypted"`
	KMSKeyID        string    `json:"kmsKeyId,omitempty"`
	MasterUsername  string    `json:"masterUsername,omitempty"`
	DBName          string    `json:"dbName,omitempty"`
	ResourceID      string    `json:"resourceId"`
	InstanceCreated time.Time `json:"instanceCreated"`
	SourceArn       string    `json:"sourceArn,omitempty"`
	Original        time.Time `json:"original"` // when the data was first snapshotted
	Tags            []rdsTag  `json:"tags,omitempty"`
	SharedWith      []string  `json:"sharedWith,omitempty"` // the restore attribute
	rdsLife
}

type rdsSubnetGroup struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Subnets     []string `json:"subnets"`
	Tags        []rdsTag `json:"tags,omitempty"`
}

type rdsParameterGroup struct {
	Name        string   `json:"name"`
	Family      string   `json:"family"`
	Description string   `json:"description"`
	Tags        []rdsTag `json:"tags,omitempty"`
}

// rdsData is everything the front keeps, as saved.
type rdsData struct {
	Instances              map[string]*rdsInstance        `json:"instances"`
	Snapshots              map[string]*rdsSnapshot        `json:"snapshots"`
	SubnetGroups           map[string]*rdsSubnetGroup     `json:"subnetGroups"`
	ParameterGroups        map[string]*rdsParameterGroup  `json:"parameterGroups"`
	Clusters               map[string]*rdsCluster         `json:"clusters"`
	ClusterSnapshots       map[string]*rdsClusterSnapshot `json:"clusterSnapshots"`
	ClusterParameterGroups map[string]*rdsParameterGroup  `json:"clusterParameterGroups"`
}

func newRDSData() rdsData {
	return rdsData{Instances: map[string]*rdsInstance{}, Snapshots: map[string]*rdsSnapshot{},
		SubnetGroups: map[string]*rdsSubnetGroup{}, ParameterGroups: map[string]*rdsParameterGroup{},
		Clusters: map[string]*rdsCluster{}, ClusterSnapshots: map[string]*rdsClusterSnapshot{},
		ClusterParameterGroups: map[string]*rdsParameterGroup{}}
}

// loadRDSData reads the saved state; a missing file is an empty account.
func loadRDSData(path string) (rdsData, error) {
	d := newRDSData()
	if path == "" {
		return d, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return newRDSData(), fmt.Errorf("%s is not the RDS front's state (%w); remove it to start the account's RDS afresh", path, err)
	}
	fresh := newRDSData() // a file from an older front may lack a kind
	d.Instances, d.Snapshots = orNew(d.Instances, fresh.Instances), orNew(d.Snapshots, fresh.Snapshots)
	d.SubnetGroups, d.ParameterGroups = orNew(d.SubnetGroups, fresh.SubnetGroups), orNew(d.ParameterGroups, fresh.ParameterGroups)
	d.Clusters, d.ClusterSnapshots = orNew(d.Clusters, fresh.Clusters), orNew(d.ClusterSnapshots, fresh.ClusterSnapshots)
	d.ClusterParameterGroups = orNew(d.ClusterParameterGroups, fresh.ClusterParameterGroups)
	return d, nil
}

func orNew[V any](m, fresh map[string]V) map[string]V {
	if m == nil {
		return fresh
	}
	return m
}

// save writes the state atomically (a crash leaves the old file or the new
// one, never half of one).
func (d *rdsData) save(path string) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ferry-rds-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// rdsLife is where a resource is in its life: created when, its status,
// and until when AWS works on it (creating, copying, deleting). Snapshots
// are deleted at once and so never settle into gone.
type rdsLife struct {
	Created time.Time `json:"created"`
	Status  string    `json:"status"`
	Until   time.Time `json:"until"`
}

func (l *rdsLife) life() *rdsLife { return l }

// settle moves every resource whose wait is over to its next state:
// creating becomes available, deleting becomes gone.
func (d *rdsData) settle(now time.Time) {
	settle(d.Instances, now)
	settle(d.Snapshots, now)
	settle(d.Clusters, now)
	settle(d.ClusterSnapshots, now)
}

// settle moves each resource of m whose wait is over to its next state.
func settle[T interface{ life() *rdsLife }](m map[string]T, now time.Time) {
	for id, r := range m {
		l := r.life()
		if now.Before(l.Until) {
			continue
		}
		switch l.Status {
		case statusCreating:
			l.Status = statusAvailable
		case statusDeleting:
			delete(m, id)
		}
	}
}

// progress is how far along a creation or copy is, in percent.
func (l *rdsLife) progress(now time.Time) int32 {
	if l.Status != statusCreating {
		return 100
	}
	total, done := l.Until.Sub(l.Created), now.Sub(l.Created)
	if total <= 0 {
		return 100
	}
	return int32(min(99, 100*done/total))
}

// sharedWith reports whether the restore attribute lets account restore s.
func (s *rdsSnapshot) sharedWith(account string) bool { return restores(s.SharedWith, account) }

// restores reports whether a restore attribute lets account restore.
func restores(shared []string, account string) bool {
	return slices.Contains(shared, account) || slices.Contains(shared, "all")
}
