// Package secrets holds the runbook steps that copy Secrets Manager secrets
// (NewSecretStep) and SSM parameters (NewParameterStep) from the old AWS
// account into the new one: value, description, tags and KMS key, each
// through the plan's mapping, so a secret holding an old queue URL comes
// out holding the new one.
//
// Values are never shown, logged or journaled. Plans and evidence show a
// value as its sha256 prefix and size; Verify compares by hash; undo
// records hold whether a secret or parameter existed, its version and the
// hash of its value, never the value; errors pass through a mask of every
// value the step handled, because AWS validation errors quote the values
// they refuse.
//
// Rollback deletes what the step created (a secret without a recovery
// window: the value lives on in the old account) and puts back what it
// overwrote from the service's own history: a secret's previous version
// becomes AWSCURRENT again (UpdateSecretVersionStage), a parameter's
// previous version is read by its version number and written again. A
// value changed by someone else since the clone wrote it is never undone:
// the rollback refuses, naming it.
//
// The old account is only ever read: the source clients' types have no
// method that writes.
package secrets
