package plan

import (
	_ "embed"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

// Starter is what `ferry init` writes a starter plan from: its flags, what
// Discover found and, when profiles were given, the accounts they resolve to
// and the old account's resources (DiscoverAWS, MarkReferences).
type Starter struct {
	Environment string
	Source      StarterSide
	Target      StarterSide
	Found       Discovery
	AWS         AWSFound
}

// StarterSide is one side as ferry init knows it. Empty fields are written
// as placeholders the plan's validation then asks for.
type StarterSide struct {
	Context string
	Profile string
	Region  string
	Account string
}

//go:embed starter.yaml.tmpl
var starterText string

var starterTmpl = template.Must(template.New("starter").Funcs(template.FuncMap{"q": yamlScalar}).Parse(starterText))

// RenderStarter writes a commented starter plan. The output depends only on
// s, so the same clusters always give the same file.
func RenderStarter(w io.Writer, s Starter) error {
	return starterTmpl.Execute(w, newStarterView(s))
}

// starterView is Starter with the template's decisions made in Go.
type starterView struct {
	Starter
	Src, Dst         sideView
	Registries       []pair
	OtherRegistries  string
	Storage, Ingress classRule
	Nodes            *pair  // node selector rule, when each side has one pool
	NodeNote         string // otherwise, what was found
	IRSA             bool
	Resources        resourcesView
}

type sideView struct {
	StarterSide
	Label string
	Color Color
}

type pair struct{ From, To string }

// classRule is a proposed class mapping, or a note on why there is none.
type classRule struct {
	Rule *pair
	Note string
}

func newStarterView(s Starter) starterView {
	v := starterView{Starter: s,
		Src: sideView{StarterSide: s.Source, Label: poolLabel(s.Found.Source, "KOPS", s.Source.Context), Color: DefaultSourceColor},
		Dst: sideView{StarterSide: s.Target, Label: poolLabel(s.Found.Target, "EKS", s.Target.Context), Color: DefaultTargetColor},
	}
	if strings.EqualFold(v.Src.Label, v.Dst.Label) {
		v.Src.Label, v.Dst.Label = s.Source.Context, s.Target.Context
	}
	v.Registries, v.OtherRegistries = registryRules(s)
	v.Storage = proposeClass(s.Found.Source.StorageClasses, s.Found.Target.StorageClasses,
		s.Found.Source.DefaultStorageClass, s.Found.Target.DefaultStorageClass)
	v.Ingress = proposeClass(s.Found.Source.IngressClasses, s.Found.Target.IngressClasses,
		s.Found.Source.DefaultIngressClass, s.Found.Target.DefaultIngressClass)
	src, dst := s.Found.Source.NodeGroups, s.Found.Target.NodeGroups
	if len(src) == 1 && len(dst) == 1 {
		v.Nodes = &pair{src[0], dst[0]}
	} else if len(src) > 0 || len(dst) > 0 {
		v.NodeNote = "source " + KopsInstanceGroupLabel + ": " + list(src) + "; target " + EKSNodeGroupLabel + ": " + list(dst)
	}
	v.IRSA = len(dst) > 0 // EKS nodes: pods get AWS roles through IRSA
	v.Resources = newResourcesView(s)
	return v
}

// poolLabel names a side after its kind of cluster when its nodes show it.
func poolLabel(f ClusterFacts, kind, context string) string {
	if len(f.NodeGroups) > 0 {
		return kind
	}
	return context
}

// ecrHost matches an ECR registry: ACCOUNT.dkr.ecr.REGION.amazonaws.com.
var ecrHost = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// registryRules maps the source account's ECR registries to the target
// account's; other registries are listed for the reader to decide.
func registryRules(s Starter) (rules []pair, others string) {
	var rest []string
	for _, host := range s.Found.Registries {
		m := ecrHost.FindStringSubmatch(host)
		if m != nil && m[1] == s.Source.Account && s.Target.Account != "" {
			rules = append(rules, pair{host, s.Target.Account + host[12:]})
			continue
		}
		rest = append(rest, host)
	}
	return rules, strings.Join(rest, ", ")
}

func proposeClass(src, dst []string, srcDef, dstDef string) classRule {
	switch {
	case srcDef != "" && dstDef != "" && srcDef == dstDef:
		return classRule{Note: srcDef + " on both sides: nothing to map"}
	case srcDef != "" && dstDef != "":
		return classRule{Rule: &pair{srcDef, dstDef}}
	}
	return classRule{Note: "FILL IN: no default to pair on each side; source has " + classList(src, srcDef) +
		", target has " + classList(dst, dstDef) + ": map each source class in use, OLD: NEW"}
}

func classList(all []string, def string) string {
	if def != "" {
		return list(all) + " (default " + def + ")"
	}
	return list(all)
}

func list(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

// plainScalar is what can be written unquoted without YAML reading it as
// something else.
var plainScalar = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._/-]*$`)

// yamlScalar writes a string as YAML: plain when that is unambiguous, else
// double-quoted (Go's quoting is valid YAML for the text ferry writes).
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		return strconv.Quote(s)
	}
	if plainScalar.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}
