package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
)

// awsProtocol is how a service frames its errors.
type awsProtocol int

const (
	protoJSON     awsProtocol = iota // X-Amz-Target: DynamoDB, SQS, Secrets Manager, SSM, KMS
	protoQuery                       // form-encoded Action=: IAM, STS, RDS, ELBv2
	protoS3                          // REST-XML, <Error> at the root
	protoRoute53                     // REST-XML, <ErrorResponse>
	protoRESTJSON                    // EKS, API Gateway
)

// protocolOf tells the protocol from the request alone: the fault is
// written before any service sees it.
func protocolOf(r *http.Request) awsProtocol {
	if r.Header.Get("X-Amz-Target") != "" {
		return protoJSON
	}
	switch signingService(r) {
	case "s3":
		return protoS3
	case "route53":
		return protoRoute53
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Has("Action") {
		return protoQuery
	}
	return protoRESTJSON
}

// faultReply is one fault as the protocol frames it.
type faultReply struct {
	status int
	code   string
	sender bool // the query protocol's <Type>: Sender for throttling, else Receiver
}

const faultMessage = "injected by the ferry sandbox (" + FaultsPath + ")"

// faultRequestID marks injected answers in the SDK's error messages.
const faultRequestID = "ferry-sandbox-fault"

// dynamoDBDataOps are the item operations whose throttling DynamoDB reports
// as ProvisionedThroughputExceededException; its control plane says
// ThrottlingException.
var dynamoDBDataOps = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactGetItems": true, "TransactWriteItems": true,
}

// replyFor picks the status and code the service itself would send, each
// one the SDK retries.
func replyFor(p awsProtocol, kind faultKind, r *http.Request) faultReply {
	switch kind {
	case faultServer:
		if p == protoS3 {
			return faultReply{status: http.StatusInternalServerError, code: "InternalError"}
		}
		return faultReply{status: http.StatusInternalServerError, code: "InternalFailure"}
	case faultUnavailable:
		return faultReply{status: http.StatusServiceUnavailable, code: "ServiceUnavailable"}
	}
	switch p {
	case protoJSON:
		prefix, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		if strings.EqualFold(prefix, "DynamoDB_20120810") && dynamoDBDataOps[op] {
			return faultReply{status: http.StatusBadRequest, code: "ProvisionedThroughputExceededException", sender: true}
		}
		return faultReply{status: http.StatusBadRequest, code: "ThrottlingException", sender: true}
	case protoS3:
		return faultReply{status: http.StatusServiceUnavailable, code: "SlowDown", sender: true}
	case protoRoute53:
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/rrset") {
			// What Route53 says to changes sent faster than it applies them.
			return faultReply{status: http.StatusBadRequest, code: "PriorRequestNotComplete", sender: true}
		}
		return faultReply{status: http.StatusBadRequest, code: "Throttling", sender: true}
	case protoRESTJSON:
		return faultReply{status: http.StatusTooManyRequests, code: "TooManyRequestsException", sender: true}
	}
	return faultReply{status: http.StatusBadRequest, code: "Throttling", sender: true}
}

// writeFault answers r with kind in its protocol's error format.
func writeFault(w http.ResponseWriter, r *http.Request, kind faultKind) {
	p := protocolOf(r)
	f := replyFor(p, kind, r)
	h := w.Header()
	h.Set("X-Amzn-RequestId", faultRequestID)
	switch p {
	case protoJSON, protoRESTJSON:
		ct := r.Header.Get("Content-Type")
		if p == protoRESTJSON || !strings.HasPrefix(ct, "application/x-amz-json") {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
		h.Set("X-Amzn-ErrorType", f.code)
		b, _ := json.Marshal(map[string]string{"__type": f.code, "message": faultMessage})
		replaceBody(h, b, signingService(r) == "dynamodb")
		w.WriteHeader(f.status)
		_, _ = w.Write(b)
	case protoS3:
		h.Set("X-Amz-Request-Id", faultRequestID)
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(f.status)
		if r.Method != http.MethodHead {
			writeXMLBody(w, s3ErrorBody{Code: f.code, Message: faultMessage, RequestID: faultRequestID})
		}
	default:
		typ := "Receiver"
		if f.sender {
			typ = "Sender"
		}
		body := errorResponseBody{Error: errorDetail{Type: typ, Code: f.code, Message: faultMessage}, RequestID: faultRequestID}
		if p == protoRoute53 {
			body.XMLNS = route53XMLNS
		}
		h.Set("Content-Type", "text/xml")
		w.WriteHeader(f.status)
		writeXMLBody(w, body)
	}
}

// errorResponseBody is the query protocol's and Route53's error document.
type errorResponseBody struct {
	XMLName   xml.Name    `xml:"ErrorResponse"`
	XMLNS     string      `xml:"xmlns,attr,omitempty"`
	Error     errorDetail `xml:"Error"`
	RequestID string      `xml:"RequestId"`
}

type errorDetail struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// s3ErrorBody is S3's error document.
type s3ErrorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

func writeXMLBody(w io.Writer, v any) {
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}
