package probe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// exchange sends the request and reads the answer into r.
func (p *Prober) exchange(ctx context.Context, ep Endpoint, side Side, u *url.URL, r Result) Result {
	limit := p.timeout(ep)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(ep.Body))
	if err != nil {
		return r.fail(fmt.Sprintf("probe %s: cannot build the request: %v", ep.Name, err), "")
	}
	if ep.Header != nil {
		req.Header = ep.Header.Clone()
	}
	defaultHeaders(req.Header, ep.Body)
	if side.Host != "" {
		req.Host = side.Host
	}
	client, release := p.client(u, side)
	defer release()

	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		r.Latency = time.Since(start)
		why := describeError(err, u, limit, parent)
		return r.fail(why, fmt.Sprintf("%s %s -> %s after %s", r.Method, r.URL, why, round(r.Latency)))
	}
	defer resp.Body.Close()
	body, truncated, readErr := readCapped(resp.Body, p.bodyCap())
	r.Latency = time.Since(start)

	r.Status = resp.StatusCode
	r.StatusText = statusLine(resp.StatusCode)
	r.Header = answerHeader(resp, u)
	sum := sha256.Sum256(body)
	r.BodySHA256, r.BodyBytes, r.Truncated = hex.EncodeToString(sum[:]), len(body), truncated
	if readErr == nil {
		r.Fields, r.FieldsError = jsonFields(body, truncated, ep.CompareJSON, resp.Header.Get("Content-Type"))
	}
	r.Evidence = evidence(r)
	switch {
	case readErr != nil:
		r.Failure = fmt.Sprintf("%s %s answered %s but reading the body failed after %d bytes: %s",
			r.Method, requestTarget(u), r.StatusText, len(body), describeError(readErr, u, limit, parent))
	default:
		r.Failure = judge(r.Method, requestTarget(u), ep.expect(), resp.StatusCode, u, r.Header["Location"])
	}
	r.OK = r.Failure == ""
	return r
}

// client is p.Client made fit for probing: no redirects, no cookies, the
// probe's timeout, and over https with a Host override a transport whose
// TLS server name is that host. release closes that transport's idle
// connections; it is a fresh clone per probe and would leak them.
func (p *Prober) client(u *url.URL, side Side) (*http.Client, func()) {
	var c http.Client
	if p.Client != nil {
		c = *p.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Jar = nil
	c.Timeout = 0
	if side.Host == "" || u.Scheme != "https" {
		return &c, func() {}
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	t, ok := base.(*http.Transport)
	if !ok {
		return &c, func() {} // a wrapped transport keeps its own TLS settings
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = new(tls.Config)
	}
	t.TLSClientConfig.ServerName = hostOnly(side.Host)
	c.Transport = t
	return &c, t.CloseIdleConnections
}

// defaultHeaders fills what a plan rarely spells out: a User-Agent that
// finds probes in access logs, and a JSON Content-Type for a JSON body,
// which many frameworks require before they read it.
func defaultHeaders(h http.Header, body []byte) {
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", UserAgent)
	}
	if len(body) > 0 && h.Get("Content-Type") == "" && json.Valid(body) {
		h.Set("Content-Type", "application/json")
	}
}

// readCapped reads at most limit bytes of body; truncated says more was
// there. The rest is left unread: closing the body drops the connection.
func readCapped(body io.Reader, limit int64) (data []byte, truncated bool, err error) {
	data, err = io.ReadAll(io.LimitReader(body, limit+1))
	if int64(len(data)) > limit {
		return data[:limit], true, err
	}
	return data, false, err
}

// answerHeader keeps the answer headers that tell which box answered and
// where a redirect points; nothing else, as headers such as Set-Cookie
// may carry secrets.
func answerHeader(resp *http.Response, u *url.URL) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"Location", "Server", "Via", "X-Served-By"} {
		v := resp.Header.Get(name)
		if v == "" {
			continue
		}
		if name == "Location" {
			v = redactLocation(u, v)
		}
		out[name] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// evidence is r's one-line account.
func evidence(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s -> %s in %s", r.Method, r.URL, r.StatusText, round(r.Latency))
	if loc, ok := r.Header["Location"]; ok {
		fmt.Fprintf(&b, ", Location: %s", loc)
	}
	fmt.Fprintf(&b, ", body %d bytes sha256 %s", r.BodyBytes, short(r.BodySHA256))
	if r.Truncated {
		b.WriteString(" (truncated at the cap)")
	}
	for _, path := range sortedKeys(r.Fields) {
		fmt.Fprintf(&b, ", %s=%s", path, clip(r.Fields[path]))
	}
	if r.FieldsError != "" {
		fmt.Fprintf(&b, ", JSON fields unread: %s", r.FieldsError)
	}
	return b.String()
}

// statusLine is "301 Moved Permanently".
func statusLine(code int) string {
	if text := http.StatusText(code); text != "" {
		return fmt.Sprintf("%d %s", code, text)
	}
	return fmt.Sprint(code)
}

// dialAddr is the host:port a request to u connects to.
func dialAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// hostOnly strips a port from a Host header value.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// round keeps latencies readable: 3ms, 1.204s.
func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
