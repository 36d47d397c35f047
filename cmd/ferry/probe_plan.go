package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"k8s.io/client-go/rest"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/probe"
)

// probeJob is one of the plan's probes, ready to ask both sides.
type probeJob struct {
	service  string // namespace/name
	endpoint probe.Endpoint
	src, dst probe.Side
}

// probeJobs turns a service's plan probes into endpoints and sides. A probe
// with sourceURL and targetURL asks those; one with a path asks each side's
// Service through its cluster's apiserver proxy (needs src and dst).
func probeJobs(p *plan.Plan, svc plan.Service, src, dst *cluster.Side) ([]probeJob, error) {
	var jobs []probeJob
	for _, pr := range svc.Probes {
		j := probeJob{service: svc.Namespace + "/" + svc.Name, endpoint: endpointOf(svc, pr)}
		j.src, j.dst = probe.Side{Name: p.Source.Label}, probe.Side{Name: p.Target.Label}
		if pr.Path == "" {
			j.src.BaseURL, j.dst.BaseURL = pr.SourceURL, pr.TargetURL
			j.endpoint.Path = ""
		} else {
			if src == nil || dst == nil {
				return nil, fmt.Errorf("probe %s/%s asks the Service by path; it needs both clusters connected", j.service, pr.Name)
			}
			var err error
			if j.src.BaseURL, err = serviceProxyURL(src.REST, sourceNamespace(p, svc.Namespace), svc.Name); err != nil {
				return nil, err
			}
			if j.dst.BaseURL, err = serviceProxyURL(dst.REST, svc.Namespace, svc.Name); err != nil {
				return nil, err
			}
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// endpointOf maps a plan probe onto the probe package's Endpoint.
func endpointOf(svc plan.Service, pr plan.Probe) probe.Endpoint {
	ep := probe.Endpoint{Name: svc.Name + "/" + pr.Name, Method: pr.Method, Path: pr.Path, Expect: pr.Expect,
		CompareJSON: pr.Compare, CompareBody: pr.CompareBody}
	if pr.Body != "" {
		ep.Body = []byte(pr.Body)
	}
	if len(pr.Headers) > 0 {
		ep.Header = http.Header{}
		for k, v := range pr.Headers {
			ep.Header.Set(k, v)
		}
	}
	return ep
}

// serviceProxyURL is the apiserver's proxy to a Service's first port:
// https://APISERVER/api/v1/namespaces/NS/services/NAME/proxy.
func serviceProxyURL(cfg *rest.Config, ns, name string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(cfg.Host, "/"))
	if err != nil {
		return nil, fmt.Errorf("apiserver address %q: %w", cfg.Host, err)
	}
	u.Path += fmt.Sprintf("/api/v1/namespaces/%s/services/%s/proxy", ns, name)
	return u, nil
}

// hostTransport sends each request through the transport of the apiserver
// it goes to (each cluster has its own credentials), and any other request
// through base.
type hostTransport struct {
	byHost map[string]http.RoundTripper
	base   http.RoundTripper
}

func (t hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt, ok := t.byHost[r.URL.Host]; ok {
		return rt.RoundTrip(r)
	}
	return t.base.RoundTrip(r)
}

// proberFor is a Prober whose requests to either apiserver carry that
// cluster's credentials.
func proberFor(sides ...*cluster.Side) (*probe.Prober, error) {
	t := hostTransport{byHost: map[string]http.RoundTripper{}, base: http.DefaultTransport}
	for _, s := range sides {
		if s == nil || s.REST == nil {
			continue
		}
		rt, err := rest.TransportFor(s.REST)
		if err != nil {
			return nil, fmt.Errorf("%s: build the apiserver transport: %w", s.Config.Name, err)
		}
		u, err := url.Parse(s.REST.Host)
		if err != nil {
			return nil, fmt.Errorf("%s: apiserver address %q: %w", s.Config.Name, s.REST.Host, err)
		}
		t.byHost[u.Host] = rt
	}
	return &probe.Prober{Client: &http.Client{Transport: t}}, nil
}
