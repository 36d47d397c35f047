package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"sync"
)

// rrsetPath is ChangeResourceRecordSets' (POST) and ListResourceRecordSets'
// (GET) path; the SDK sends the bare zone id.
var rrsetPath = regexp.MustCompile(`^/2013-04-01/hostedzone/([^/]+)/rrset$`)

// Route53's limits on one ListResourceRecordSets page and one request body.
const (
	route53MaxItems = 300
	route53MaxBody  = 1 << 20
)

// frontRequestID is the request id of answers the front writes itself.
const frontRequestID = "ferry-sandbox"

// route53Front makes kumo's Route53 key record sets as Route53 does, by
// name, type and set identifier, so that the weighted records of one name
// live side by side. It does so without a store of its own: the set
// identifier goes into the name kumo stores (see setSeparator), so kumo
// persists weighted records in --data like everything else and GetChange
// keeps answering kumo's change ids. The front checks each change batch
// completely before kumo sees it (all or nothing, Route53's errors), and
// lists record sets in Route53's order with its paging.
func route53Front() front {
	var batches sync.Mutex // nothing changes between a batch's check and kumo applying it
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := rrsetPath.FindStringSubmatch(r.URL.Path)
			switch {
			case m == nil:
				next.ServeHTTP(w, r)
			case r.Method == http.MethodPost:
				batches.Lock()
				defer batches.Unlock()
				changeRecordSets(w, r, next, m[1])
			case r.Method == http.MethodGet:
				listRecordSets(w, r, next, m[1])
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// changeRecordSets checks the batch, then hands kumo the checked changes.
// A body it cannot read goes to kumo as it came, for kumo's own error.
func changeRecordSets(w http.ResponseWriter, r *http.Request, next http.Handler, zone string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, route53MaxBody))
	_ = r.Body.Close()
	if err != nil {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "read request body: "+err.Error())
		return
	}
	var req changeRequest
	if xml.Unmarshal(body, &req) != nil || len(req.ChangeBatch.Changes) == 0 {
		setBody(r, body)
		next.ServeHTTP(w, r)
		return
	}
	current, failed := zoneRecordSets(r, next, zone)
	if failed != nil {
		failed.copyTo(w)
		return
	}
	changes, messages, err := planBatch(current, req.ChangeBatch.Changes)
	var inErr *inputError
	switch {
	case errors.As(err, &inErr):
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", inErr.msg)
		return
	case len(messages) > 0:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		writeXMLBody(w, invalidChangeBatch{XMLNS: route53XMLNS, Messages: messages, RequestID: frontRequestID})
		return
	}
	req.XMLNS = route53XMLNS
	req.ChangeBatch.Changes = changes
	var out bytes.Buffer
	writeXMLBody(&out, req)
	setBody(r, out.Bytes())
	next.ServeHTTP(w, r)
}

// listRecordSets answers a page of kumo's record sets, which kumo lists
// all at once in the order it stored them.
func listRecordSets(w http.ResponseWriter, r *http.Request, next http.Handler, zone string) {
	q := r.URL.Query()
	start := rrKey{name: q.Get("name"), typ: q.Get("type"), set: q.Get("identifier")}
	if start.name != "" {
		start.name = canonicalName(start.name)
	}
	switch {
	case start.typ != "" && start.name == "":
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "type needs name: StartRecordType is only valid with StartRecordName")
		return
	case start.set != "" && start.typ == "":
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "identifier needs type: StartRecordIdentifier is only valid with StartRecordType")
		return
	}
	maxItems := route53MaxItems
	if v := q.Get("maxitems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", fmt.Sprintf("maxitems %q: want a positive number", v))
			return
		}
		maxItems = min(n, route53MaxItems)
	}
	current, failed := zoneRecordSets(r, next, zone)
	if failed != nil {
		failed.copyTo(w)
		return
	}
	keys := make([]rrKey, 0, len(current))
	for k := range current {
		if start.name == "" || !k.less(start) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rrKey) int {
		if a.less(b) {
			return -1
		}
		return 1 // keys are unique
	})
	resp := listResponse{XMLNS: route53XMLNS, MaxItems: strconv.Itoa(maxItems), ResourceRecordSets: []rrset{}}
	for i, k := range keys {
		if i == maxItems {
			resp.IsTruncated = true
			resp.NextRecordName, resp.NextRecordType, resp.NextRecordIdentifier = k.name, k.typ, k.set
			break
		}
		resp.ResourceRecordSets = append(resp.ResourceRecordSets, current[k].rec)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", frontRequestID)
	w.WriteHeader(http.StatusOK)
	writeXMLBody(w, resp)
}

// kumoAnswer is an answer of kumo's the front passes on as it is.
type kumoAnswer struct{ rec *httptest.ResponseRecorder }

func (a *kumoAnswer) copyTo(w http.ResponseWriter) {
	for k, v := range a.rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(a.rec.Code)
	_, _ = w.Write(a.rec.Body.Bytes())
}

// zoneRecordSets reads every record set of the zone from kumo, through the
// rest of the chain so that the proxy translates it as it does r. A zone
// kumo does not know (or any other failure) comes back as kumo's answer.
func zoneRecordSets(r *http.Request, next http.Handler, zone string) (map[rrKey]stored, *kumoAnswer) {
	get := r.Clone(r.Context())
	get.Method = http.MethodGet
	get.URL.Path = "/2013-04-01/hostedzone/" + zone + "/rrset"
	get.URL.RawPath, get.URL.RawQuery = "", ""
	get.Body, get.ContentLength = http.NoBody, 0
	get.Header.Del("Content-Type")
	get.Header.Del("Content-Length")
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, get)
	if rec.Code != http.StatusOK {
		return nil, &kumoAnswer{rec}
	}
	var list listResponse
	if err := xml.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		failed := httptest.NewRecorder()
		writeRoute53Error(failed, http.StatusInternalServerError, "InternalError", "read kumo's record sets: "+err.Error())
		return nil, &kumoAnswer{failed}
	}
	out := make(map[rrKey]stored, len(list.ResourceRecordSets))
	for _, raw := range list.ResourceRecordSets {
		rec, k := fromKumo(raw)
		out[k] = stored{rec: rec, kumo: raw.Name}
	}
	return out, nil
}

// setBody replaces r's body.
func setBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	r.Header.Set("Content-Length", strconv.Itoa(len(b)))
	r.TransferEncoding = nil
}

func writeRoute53Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	writeXMLBody(w, errorResponseBody{XMLNS: route53XMLNS, Error: errorDetail{Type: "Sender", Code: code, Message: msg}, RequestID: frontRequestID})
}
