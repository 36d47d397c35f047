package plan

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// Default labels and colours. The colours are an orange and a blue that stay
// apart on dark and light terminals and for the common colour blindnesses.
const (
	DefaultSourceLabel       = "source"
	DefaultTargetLabel       = "target"
	DefaultSourceColor Color = "#ff8700"
	DefaultTargetColor Color = "#00afff"
)

// build turns a validated raw plan into the typed Plan, filling defaults.
func build(r *rawPlan) *Plan {
	p := &Plan{
		Environment: Environment{Name: r.Environment.Name, Protected: r.Environment.Protected},
		Source:      buildSide(r.Source, DefaultSourceLabel),
		Target:      buildSide(r.Target, DefaultTargetLabel),
		Namespaces:  slices.Clone(r.Namespaces),
		Mapping:     buildMapping(r),
		Resources: Resources{SQS: slices.Clone(r.Resources.SQS), DynamoDB: slices.Clone(r.Resources.DynamoDB),
			S3: slices.Clone(r.Resources.S3), IAM: slices.Clone(r.Resources.IAM), RDS: slices.Clone(r.Resources.RDS),
			RDSClusters: slices.Clone(r.Resources.RDSClusters), RDSShareKey: r.Resources.RDSShareKey, Route53: slices.Clone(r.Resources.Route53), Secrets: slices.Clone(r.Resources.Secrets), SSM: slices.Clone(r.Resources.SSM)},
		Cutover: buildCutover(r.Cutover),
	}
	p.Source.Color, p.Target.Color = defaultColors(p.Source.Color, p.Target.Color)
	for _, s := range r.Services {
		svc := Service{Namespace: s.Namespace, Name: s.Name}
		for _, pr := range s.Probes {
			svc.Probes = append(svc.Probes, buildProbe(pr))
		}
		p.Services = append(p.Services, svc)
	}
	return p
}

func buildSide(s rawSide, label string) Side {
	out := Side{
		Label: s.Label,
		Color: normalColor(s.Color),
		Kube:  KubeTarget{Context: s.Kube.Context},
		AWS:   AWS{Profile: s.AWS.Profile, Region: s.AWS.Region, Account: s.AWS.Account, Alias: s.AWS.Alias},
	}
	if out.Label == "" {
		out.Label = label
	}
	if e := s.Kube.EKS; e != nil {
		out.Kube.EKSCluster, out.Kube.EKSRegion = e.Cluster, e.Region
		if e.Region == "" {
			out.Kube.EKSRegion = s.AWS.Region
		}
	}
	return out
}

// normalColor writes hex in lower case and ANSI numbers without leading zeros.
func normalColor(c string) Color {
	if n, err := strconv.Atoi(c); err == nil {
		return Color(strconv.Itoa(n))
	}
	return Color(strings.ToLower(c))
}

// defaultColors fills unset colours so the two sides never share one.
func defaultColors(src, dst Color) (Color, Color) {
	if src == "" {
		src = DefaultSourceColor
		if dst == src {
			src = DefaultTargetColor
		}
	}
	if dst == "" {
		dst = DefaultTargetColor
		if src == dst {
			dst = DefaultSourceColor
		}
	}
	return src, dst
}

func buildMapping(r *rawPlan) rewrite.Mapping {
	m := r.Mapping
	out := rewrite.Mapping{
		Accounts:       maps.Clone(m.Accounts),
		Registries:     maps.Clone(m.Registries),
		StorageClasses: maps.Clone(m.StorageClasses),
		IngressClasses: maps.Clone(m.IngressClasses),
		Namespaces:     maps.Clone(m.Namespaces),
		KMSKeys:        maps.Clone(m.KMSKeys),
		IRSA:           m.IRSA,
		Ignore: rewrite.Ignore{
			Annotations: slices.Clone(m.Ignore.Annotations),
			Labels:      slices.Clone(m.Ignore.Labels),
		},
	}
	// The sides' accounts are the one rule every plan has; writing it in the
	// mapping is optional.
	if out.Accounts == nil {
		out.Accounts = map[string]string{}
	}
	out.Accounts[r.Source.AWS.Account] = r.Target.AWS.Account
	for _, n := range m.Names {
		out.Names = append(out.Names, rewrite.Rename{Kind: n.Kind, From: n.From, To: n.To})
	}
	for _, ns := range m.NodeSelectors {
		out.NodeSelectors = append(out.NodeSelectors, rewrite.NodeSelectorRule{From: maps.Clone(ns.From), To: maps.Clone(ns.To)})
	}
	return out
}

func buildProbe(r rawProbe) Probe {
	p := Probe{Name: r.Name, Path: r.Path, Method: strings.ToUpper(r.Method), Expect: r.Expect,
		Headers: maps.Clone(r.Headers), Body: r.Body, Compare: slices.Clone(r.Compare), CompareBody: r.CompareBody}
	if r.SourceURL != "" {
		p.SourceURL, p.TargetURL = parseHTTPURL(r.SourceURL), parseHTTPURL(r.TargetURL)
	}
	if p.Method == "" {
		p.Method = "GET"
	}
	if p.Expect == 0 {
		p.Expect = 200
	}
	return p
}
