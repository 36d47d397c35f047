package main

import (
	"encoding/xml"
	"strings"
)

// route53XMLNS is the namespace of every Route53 document.
const route53XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"

// rrset is a ResourceRecordSet with the fields kumo keeps.
type rrset struct {
	Name             string       `xml:"Name"`
	Type             string       `xml:"Type"`
	SetIdentifier    string       `xml:"SetIdentifier,omitempty"`
	Weight           *int64       `xml:"Weight,omitempty"`
	Region           string       `xml:"Region,omitempty"`
	Failover         string       `xml:"Failover,omitempty"`
	MultiValueAnswer *bool        `xml:"MultiValueAnswer,omitempty"`
	TTL              *int64       `xml:"TTL,omitempty"`
	ResourceRecords  []rrValue    `xml:"ResourceRecords>ResourceRecord,omitempty"`
	AliasTarget      *aliasTarget `xml:"AliasTarget,omitempty"`
	HealthCheckID    string       `xml:"HealthCheckId,omitempty"`
}

type rrValue struct {
	Value string `xml:"Value"`
}

type aliasTarget struct {
	HostedZoneID         string `xml:"HostedZoneId"`
	DNSName              string `xml:"DNSName"`
	EvaluateTargetHealth bool   `xml:"EvaluateTargetHealth"`
}

type rrChange struct {
	Action            string `xml:"Action"`
	ResourceRecordSet rrset  `xml:"ResourceRecordSet"`
}

// changeRequest is ChangeResourceRecordSets' body.
type changeRequest struct {
	XMLName     xml.Name `xml:"ChangeResourceRecordSetsRequest"`
	XMLNS       string   `xml:"xmlns,attr"`
	ChangeBatch struct {
		Comment string     `xml:"Comment,omitempty"`
		Changes []rrChange `xml:"Changes>Change"`
	} `xml:"ChangeBatch"`
}

// listResponse is ListResourceRecordSets' answer.
type listResponse struct {
	XMLName              xml.Name `xml:"ListResourceRecordSetsResponse"`
	XMLNS                string   `xml:"xmlns,attr"`
	ResourceRecordSets   []rrset  `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated          bool     `xml:"IsTruncated"`
	NextRecordName       string   `xml:"NextRecordName,omitempty"`
	NextRecordType       string   `xml:"NextRecordType,omitempty"`
	NextRecordIdentifier string   `xml:"NextRecordIdentifier,omitempty"`
	MaxItems             string   `xml:"MaxItems"`
}

// invalidChangeBatch is Route53's own error document for a refused batch:
// one message per failed change, no <Error> element.
type invalidChangeBatch struct {
	XMLName   xml.Name `xml:"InvalidChangeBatch"`
	XMLNS     string   `xml:"xmlns,attr"`
	Messages  []string `xml:"Messages>Message"`
	RequestID string   `xml:"RequestId"`
}

// rrKey is what identifies a record set in Route53: kumo keys by name and
// type only, which makes the weighted records of one name overwrite each
// other.
type rrKey struct {
	name, typ, set string
}

func (k rrKey) String() string {
	s := "name='" + k.name + "', type='" + k.typ + "'"
	if k.set != "" {
		s += ", set-identifier='" + k.set + "'"
	}
	return s
}

// setSeparator joins a name and a set identifier into the one name kumo
// stores, so that kumo's (name, type) key becomes Route53's (name, type,
// set identifier). No DNS name holds a space (Route53 wants \040), and the
// front refuses names that do.
const setSeparator = " set-identifier="

// canonicalName is a name as Route53 answers it: lower case, with the
// trailing dot.
func canonicalName(n string) string {
	n = strings.ToLower(n)
	if !strings.HasSuffix(n, ".") {
		n += "."
	}
	return n
}

// kumoName is the name kumo stores a new record set under.
func kumoName(k rrKey) string {
	if k.set == "" {
		return k.name
	}
	return k.name + setSeparator + k.set
}

// fromKumo turns a record set as kumo stores it back into the API's, with
// its key. kumo keeps the SetIdentifier element itself; only the name
// carries the separator. Records stored before this front existed have a
// plain name, and keep it.
func fromKumo(r rrset) (rrset, rrKey) {
	name, _, _ := strings.Cut(r.Name, setSeparator)
	r.Name = canonicalName(name)
	return r, rrKey{name: r.Name, typ: r.Type, set: r.SetIdentifier}
}

// sortName orders names as ListResourceRecordSets does: by labels reversed,
// www.example.com. as com.example.www.
func sortName(name string) string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, ".") + "."
}

// less orders keys by reversed name, type, then set identifier.
func (k rrKey) less(o rrKey) bool {
	if a, b := sortName(k.name), sortName(o.name); a != b {
		return a < b
	}
	if k.typ != o.typ {
		return k.typ < o.typ
	}
	return k.set < o.set
}
