package main

import (
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// TestPrintChecksIndentsEvidence: evidence of several lines stays under
// its check, and a failing check makes the result false.
func TestPrintChecksIndentsEvidence(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	ok := printChecks(&b, "aws/rds-cluster/events", []runbook.Check{
		{Name: "available", OK: true, Evidence: "cluster events is available\nmember events-1 is available\n"},
		{Name: "configuration", OK: false, Evidence: "port 5432 vs 3306"},
	})
	want := "verify aws/rds-cluster/events\n" +
		"  pass available: cluster events is available\n" +
		"       member events-1 is available\n" +
		"  FAIL configuration: port 5432 vs 3306\n"
	if ok || b.String() != want {
		t.Errorf("ok=%v, printed:\n%s\nwant:\n%s", ok, b.String(), want)
	}
}
