package main

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The RDS front speaks RDS's query protocol: form-encoded requests whose
// lists are numbered from 1 under the member's name
// (VpcSecurityGroupIds.VpcSecurityGroupId.1, Tags.Tag.1.Key), and XML
// answers <ActionResponse><ActionResult>...</ActionResult>
// <ResponseMetadata/></ActionResponse>, as the RDS API reference describes.

// rdsXMLNS is the namespace of RDS's answers.
const rdsXMLNS = "http://rds.amazonaws.com/doc/2014-10-31/"

// rdsTime is how RDS writes timestamps.
const rdsTime = "2006-01-02T15:04:05.000Z"

// rdsForm is one request's parameters.
type rdsForm url.Values

func (f rdsForm) get(k string) string { return url.Values(f).Get(k) }

func (f rdsForm) bool(k string) bool { return f.get(k) == "true" }

// int32 is a numeric parameter, def when absent or malformed.
func (f rdsForm) int32(k string, def int32) int32 {
	n, err := strconv.ParseInt(f.get(k), 10, 32)
	if err != nil {
		return def
	}
	return int32(n)
}

// list reads prefix.1, prefix.2, ... until one is missing.
func (f rdsForm) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := f[fmt.Sprintf("%s.%d", prefix, i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// tags reads Tags.Tag.N.Key/Value.
func (f rdsForm) tags() []rdsTag {
	var out []rdsTag
	for i := 1; ; i++ {
		k, ok := f[fmt.Sprintf("Tags.Tag.%d.Key", i)]
		if !ok || len(k) == 0 {
			return out
		}
		out = append(out, rdsTag{Key: k[0], Value: f.get(fmt.Sprintf("Tags.Tag.%d.Value", i))})
	}
}

// filters reads Filters.Filter.N.Name with its Values.Value.M.
func (f rdsForm) filters() map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		name := f.get(fmt.Sprintf("Filters.Filter.%d.Name", i))
		if name == "" {
			return out
		}
		out[name] = append(out[name], f.list(fmt.Sprintf("Filters.Filter.%d.Values.Value", i))...)
	}
}

// rdsError is an RDS fault: its code as the SDK's types name it.
type rdsError struct {
	status     int
	code, text string
}

func (e *rdsError) Error() string { return e.code + ": " + e.text }

func rdsFault(code, format string, args ...any) *rdsError {
	return &rdsError{status: http.StatusBadRequest, code: code, text: fmt.Sprintf(format, args...)}
}

func rdsNotFound(code, format string, args ...any) *rdsError {
	return &rdsError{status: http.StatusNotFound, code: code, text: fmt.Sprintf(format, args...)}
}

func rdsInternal(format string, args ...any) *rdsError {
	return &rdsError{status: http.StatusInternalServerError, code: "InternalFailure", text: fmt.Sprintf(format, args...)}
}

// The fault codes the front answers with (the SDK's types/errors.go).
const (
	codeInstanceNotFound      = "DBInstanceNotFound"
	codeInstanceExists        = "DBInstanceAlreadyExists"
	codeInstanceState         = "InvalidDBInstanceState"
	codeSnapshotNotFound      = "DBSnapshotNotFound"
	codeSnapshotExists        = "DBSnapshotAlreadyExists"
	codeSnapshotState         = "InvalidDBSnapshotState"
	codeSubnetGroupNotFound   = "DBSubnetGroupNotFoundFault"
	codeSubnetGroupExists     = "DBSubnetGroupAlreadyExists"
	codeParameterGroupMissing = "DBParameterGroupNotFound"
	codeParameterGroupExists  = "DBParameterGroupAlreadyExists"
	codeKMSKey                = "KMSKeyNotAccessibleFault"
	codeInvalidParameter      = "InvalidParameterValue"
	codeInvalidCombination    = "InvalidParameterCombination"
	codeMissingParameter      = "MissingParameter"
)

// writeRDSResult answers action with result's fields inside ActionResult.
func writeRDSResult(w http.ResponseWriter, action, requestID string, result any) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	enc := xml.NewEncoder(w)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: rdsXMLNS}}}
	_ = enc.EncodeToken(resp)
	_ = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(resp.End())
	_ = enc.Flush()
}

// writeRDSError answers in the query protocol's error shape.
func writeRDSError(w http.ResponseWriter, requestID string, e *rdsError) {
	typ := "Sender"
	if e.status >= 500 {
		typ = "Receiver"
	}
	type rdsErr struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	body := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     rdsErr   `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: rdsXMLNS, Error: rdsErr{typ, e.code, e.text}, RequestID: requestID}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.status)
	_ = xml.NewEncoder(w).Encode(body)
}

// XML shapes of the answers, reduced to the fields ferry and people read.

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlEndpoint struct {
	Address      string `xml:"Address"`
	Port         int32  `xml:"Port"`
	HostedZoneID string `xml:"HostedZoneId"`
}

type xmlSGMembership struct {
	VpcSecurityGroupID string `xml:"VpcSecurityGroupId"`
	Status             string `xml:"Status"`
}

type xmlParameterGroupStatus struct {
	DBParameterGroupName string `xml:"DBParameterGroupName"`
	ParameterApplyStatus string `xml:"ParameterApplyStatus"`
}

type xmlSubnet struct {
	SubnetIdentifier string `xml:"SubnetIdentifier"`
	AvailabilityZone string `xml:"SubnetAvailabilityZone>Name"`
	SubnetStatus     string `xml:"SubnetStatus"`
}

type xmlSubnetGroup struct {
	DBSubnetGroupName        string      `xml:"DBSubnetGroupName"`
	DBSubnetGroupDescription string      `xml:"DBSubnetGroupDescription"`
	VpcID                    string      `xml:"VpcId"`
	SubnetGroupStatus        string      `xml:"SubnetGroupStatus"`
	Subnets                  []xmlSubnet `xml:"Subnets>Subnet"`
	DBSubnetGroupArn         string      `xml:"DBSubnetGroupArn"`
}

type xmlParameterGroup struct {
	DBParameterGroupName   string `xml:"DBParameterGroupName"`
	DBParameterGroupFamily string `xml:"DBParameterGroupFamily"`
	Description            string `xml:"Description"`
	DBParameterGroupArn    string `xml:"DBParameterGroupArn"`
}

type xmlInstance struct {
	DBInstanceIdentifier  string                    `xml:"DBInstanceIdentifier"`
	DBInstanceClass       string                    `xml:"DBInstanceClass"`
	Engine                string                    `xml:"Engine"`
	EngineVersion         string                    `xml:"EngineVersion"`
	DBInstanceStatus      string                    `xml:"DBInstanceStatus"`
	MasterUsername        string                    `xml:"MasterUsername,omitempty"`
	DBName                string                    `xml:"DBName,omitempty"`
	Endpoint              *xmlEndpoint              `xml:"Endpoint,omitempty"`
	AllocatedStorage      int32                     `xml:"AllocatedStorage"`
	InstanceCreateTime    string                    `xml:"InstanceCreateTime,omitempty"`
	BackupRetentionPeriod int32                     `xml:"BackupRetentionPeriod"`
	VpcSecurityGroups     []xmlSGMembership         `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	DBParameterGroups     []xmlParameterGroupStatus `xml:"DBParameterGroups>DBParameterGroup"`
	AvailabilityZone      string                    `xml:"AvailabilityZone"`
	DBSubnetGroup         *xmlSubnetGroup           `xml:"DBSubnetGroup,omitempty"`
	MultiAZ               bool                      `xml:"MultiAZ"`
	PubliclyAccessible    bool                      `xml:"PubliclyAccessible"`
	StorageType           string                    `xml:"StorageType"`
	StorageEncrypted      bool                      `xml:"StorageEncrypted"`
	KmsKeyID              string                    `xml:"KmsKeyId,omitempty"`
	DbiResourceID         string                    `xml:"DbiResourceId"`
	DBInstanceArn         string                    `xml:"DBInstanceArn"`
	DeletionProtection    bool                      `xml:"DeletionProtection"`
	TagList               []xmlTag                  `xml:"TagList>Tag"`
	DBClusterIdentifier   string                    `xml:"DBClusterIdentifier,omitempty"`
	PromotionTier         *int32                    `xml:"PromotionTier,omitempty"`
}

type xmlSnapshot struct {
	DBSnapshotIdentifier       string   `xml:"DBSnapshotIdentifier"`
	DBInstanceIdentifier       string   `xml:"DBInstanceIdentifier"`
	SnapshotCreateTime         string   `xml:"SnapshotCreateTime,omitempty"`
	Engine                     string   `xml:"Engine"`
	AllocatedStorage           int32    `xml:"AllocatedStorage"`
	Status                     string   `xml:"Status"`
	Port                       int32    `xml:"Port"`
	AvailabilityZone           string   `xml:"AvailabilityZone"`
	VpcID                      string   `xml:"VpcId,omitempty"`
	InstanceCreateTime         string   `xml:"InstanceCreateTime,omitempty"`
	MasterUsername             string   `xml:"MasterUsername,omitempty"`
	EngineVersion              string   `xml:"EngineVersion"`
	SnapshotType               string   `xml:"SnapshotType"`
	PercentProgress            int32    `xml:"PercentProgress"`
	SourceRegion               string   `xml:"SourceRegion,omitempty"`
	SourceDBSnapshotIdentifier string   `xml:"SourceDBSnapshotIdentifier,omitempty"`
	StorageType                string   `xml:"StorageType"`
	Encrypted                  bool     `xml:"Encrypted"`
	KmsKeyID                   string   `xml:"KmsKeyId,omitempty"`
	DBSnapshotArn              string   `xml:"DBSnapshotArn"`
	DbiResourceID              string   `xml:"DbiResourceId,omitempty"`
	TagList                    []xmlTag `xml:"TagList>Tag"`
	OriginalSnapshotCreateTime string   `xml:"OriginalSnapshotCreateTime,omitempty"`
}

type xmlSnapshotAttributes struct {
	DBSnapshotIdentifier string `xml:"DBSnapshotIdentifier"`
	Attributes           []struct {
		AttributeName   string   `xml:"AttributeName"`
		AttributeValues []string `xml:"AttributeValues>AttributeValue"`
	} `xml:"DBSnapshotAttributes>DBSnapshotAttribute"`
}

func xmlTags(tags []rdsTag) []xmlTag {
	out := make([]xmlTag, len(tags))
	for i, t := range tags {
		out[i] = xmlTag(t)
	}
	return out
}

func xmlTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(rdsTime)
}
