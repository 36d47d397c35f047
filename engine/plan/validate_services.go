package plan

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// methods are the HTTP methods a probe may use.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func (d *decoder) checkServices(r *rawPlan) {
	first := map[string]int{}
	for i, s := range r.Services {
		p := fmt.Sprintf("services[%d]", i)
		if s.Namespace == "" {
			d.missing(p+".namespace", "add namespace: NAME, one of namespaces")
		} else if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, s.Namespace) && !d.bad[p+".namespace"] {
			d.fail(p+".namespace", "%q is not in namespaces (%s); add it there or fix the namespace",
				s.Namespace, strings.Join(r.Namespaces, ", "))
		}
		if s.Name == "" {
			d.missing(p+".name", "add name: NAME, the workload's name")
		}
		id := s.Namespace + "/" + s.Name
		if prev, dup := first[id]; dup && s.Name != "" {
			d.fail(p, "%s is listed twice (first at line %d); merge the two", id, d.at(fmt.Sprintf("services[%d]", prev)).line)
		} else {
			first[id] = i
		}
		d.checkProbes(p, s.Probes)
	}
}

func (d *decoder) checkProbes(svc string, probes []rawProbe) {
	names := map[string]int{}
	for i, pr := range probes {
		p := fmt.Sprintf("%s.probes[%d]", svc, i)
		if pr.Name == "" {
			d.missing(p+".name", "add name: NAME (e.g. health), shown with the result")
		} else if prev, dup := names[pr.Name]; dup {
			d.fail(p+".name", "%q is the name of the probe at line %d too; give each probe its own", pr.Name, d.at(fmt.Sprintf("%s.probes[%d]", svc, prev)).line)
		} else {
			names[pr.Name] = i
		}
		d.checkProbeTarget(p, pr)
		if pr.Method != "" && !slices.Contains(methods, strings.ToUpper(pr.Method)) {
			d.fail(p+".method", "%q is not an HTTP method; use one of %s", pr.Method, strings.Join(methods, ", "))
		}
		if _, set := d.seen[p+".expect"]; set && !d.bad[p+".expect"] && (pr.Expect < 100 || pr.Expect > 599) {
			d.fail(p+".expect", "%d is not an HTTP status; write the code a healthy service answers, e.g. expect: 200", pr.Expect)
		}
	}
}

// checkProbeTarget wants either a shared path or a URL per side.
func (d *decoder) checkProbeTarget(p string, pr rawProbe) {
	const how = "path: /healthz (asked of each side's Service), or sourceURL and targetURL"
	switch {
	case pr.Path == "" && pr.SourceURL == "" && pr.TargetURL == "":
		d.missing(p+".path", "add "+how)
	case pr.Path != "" && (pr.SourceURL != "" || pr.TargetURL != ""):
		d.fail(p, "has both path and sourceURL/targetURL; keep %s", how)
	case pr.Path != "" && !strings.HasPrefix(pr.Path, "/"):
		d.fail(p+".path", "%q is not a path; start it with /, e.g. path: /healthz", pr.Path)
	case pr.Path == "" && pr.SourceURL == "":
		d.missing(p+".sourceURL", "a probe with targetURL needs sourceURL too")
	case pr.Path == "" && pr.TargetURL == "":
		d.missing(p+".targetURL", "a probe with sourceURL needs targetURL too")
	}
	for _, f := range []struct{ name, val string }{{"sourceURL", pr.SourceURL}, {"targetURL", pr.TargetURL}} {
		if f.val != "" && parseHTTPURL(f.val) == nil {
			d.fail(p+"."+f.name, "%q is not an http(s) URL; write e.g. %s: https://checkout.acme.internal/healthz", f.val, f.name)
		}
	}
}

// parseHTTPURL parses an absolute http(s) URL, or returns nil.
func parseHTTPURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}
