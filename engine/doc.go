// Package engine is ferry's migration domain: the plan file, connections to
// both clusters and both AWS accounts, the live inventory, the rewrite table,
// clone and cutover steps, and the runbook that journals them. It imports
// client-go and the AWS SDK, never the TUI or bubbletea (arch_test.go
// enforces that).
package engine
