package probe

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// requestURL appends path (query included) to base. An empty path asks
// base itself, query and all, as the plan's per-side URLs do.
func requestURL(base *url.URL, path string) (*url.URL, error) {
	if base == nil {
		return nil, errors.New("the side has no address: give it a base URL")
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("side address %q is not an http(s) URL with a host", base.Redacted())
	}
	if path == "" {
		return base, nil
	}
	ref, err := url.Parse(path)
	if err != nil || ref.Scheme != "" || ref.Host != "" {
		return nil, fmt.Errorf("probe path %q is not a path: write it as /path?query", path)
	}
	root := *base
	root.RawQuery, root.Fragment, root.RawFragment = "", "", ""
	joined := strings.TrimSuffix(root.String(), "/") + "/" + strings.TrimPrefix(path, "/")
	return url.Parse(joined)
}

// requestTarget is the path and query of u, redacted, as failures name it:
// "/orders?dry_run=true".
func requestTarget(u *url.URL) string {
	r := *u
	r.RawQuery = redactQuery(u.RawQuery)
	return r.RequestURI()
}

// secretName matches query parameter names whose values must not be shown.
var secretName = regexp.MustCompile(`(?i)auth|token|secret|passw|pwd|key|sig|credential|session|cookie|jwt`)

// redactURL is u as evidence may show it: no password, no secret-looking
// query values.
func redactURL(u *url.URL) string {
	r := *u
	r.RawQuery = redactQuery(u.RawQuery)
	return r.Redacted()
}

// redactLocation resolves a Location header against the request's URL and
// redacts it; a Location that does not parse is withheld whole, as it may
// hold anything.
func redactLocation(req *url.URL, loc string) string {
	ref, err := url.Parse(loc)
	if err != nil {
		return "(unparsable, withheld)"
	}
	return redactURL(req.ResolveReference(ref))
}

// redactQuery replaces the values of secret-looking parameters. A query
// with none is returned untouched, in its original order.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "REDACTED"
	}
	found := false
	for name := range q {
		if secretName.MatchString(name) {
			q[name] = []string{"REDACTED"}
			found = true
		}
	}
	if !found {
		return raw
	}
	return q.Encode()
}
