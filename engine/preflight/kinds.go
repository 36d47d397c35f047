package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// clonedKinds are the resources the clone steps copy, by group and
// resource; the version is whatever the source prefers.
var clonedKinds = []schema.GroupResource{
	{Group: "apps", Resource: "deployments"},
	{Group: "apps", Resource: "statefulsets"},
	{Group: "apps", Resource: "daemonsets"},
	{Resource: "services"},
	{Resource: "configmaps"},
	{Resource: "secrets"},
	{Resource: "serviceaccounts"},
	{Resource: "persistentvolumeclaims"},
	{Group: "networking.k8s.io", Resource: "ingresses"},
	{Group: "autoscaling", Resource: "horizontalpodautoscalers"},
	{Group: "policy", Resource: "poddisruptionbudgets"},
}

// kindsServed: for each cloned kind the source has objects of in scope, the
// target serves the same group, version and resource.
func (s *Step) kindsServed(ctx context.Context) []runbook.Check {
	srcDisc, dstDisc := s.cfg.Source.Kube.Discovery(), s.cfg.Target.Kube.Discovery()
	preferred, err := preferredVersions(srcDisc)
	if err != nil {
		return []runbook.Check{{Name: s.cfg.Source.Label + " API versions", Evidence: err.Error()}}
	}
	var checks []runbook.Check
	served := map[string][]string{} // group/version -> resources the target serves
	for _, gr := range clonedKinds {
		gv := schema.GroupVersion{Group: gr.Group, Version: preferred[gr.Group]}
		if gv.Version == "" {
			continue // the source does not serve the group at all
		}
		used, err := s.sourceUses(ctx, gv.WithResource(gr.Resource))
		if err != nil || !used {
			continue // nothing of this kind to clone; a list error shows in reachable
		}
		c := runbook.Check{Name: fmt.Sprintf("%s serves %s %s", s.cfg.Target.Label, gv, gr.Resource)}
		res, ok := served[gv.String()]
		if !ok {
			res, err = resourcesOf(dstDisc, gv)
			if err != nil {
				c.Evidence = err.Error()
				checks = append(checks, c)
				continue
			}
			served[gv.String()] = res
		}
		if slices.Contains(res, gr.Resource) {
			c.OK, c.Evidence = true, "the source uses it; the target serves it"
		} else {
			c.Evidence = fmt.Sprintf("the source has %s in %s and the target does not serve them: install the API (CRD or version) on the target first",
				gr.Resource, gv)
		}
		checks = append(checks, c)
	}
	return checks
}

// preferredVersions maps each API group the server has to its preferred
// version ("" is the core group).
func preferredVersions(d discovery.DiscoveryInterface) (map[string]string, error) {
	groups, err := d.ServerGroups()
	if err != nil {
		return nil, fmt.Errorf("list API groups: %w", err)
	}
	out := map[string]string{}
	for _, g := range groups.Groups {
		out[g.Name] = g.PreferredVersion.Version
	}
	return out, nil
}

func resourcesOf(d discovery.DiscoveryInterface, gv schema.GroupVersion) ([]string, error) {
	list, err := d.ServerResourcesForGroupVersion(gv.String())
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("discover %s on the target: %w", gv, err)
	}
	var out []string
	for _, r := range list.APIResources {
		out = append(out, r.Name)
	}
	return out, nil
}

// sourceUses reports whether the source has at least one object of the
// resource in the namespaces in scope.
func (s *Step) sourceUses(ctx context.Context, gvr schema.GroupVersionResource) (bool, error) {
	rc := s.cfg.Source.Kube.Discovery().RESTClient()
	for _, ns := range s.cfg.Namespaces {
		body, err := rc.Get().AbsPath(apiPath(gvr), "namespaces", ns, gvr.Resource).Param("limit", "1").DoRaw(ctx)
		if err != nil {
			return false, err
		}
		var list struct{ Items []json.RawMessage }
		if err := json.Unmarshal(body, &list); err != nil {
			return false, fmt.Errorf("list %s in %s: %w", gvr.Resource, ns, err)
		}
		if len(list.Items) > 0 {
			return true, nil
		}
	}
	return false, nil
}

func apiPath(gvr schema.GroupVersionResource) string {
	if gvr.Group == "" {
		return "/api/" + gvr.Version
	}
	return "/apis/" + gvr.Group + "/" + gvr.Version
}
