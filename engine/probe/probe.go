// Package probe asks the same HTTP questions of both sides of a migration
// and compares the answers, for Verify checks and cutover gates.
//
// Redirects are never followed. A POST answered 301 after a move looks
// healthy to a client that follows it, yet the body is gone (the follow-up
// is a GET), so the probe reports the 3xx itself, named, as the failure.
// Failures of any kind (refused, timeout, TLS, wrong status) are Results
// that say what failed, never Go errors: a gate needs the evidence.
package probe

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Defaults a zero Prober uses.
const (
	DefaultTimeout    = 10 * time.Second
	DefaultBodyCap    = 1 << 20 // bytes read of each answer
	DefaultSlowFactor = 3.0
	DefaultSlowFloor  = 500 * time.Millisecond
)

// UserAgent is sent unless the endpoint's Header says otherwise.
const UserAgent = "ferry-probe/1"

// Endpoint is one HTTP question, asked the same way of each side.
type Endpoint struct {
	// Name identifies the probe in checks: "orders-api/create-order".
	Name string
	// Method is GET when empty.
	Method string
	// Path, query included ("/v1/checkout?dry_run=true"), is appended to
	// the side's BaseURL; empty asks BaseURL itself.
	Path string
	// Header is sent as is, plus UserAgent and, for a JSON Body, a JSON
	// Content-Type unless it names its own. Its values never appear in
	// results.
	Header http.Header
	// Body is sent as is. It never appears in results.
	Body []byte
	// Expect is the status that means healthy; 200 when 0. A 3xx is a
	// failure unless it is the expected status.
	Expect int
	// CompareJSON are paths into the JSON answer whose values must be equal
	// on both sides: object keys and array indexes joined by dots, as in
	// "order.items.0.sku" (a key holding a dot cannot be named).
	CompareJSON []string
	// CompareBody asks for the answers' bodies to be byte-for-byte equal
	// (by SHA-256 of at most the Prober's BodyCap bytes).
	CompareBody bool
	// Timeout bounds the whole exchange, body included; the Prober's
	// Timeout when 0.
	Timeout time.Duration
}

// Side is where one side answers.
type Side struct {
	// Name labels the side in results: "source", "target", or the plan's
	// names such as "kops" and "eks".
	Name string
	// BaseURL is the side's address; Endpoint.Path is appended to it.
	BaseURL *url.URL
	// Host, when set, is sent as the Host header, and over https as the
	// TLS server name (when the Client's transport is an *http.Transport;
	// a wrapped one keeps its own TLS settings), so a load balancer can be
	// asked by its address for a name DNS does not point at it yet.
	Host string
}

// Prober runs probes. Its zero value is ready to use.
type Prober struct {
	// Client sends the requests; nil uses http.DefaultTransport. Whatever
	// it says, redirects are not followed, no cookie jar is used and its
	// Timeout is replaced by the probe's.
	Client *http.Client
	// Timeout applies to endpoints without their own; DefaultTimeout when 0.
	Timeout time.Duration
	// BodyCap is how many bytes of an answer are read (and hashed, and
	// parsed for CompareJSON); DefaultBodyCap when 0. The rest is never
	// read, so a huge or endless answer costs no more than the cap.
	BodyCap int64
	// SlowFactor and SlowFloor say when the target is too slow: slower
	// than the source by more than SlowFactor times and by more than
	// SlowFloor. Both must hold, so one noisy millisecond sample does not
	// fail a gate. DefaultSlowFactor and DefaultSlowFloor when 0.
	SlowFactor float64
	SlowFloor  time.Duration
}

// Result is what one side answered to one endpoint, with evidence.
type Result struct {
	Endpoint string `json:"endpoint"`
	Side     string `json:"side"`
	Method   string `json:"method"`
	// URL is what was asked, with secret-looking query values and any
	// password redacted.
	URL string `json:"url"`
	// Status is 0 when no answer came.
	Status     int           `json:"status"`
	StatusText string        `json:"statusText,omitempty"` // "301 Moved Permanently"
	Latency    time.Duration `json:"latency"`              // until the (capped) body was read
	OK         bool          `json:"ok"`
	// Failure names what failed, in one line; empty when OK.
	Failure string `json:"failure,omitempty"`
	// Evidence is one line saying what happened:
	// "POST http://127.0.0.1:1234/orders -> 301 Moved Permanently in 3ms, Location: ...".
	Evidence string `json:"evidence"`
	// BodySHA256 is the hex digest of the BodyBytes bytes read; Truncated
	// says the answer was longer than the cap and only its start was read.
	BodySHA256 string `json:"bodySha256,omitempty"`
	BodyBytes  int    `json:"bodyBytes"`
	Truncated  bool   `json:"truncated,omitempty"`
	// Fields are the CompareJSON values found, as canonical JSON text
	// (object keys sorted). FieldsError says why none could be read.
	Fields      map[string]string `json:"fields,omitempty"`
	FieldsError string            `json:"fieldsError,omitempty"`
	// Header holds the answer's Location (redacted), Server, Via and
	// X-Served-By, when present: which box answered, and where to.
	Header map[string]string `json:"header,omitempty"`
}

// Probe asks one side one endpoint. It never returns an error: whatever
// went wrong is the Result's Failure.
func (p *Prober) Probe(ctx context.Context, ep Endpoint, side Side) Result {
	r := Result{Endpoint: ep.Name, Side: side.Name, Method: ep.method()}
	u, err := requestURL(side.BaseURL, ep.Path)
	if err != nil {
		return r.fail(err.Error(), "")
	}
	r.URL = redactURL(u)
	return p.exchange(ctx, ep, side, u, r)
}

func (ep Endpoint) method() string {
	if ep.Method == "" {
		return http.MethodGet
	}
	return ep.Method
}

func (ep Endpoint) expect() int {
	if ep.Expect == 0 {
		return http.StatusOK
	}
	return ep.Expect
}

func (p *Prober) timeout(ep Endpoint) time.Duration {
	switch {
	case ep.Timeout > 0:
		return ep.Timeout
	case p.Timeout > 0:
		return p.Timeout
	}
	return DefaultTimeout
}

func (p *Prober) bodyCap() int64 {
	if p.BodyCap > 0 {
		return p.BodyCap
	}
	return DefaultBodyCap
}

// fail marks r failed; evidence defaults to the failure itself.
func (r Result) fail(failure, evidence string) Result {
	r.OK = false
	r.Failure = failure
	r.Evidence = evidence
	if evidence == "" {
		r.Evidence = failure
	}
	return r
}
