// Package rewrite holds ferry's one mapping table — accounts, registries,
// renamed resources, storage and ingress classes, node selectors, kube2iam to
// IRSA — and applies it to Kubernetes objects (and later AWS specs), so the
// source side can be compared with the target and old-account references
// found.
package rewrite

// Mapping is the plan's mapping table in typed form. The plan package
// parses and validates it; everything here trusts it.
type Mapping struct {
	// Accounts maps old AWS account ids to new ones.
	Accounts map[string]string
	// Registries maps old image registry hosts (e.g. an ECR host) to new ones.
	Registries map[string]string
	// Names renames resources that carry their name into the new account.
	Names []Rename
	// StorageClasses and IngressClasses map class names.
	StorageClasses map[string]string
	IngressClasses map[string]string
	// NodeSelectors maps node selector labels (e.g. a KOPS instance group) to
	// the target's (e.g. an EKS node group).
	NodeSelectors []NodeSelectorRule
	// Namespaces maps source namespaces to target ones; absent means same.
	Namespaces map[string]string
	// KMSKeys maps the old account's KMS keys (key id, key ARN, alias or
	// alias ARN) to the new account's (alias, key id or ARN): data copied
	// into the new account is encrypted with the mapped key. A key id has
	// no name that carries over between accounts; aliases may.
	KMSKeys map[string]string
	// IRSA turns the kube2iam/kiam pod annotation iam.amazonaws.com/role
	// into the ServiceAccount annotation eks.amazonaws.com/role-arn.
	IRSA bool
	// Ignore lists metadata keys whose differences are never drift and never
	// references (other tools' bookkeeping). Entries may end in "*".
	Ignore Ignore
}

// Rename maps one resource name (or, with a trailing "*" on both sides, a
// prefix) of a kind to its new name.
type Rename struct {
	Kind string // bucket, queue, table, role, secret, topic, cluster, ...
	From string // e.g. "acme-legacy-*"
	To   string // e.g. "acme-platform-*"
}

// NodeSelectorRule replaces a set of node selector labels with another.
type NodeSelectorRule struct {
	From map[string]string
	To   map[string]string
}

// Ignore lists annotation and label keys to leave out of comparisons.
type Ignore struct {
	Annotations []string
	Labels      []string
}
