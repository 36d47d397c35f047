package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRule enforces DESIGN.md's one rule: engine and logs never
// import the TUI or bubbletea.
func TestDependencyRule(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/ferry-dev/ferry/engine/...", "github.com/ferry-dev/ferry/logs/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	for _, d := range deps {
		if strings.Contains(d, "bubbletea") || strings.Contains(d, "lipgloss") || strings.HasPrefix(d, "github.com/ferry-dev/ferry/tui") {
			t.Errorf("engine or logs depends on %s; keep UI packages out of them", d)
		}
	}
}
