package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeanDependencies: ferry-logs, built as make build builds it, links
// none of what makes ferry heavy before main (AWS service clients beyond
// the ones EKS sign-in needs, the clone steps, the runbook, the cockpit).
// An import that brings one back costs every `ferry logs` its memory.
func TestLeanDependencies(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-tags", "ferrylogs", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	eksSignIn := map[string]bool{"eks": true, "sts": true, "sso": true, "ssooidc": true, "signin": true}
	deps := strings.Fields(string(out))
	for _, p := range deps {
		if svc, ok := strings.CutPrefix(p, "github.com/aws/aws-sdk-go-v2/service/"); ok {
			if name, _, _ := strings.Cut(svc, "/"); !eksSignIn[name] && name != "internal" {
				t.Errorf("ferry-logs links %s", p)
			}
		}
		for _, heavy := range []string{"github.com/ferry-dev/ferry/tui", "github.com/ferry-dev/ferry/engine/runbook",
			"github.com/ferry-dev/ferry/engine/clone", "github.com/ferry-dev/ferry/engine/cutover", "charm.land/"} {
			if strings.HasPrefix(p, heavy) {
				t.Errorf("ferry-logs links %s", p)
			}
		}
	}
	if len(deps) < 100 || !strings.Contains(string(out), "github.com/ferry-dev/ferry/cmd/internal/logscli") {
		t.Fatalf("go list -deps printed %d packages without logscli: %.300s", len(deps), out)
	}
}
