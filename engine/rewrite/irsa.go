package rewrite

import (
	"cmp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ApplyToService applies the mapping to each of one service's source
// objects (ApplyToSource) and then the one rule that spans objects: with
// m.IRSA, the role in a workload's kube2iam pod annotation goes onto the
// ServiceAccount the pods run as, as eks.amazonaws.com/role-arn. When the
// source side has no such ServiceAccount one is added, because on EKS the
// role can live nowhere else.
func ApplyToService(m Mapping, objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if o != nil {
			out = append(out, ApplyToSource(m, o))
		}
	}
	if !m.IRSA {
		return out
	}
	done := map[string]bool{}
	for _, b := range roleBindings(m, objs) {
		if id := b.namespace + "/" + b.account; !done[id] {
			done[id] = true
			out = bindRole(out, b)
		}
	}
	return out
}

// roleBinding is a ServiceAccount (target namespace and name) and the role
// ARN it should carry.
type roleBinding struct {
	workload, namespace, account, role string
}

// roleBindings reads the kube2iam roles off the source workloads, sorted
// by workload so that when two workloads share a ServiceAccount with
// different roles the same one wins every time.
func roleBindings(m Mapping, objs []*unstructured.Unstructured) []roleBinding {
	var out []roleBinding
	for _, o := range objs {
		if o == nil {
			continue
		}
		metas := templateMetas(o.GetKind())
		if len(metas) == 0 {
			continue
		}
		role, _, _ := unstructured.NestedString(o.Object, append(strings.Split(metas[0], "."), "annotations", kube2iamAnnotation)...)
		if role == "" {
			continue
		}
		ns := o.GetNamespace()
		if to := m.Namespaces[ns]; to != "" {
			ns = to
		}
		out = append(out, roleBinding{o.GetName(), ns, rewriteString(m, serviceAccountOf(o)), roleARN(m, role)})
	}
	slices.SortFunc(out, func(a, b roleBinding) int { return cmp.Compare(a.workload, b.workload) })
	return out
}

// serviceAccountOf is the ServiceAccount a workload's pods run as.
func serviceAccountOf(o *unstructured.Unstructured) string {
	specs := podSpecs(o.GetKind())
	path := strings.Split(specs[0], ".")
	for _, f := range []string{"serviceAccountName", "serviceAccount"} {
		if sa, _, _ := unstructured.NestedString(o.Object, append(path, f)...); sa != "" {
			return sa
		}
	}
	return "default"
}

// roleARN turns a kube2iam annotation value into the target's role ARN. A
// bare role name lives in the target account; when the mapping has more
// than one target account it cannot be placed, and the bare name is kept so
// that it shows up as drift rather than as a guessed ARN.
func roleARN(m Mapping, role string) string {
	if strings.HasPrefix(role, "arn:") {
		return rewriteString(m, role)
	}
	account := targetAccount(m)
	if account == "" {
		return role
	}
	return rewriteString(m, "arn:aws:iam::"+account+":role/"+strings.TrimPrefix(role, "/"))
}

// targetAccount is the only new account of the mapping, or "".
func targetAccount(m Mapping) string {
	account := ""
	for _, to := range m.Accounts {
		if account != "" && to != account {
			return ""
		}
		account = to
	}
	return account
}

// bindRole sets the role on the ServiceAccount, adding one if needed.
func bindRole(objs []*unstructured.Unstructured, b roleBinding) []*unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == "ServiceAccount" && o.GetName() == b.account && o.GetNamespace() == b.namespace {
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[irsaAnnotation] = b.role
			o.SetAnnotations(ann)
			return objs
		}
	}
	sa := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount"}}
	sa.SetName(b.account)
	sa.SetNamespace(b.namespace)
	sa.SetAnnotations(map[string]string{irsaAnnotation: b.role})
	return append(objs, sa)
}
