package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// judge says what is wrong with an answer, or "" when it is the expected
// one. A 3xx that was not expected is named as a redirect, with why it
// hurts and its likely cause.
func judge(method, target string, expect, status int, req *url.URL, location string) string {
	if status == expect {
		return ""
	}
	if status < 300 || status > 399 {
		return fmt.Sprintf("%s %s answered %s, expected %d", method, target, statusLine(status), expect)
	}
	where := "no Location header"
	if location != "" {
		where = "Location: " + location
	}
	return fmt.Sprintf("%s %s answered %s (%s), expected %d: %s", method, target, statusLine(status), where, expect,
		redirectHint(method, status, req, location))
}

// redirectHint explains an unexpected redirect: what it does to clients,
// then what it points at.
func redirectHint(method string, status int, req *url.URL, location string) string {
	var hurt string
	switch {
	case method == http.MethodGet || method == http.MethodHead:
		hurt = fmt.Sprintf("redirects are not followed; if this one is intended, expect %d", status)
	case status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect:
		hurt = "a client must resend the body to follow it, and many will not"
	default:
		hurt = fmt.Sprintf("a client following it resends as GET without the body, so the %s is lost", method)
	}
	loc, err := url.Parse(location)
	if location == "" || err != nil {
		return hurt
	}
	switch {
	case req.Scheme == "http" && loc.Scheme == "https" && sameHostPath(req, loc):
		return hurt + "; it only switches to https: this side probably has an ssl-redirect in front or the app does not see X-Forwarded-Proto"
	case loc.Path == req.Path+"/" && loc.Host == req.Host:
		return hurt + "; it only adds a trailing slash: the route on this side is registered differently"
	case loc.Host != req.Host:
		return hurt + "; it points at another host: check the side's address and any host-based routing"
	}
	return hurt
}

// sameHostPath says a and b differ at most in scheme and default port.
func sameHostPath(a, b *url.URL) bool {
	return a.Hostname() == b.Hostname() && a.EscapedPath() == b.EscapedPath()
}

// describeError names why no answer (or no whole answer) came, without
// the URL the client's error repeats: the URL is in the evidence already,
// redacted, and the raw one may hold a secret.
func describeError(err error, u *url.URL, limit time.Duration, parent context.Context) string {
	addr := dialAddr(u)
	var (
		uerr      *url.Error
		dnsErr    *net.DNSError
		netErr    net.Error
		certErr   *tls.CertificateVerificationError
		hostErr   x509.HostnameError
		authErr   x509.UnknownAuthorityError
		recordErr tls.RecordHeaderError
	)
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case parent.Err() != nil:
		return "canceled before an answer came: " + parent.Err().Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer from %s within %s (timeout)", addr, limit)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused by %s: nothing listens there; check the side's address and that the service is up", addr)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve %s: %s", dnsErr.Name, dnsErr.Err)
	case errors.As(err, &hostErr):
		return fmt.Sprintf("TLS: %s's certificate is not valid for %s: %v; probe it by a name on its certificate", addr, hostErr.Host, hostErr)
	case errors.As(err, &authErr) || errors.As(err, &certErr):
		return fmt.Sprintf("TLS: %s's certificate is not trusted: %v; give the prober the CA that signed it", addr, err)
	case errors.As(err, &recordErr):
		return fmt.Sprintf("TLS: %s does not speak TLS; probe it with http://", addr)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("connection to %s closed before a whole answer came: %v", addr, err)
	}
	return fmt.Sprintf("request to %s failed: %v", addr, err)
}
