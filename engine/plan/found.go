package plan

// AWSFound is what `ferry init` found in the old account, kind by kind in
// the order of the plan's resources section.
type AWSFound struct {
	// Skipped says why the old account was not read (--no-aws, no source
	// profile); "" when it was.
	Skipped string
	// Account and Region are where it was read; they keep a reference to
	// another account's or region's resource of the same name from counting.
	Account, Region string
	Kinds           []FoundKind
}

// FoundKind is one kind's listing. When Err is set the listing failed and
// Resources holds only what the workloads' references name of that kind.
type FoundKind struct {
	Key       string // the plan's key under resources: sqs, dynamodb, ...
	What      string // "queues", for messages
	Action    string // the IAM action the listing needs, for the fix
	Resources []FoundResource
	Err       error
}

// FoundResource is one resource of the old account (or, for an SSM path
// prefix ending in /, a group of parameters).
type FoundResource struct {
	Name string
	Note string // what else is worth knowing: "private zone", "12 parameters"
	// UsedBy are the workloads (namespace/name) that reference it, sorted.
	UsedBy []string
	// aliases are other strings naming it that a workload may hold: a
	// queue's URL, a zone's id, a DB instance's endpoint host.
	aliases []string
}
