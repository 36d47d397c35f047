package main

// The fault codes of DB clusters and their snapshots (the SDK's
// types/errors.go).
const (
	codeClusterNotFound              = "DBClusterNotFoundFault"
	codeClusterExists                = "DBClusterAlreadyExistsFault"
	codeClusterState                 = "InvalidDBClusterStateFault"
	codeClusterSnapshotNotFound      = "DBClusterSnapshotNotFoundFault"
	codeClusterSnapshotExists        = "DBClusterSnapshotAlreadyExistsFault"
	codeClusterSnapshotState         = "InvalidDBClusterSnapshotStateFault"
	codeClusterParameterGroupMissing = "DBClusterParameterGroupNotFound"
)

// XML shapes of the cluster answers, reduced to the fields ferry and
// people read, named as the RDS API reference names them.

type xmlClusterMember struct {
	DBInstanceIdentifier          string `xml:"DBInstanceIdentifier"`
	IsClusterWriter               bool   `xml:"IsClusterWriter"`
	DBClusterParameterGroupStatus string `xml:"DBClusterParameterGroupStatus"`
	PromotionTier                 int32  `xml:"PromotionTier"`
}

type xmlServerlessV2 struct {
	MinCapacity float64 `xml:"MinCapacity"`
	MaxCapacity float64 `xml:"MaxCapacity"`
}

type xmlCluster struct {
	AllocatedStorage                 int32              `xml:"AllocatedStorage"`
	AvailabilityZones                []string           `xml:"AvailabilityZones>AvailabilityZone"`
	BackupRetentionPeriod            int32              `xml:"BackupRetentionPeriod"`
	DatabaseName                     string             `xml:"DatabaseName,omitempty"`
	DBClusterIdentifier              string             `xml:"DBClusterIdentifier"`
	DBClusterParameterGroup          string             `xml:"DBClusterParameterGroup"`
	DBSubnetGroup                    string             `xml:"DBSubnetGroup,omitempty"`
	Status                           string             `xml:"Status"`
	Endpoint                         string             `xml:"Endpoint,omitempty"`
	ReaderEndpoint                   string             `xml:"ReaderEndpoint,omitempty"`
	MultiAZ                          bool               `xml:"MultiAZ"`
	Engine                           string             `xml:"Engine"`
	EngineVersion                    string             `xml:"EngineVersion"`
	EngineMode                       string             `xml:"EngineMode"`
	Port                             int32              `xml:"Port"`
	MasterUsername                   string             `xml:"MasterUsername,omitempty"`
	DBClusterMembers                 []xmlClusterMember `xml:"DBClusterMembers>DBClusterMember"`
	VpcSecurityGroups                []xmlSGMembership  `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	HostedZoneID                     string             `xml:"HostedZoneId"`
	StorageEncrypted                 bool               `xml:"StorageEncrypted"`
	KmsKeyID                         string             `xml:"KmsKeyId,omitempty"`
	DbClusterResourceID              string             `xml:"DbClusterResourceId"`
	DBClusterArn                     string             `xml:"DBClusterArn"`
	IAMDatabaseAuthenticationEnabled bool               `xml:"IAMDatabaseAuthenticationEnabled"`
	ClusterCreateTime                string             `xml:"ClusterCreateTime,omitempty"`
	DeletionProtection               bool               `xml:"DeletionProtection"`
	ServerlessV2ScalingConfiguration *xmlServerlessV2   `xml:"ServerlessV2ScalingConfiguration,omitempty"`
	TagList                          []xmlTag           `xml:"TagList>Tag"`
}

type xmlClusterSnapshot struct {
	AvailabilityZones                []string `xml:"AvailabilityZones>AvailabilityZone"`
	DBClusterSnapshotIdentifier      string   `xml:"DBClusterSnapshotIdentifier"`
	DBClusterIdentifier              string   `xml:"DBClusterIdentifier"`
	SnapshotCreateTime               string   `xml:"SnapshotCreateTime,omitempty"`
	Engine                           string   `xml:"Engine"`
	EngineMode                       string   `xml:"EngineMode"`
	AllocatedStorage                 int32    `xml:"AllocatedStorage"`
	Status                           string   `xml:"Status"`
	Port                             int32    `xml:"Port"`
	VpcID                            string   `xml:"VpcId,omitempty"`
	ClusterCreateTime                string   `xml:"ClusterCreateTime,omitempty"`
	MasterUsername                   string   `xml:"MasterUsername,omitempty"`
	EngineVersion                    string   `xml:"EngineVersion"`
	SnapshotType                     string   `xml:"SnapshotType"`
	PercentProgress                  int32    `xml:"PercentProgress"`
	StorageEncrypted                 bool     `xml:"StorageEncrypted"`
	KmsKeyID                         string   `xml:"KmsKeyId,omitempty"`
	DBClusterSnapshotArn             string   `xml:"DBClusterSnapshotArn"`
	SourceDBClusterSnapshotArn       string   `xml:"SourceDBClusterSnapshotArn,omitempty"`
	IAMDatabaseAuthenticationEnabled bool     `xml:"IAMDatabaseAuthenticationEnabled"`
	DbClusterResourceID              string   `xml:"DbClusterResourceId,omitempty"`
	TagList                          []xmlTag `xml:"TagList>Tag"`
}

type xmlClusterSnapshotAttributes struct {
	DBClusterSnapshotIdentifier string                   `xml:"DBClusterSnapshotIdentifier"`
	Attributes                  []xmlClusterSnapshotAttr `xml:"DBClusterSnapshotAttributes>DBClusterSnapshotAttribute"`
}

type xmlClusterSnapshotAttr struct {
	AttributeName   string   `xml:"AttributeName"`
	AttributeValues []string `xml:"AttributeValues>AttributeValue"`
}

type xmlClusterParameterGroup struct {
	DBClusterParameterGroupName string `xml:"DBClusterParameterGroupName"`
	DBParameterGroupFamily      string `xml:"DBParameterGroupFamily"`
	Description                 string `xml:"Description"`
	DBClusterParameterGroupArn  string `xml:"DBClusterParameterGroupArn"`
}
