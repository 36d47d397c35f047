package main

import (
	"slices"
	"strings"
	"time"
)

// rdsCluster is one Aurora DB cluster: the data and its settings live
// here; its member instances are rdsInstances naming it (ClusterID). The
// master password is never kept.
type rdsCluster struct {
	ID                 string   `json:"id"`
	Engine             string   `json:"engine"`
	EngineVersion      string   `json:"engineVersion"`
	Port               int32    `json:"port"`
	Encrypted          bool     `json:"encrypted"`
	KMSKeyID           string   `json:"kmsKeyId,omitempty"` // a key ARN
	SubnetGroup        string   `json:"subnetGroup,omitempty"`
	ParameterGroup     string   `json:"parameterGroup"` // a DB cluster parameter group
	SecurityGroups     []string `json:"securityGroups,omitempty"`
	MasterUsername     string   `json:"masterUsername,omitempty"`
	DatabaseName       string   `json:"databaseName,omitempty"`
	DeletionProtection bool     `json:"deletionProtection,omitempty"`
	IAMAuth            bool     `json:"iamAuth,omitempty"`
	MinACU             float64  `json:"minACU,omitempty"` // Serverless v2 capacity, 0 when none
	MaxACU             float64  `json:"maxACU,omitempty"`
	BackupRetention    int32    `json:"backupRetention"`
	Tags               []rdsTag `json:"tags,omitempty"`
	ResourceID         string   `json:"resourceId"`
	rdsLife
}

// rdsClusterSnapshot is one manual DB cluster snapshot; like rdsSnapshot,
// a copy carries everything it was copied with.
type rdsClusterSnapshot struct {
	ID             string    `json:"id"`
	Arn            string    `json:"arn"`
	ClusterID      string    `json:"clusterId"`
	Engine         string    `json:"engine"`
	EngineVersion  string    `json:"engineVersion"`
	Port           int32     `json:"port"`
	Encrypted      bool      `json:"encrypted"`
	KMSKeyID       string    `json:"kmsKeyId,omitempty"`
	MasterUsername string    `json:"masterUsername,omitempty"`
	DatabaseName   string    `json:"databaseName,omitempty"`
	IAMAuth        bool      `json:"iamAuth,omitempty"`
	ResourceID     string    `json:"resourceId"`
	ClusterCreated time.Time `json:"clusterCreated"`
	SourceArn      string    `json:"sourceArn,omitempty"`
	Tags           []rdsTag  `json:"tags,omitempty"`
	SharedWith     []string  `json:"sharedWith,omitempty"` // the restore attribute
	rdsLife
}

// members are a cluster's member instances, the oldest (the writer: AWS
// makes the first instance created in a cluster its writer) first.
func (d *rdsData) members(cluster string) []*rdsInstance {
	var out []*rdsInstance
	for _, in := range d.Instances {
		if in.ClusterID == cluster {
			out = append(out, in)
		}
	}
	slices.SortFunc(out, func(a, b *rdsInstance) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// sharedWith reports whether the restore attribute lets account restore s.
func (s *rdsClusterSnapshot) sharedWith(account string) bool { return restores(s.SharedWith, account) }
