package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// accountProxy fronts one kumo server and makes it answer as a single account:
// requests name the sandbox account, kumo stores its placeholders, responses
// name the sandbox account again.
type accountProxy struct {
	t  translator
	rp *httputil.ReverseProxy
}

// newAccountProxy returns a proxy to the kumo server at kumoURL.
func newAccountProxy(kumoURL string, t translator) (*accountProxy, error) {
	target, err := url.Parse(kumoURL)
	if err != nil {
		return nil, fmt.Errorf("parse kumo address %q: %w", kumoURL, err)
	}
	p := &accountProxy{t: t}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// kumo builds some URLs from the Host header (S3 POST uploads):
			// keep the public one so they point back at the proxy.
			pr.Out.Host = pr.In.Host
			// Without it kumo never compresses, and the proxy only ever edits
			// plain bodies.
			pr.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: p.modifyResponse,
	}
	return p, nil
}

// ServeHTTP translates the request, then hands it to the reverse proxy.
func (p *accountProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	service := signingService(r)
	if translates(r, service) {
		if err := p.rewriteRequest(r, service); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	p.rp.ServeHTTP(w, r)
}

func (p *accountProxy) rewriteRequest(r *http.Request, service string) error {
	// S3 keys and prefixes are data: only a bucket configuration's body
	// (translates' S3 case) may name accounts kumo looks up.
	if service != "s3" {
		r.URL.Path = string(p.t.toKumo([]byte(r.URL.Path), service))
		r.URL.RawPath = string(p.t.toKumo([]byte(r.URL.RawPath), service))
		r.URL.RawQuery = string(p.t.toKumo([]byte(r.URL.RawQuery), service))
	}
	if r.Body == nil || r.Body == http.NoBody || !rewritable(r.Header) {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	nb := p.t.toKumo(b, service)
	if !bytes.Equal(b, nb) {
		// Checksums of the client's body no longer hold; kumo needs none.
		r.Header.Del("Content-Md5")
		for k := range r.Header {
			if strings.HasPrefix(k, "X-Amz-Checksum-") {
				r.Header.Del(k)
			}
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(nb))
	r.ContentLength = int64(len(nb))
	r.TransferEncoding = nil
	r.Header.Del("Content-Length")
	return nil
}

func (p *accountProxy) modifyResponse(resp *http.Response) error {
	req := resp.Request
	if !translates(req, signingService(req)) {
		return nil
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		resp.Header.Set("Location", string(p.t.fromKumo([]byte(loc))))
	}
	// A HEAD answer's Content-Length describes a body that is not there.
	if req.Method == http.MethodHead || resp.Body == nil || !rewritable(resp.Header) {
		return nil
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read kumo response: %w", err)
	}
	nb := p.t.fromKumo(b)
	resp.Body = io.NopCloser(bytes.NewReader(nb))
	resp.ContentLength = int64(len(nb))
	resp.TransferEncoding = nil
	replaceBody(resp.Header, nb, signingService(req) == "dynamodb")
	return nil
}

// translates decides whether a request and its response are edited at all.
// Requests without a SigV4 scope pass untouched: guessing could corrupt
// data. S3 objects are never edited, nor are listings (object keys are data
// and kumo's S3 stores no account ids); a bucket's configuration documents
// are, since they may name queues or roles by ARN.
func translates(r *http.Request, service string) bool {
	switch service {
	case "":
		return false
	case "s3":
		return s3BucketConfig(r)
	default:
		return true
	}
}

// s3ConfigKeys are the bucket sub-resources whose documents may hold ARNs.
var s3ConfigKeys = []string{"notification", "policy", "replication", "logging", "inventory", "analytics", "metrics"}

func s3BucketConfig(r *http.Request) bool {
	if s3ObjectLevel(r) {
		return false
	}
	q := r.URL.Query()
	for _, k := range s3ConfigKeys {
		if q.Has(k) {
			return true
		}
	}
	return false
}

// s3ObjectLevel reports whether r addresses an object rather than a bucket,
// for path-style (/bucket/key) and virtual-hosted (bucket.host/key) URLs. A
// host it cannot classify counts as virtual-hosted, which errs towards
// leaving bodies alone.
func s3ObjectLevel(r *http.Request) bool {
	p := strings.TrimPrefix(r.URL.Path, "/")
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if net.ParseIP(host) == nil && host != "localhost" {
		return p != ""
	}
	_, key, _ := strings.Cut(p, "/")
	return key != ""
}

// targetServices maps X-Amz-Target prefixes to signing names, for the rare
// JSON request that arrives unsigned.
var targetServices = map[string]string{
	"dynamodb_20120810": "dynamodb",
	"amazonsqs":         "sqs",
	"secretsmanager":    "secretsmanager",
}

// signingService names the AWS service a request is for: the service of its
// SigV4 credential scope (AKID/date/region/service/aws4_request), from the
// Authorization header or a presigned URL's X-Amz-Credential.
func signingService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, cred, _ = strings.Cut(auth, "Credential=")
		if end := strings.IndexAny(cred, ", "); end >= 0 {
			cred = cred[:end]
		}
	}
	if parts := strings.Split(cred, "/"); len(parts) == 5 && parts[3] != "" {
		return parts[3]
	}
	prefix, _, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	return targetServices[strings.ToLower(prefix)]
}
