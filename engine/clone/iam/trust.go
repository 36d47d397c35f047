package iam

import (
	"fmt"
	"slices"
	"strings"
)

// stsAudience is the audience EKS pod identity tokens carry for IAM.
const stsAudience = "sts.amazonaws.com"

// issuerHost is the issuer URL without its scheme: the name IAM gives the
// OIDC provider and the prefix of its condition keys.
func issuerHost(issuer string) string {
	return strings.TrimSuffix(strings.TrimPrefix(issuer, "https://"), "/")
}

// providerARN is the OIDC provider's ARN in the target account.
func (s *roleStep) providerARN() string {
	return "arn:aws:iam::" + s.TargetAccount + ":oidc-provider/" + issuerHost(s.cfg.OIDCIssuer)
}

// irsa reports whether the step was given what an IRSA trust needs.
func (s *roleStep) irsa() bool { return s.cfg.OIDCIssuer != "" && len(s.cfg.Subjects) > 0 }

// isNodeRole reports whether principal is a KOPS node role kube2iam
// assumes roles from.
func (s *roleStep) isNodeRole(principal string) bool {
	if len(s.cfg.NodeRoles) > 0 {
		return slices.Contains(s.cfg.NodeRoles, principal)
	}
	return strings.HasPrefix(principal, "arn:aws:iam::"+s.SourceAccount+":role/nodes.")
}

// mapTrust is the trust policy the role should have in the new account:
// the source's with account ids mapped, except that a statement letting
// the KOPS node role assume the role (kube2iam) gives way to one letting
// the target cluster's service accounts assume it through the cluster's
// OIDC provider (IRSA). It also says whether kube2iam was found.
func (s *roleStep) mapTrust(src string) (string, bool, error) {
	v, err := parse(src)
	if err != nil {
		return "", false, s.Fail("trust policy: %w; fix it in the old account", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return "", false, s.Fail("trust policy is not a JSON object; fix it in the old account")
	}
	var out []any
	found := false
	for _, st := range statementsOf(doc) {
		kept, hit := s.dropNodeRoles(st)
		found = found || hit
		if kept != nil {
			out = append(out, kept)
		}
	}
	if found {
		if !s.irsa() {
			return "", true, s.Fail("its trust policy lets the kube2iam node role assume it, which means nothing on EKS; give the step the target cluster's OIDC issuer and the service accounts that use the role (IRSA)")
		}
		out = append(out, s.irsaStatement())
	}
	doc["Statement"] = out
	mapped, err := mapDoc(s.Mapping, encode(doc, false))
	return mapped, found, err
}

// dropNodeRoles removes the node roles from an sts:AssumeRole statement's
// AWS principals. It returns the statement left (nil when nothing is) and
// whether it removed any.
func (s *roleStep) dropNodeRoles(st any) (any, bool) {
	m, ok := st.(map[string]any)
	if !ok || m["Effect"] != "Allow" {
		return st, false
	}
	p, ok := m["Principal"].(map[string]any)
	if !ok || !slices.Contains(asStrings(m["Action"]), "sts:AssumeRole") {
		return st, false
	}
	aws := asStrings(p["AWS"])
	kept := slices.DeleteFunc(slices.Clone(aws), s.isNodeRole)
	if len(kept) == len(aws) {
		return st, false
	}
	if len(kept) == 0 && len(p) == 1 {
		return nil, true
	}
	np := map[string]any{}
	for k, v := range p {
		np[k] = v
	}
	if len(kept) == 0 {
		delete(np, "AWS")
	} else {
		np["AWS"] = kept
	}
	nm := map[string]any{}
	for k, v := range m {
		nm[k] = v
	}
	nm["Principal"] = np
	return nm, true
}

// irsaStatement lets the subjects' tokens from the target cluster's issuer
// assume the role.
func (s *roleStep) irsaStatement() map[string]any {
	host := issuerHost(s.cfg.OIDCIssuer)
	subs := slices.Sorted(slices.Values(s.cfg.Subjects))
	var sub any = subs
	if len(subs) == 1 {
		sub = subs[0]
	}
	return map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Federated": s.providerARN()},
		"Action":    "sts:AssumeRoleWithWebIdentity",
		"Condition": map[string]any{"StringEquals": map[string]any{
			host + ":sub": sub,
			host + ":aud": stsAudience,
		}},
	}
}

// asStrings reads a string-or-list policy element.
func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// irsaEvidence checks a trust policy read back from the new account: a
// statement trusts the target's OIDC provider for AssumeRoleWithWebIdentity
// with each subject and the STS audience. It returns what is missing.
func (s *roleStep) irsaEvidence(trust string) []string {
	v, err := parse(trust)
	if err != nil {
		return []string{err.Error()}
	}
	host := issuerHost(s.cfg.OIDCIssuer)
	for _, st := range statementsOf(v) {
		m, _ := st.(map[string]any)
		p, _ := m["Principal"].(map[string]any)
		if p == nil || !slices.Contains(asStrings(p["Federated"]), s.providerARN()) ||
			!slices.Contains(asStrings(m["Action"]), "sts:AssumeRoleWithWebIdentity") {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		var missing []string
		for _, sub := range s.cfg.Subjects {
			if !slices.Contains(asStrings(eq[host+":sub"]), sub) {
				missing = append(missing, fmt.Sprintf("condition %s:sub lacks %s", host, sub))
			}
		}
		if !slices.Contains(asStrings(eq[host+":aud"]), stsAudience) {
			missing = append(missing, fmt.Sprintf("condition %s:aud is not %s", host, stsAudience))
		}
		return missing
	}
	return []string{fmt.Sprintf("no statement lets %s assume the role with a web identity", s.providerARN())}
}

// statementsOf is a parsed document's statements, a lone one as a list.
func statementsOf(v any) []any {
	m, _ := v.(map[string]any)
	switch st := m["Statement"].(type) {
	case []any:
		return st
	case map[string]any:
		return []any{st}
	}
	return nil
}
