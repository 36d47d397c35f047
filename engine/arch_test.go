package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRule enforces DESIGN.md's one rule: engine and logs never
// import the TUI or bubbletea — their tests included (-test), so a test
// helper cannot bring the UI in either.
func TestDependencyRule(t *testing.T) {
	t.Parallel()
	mod, err := exec.Command("go", "list", "-m").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	module := strings.TrimSpace(string(mod))
	out, err := exec.Command("go", "list", "-deps", "-test", module+"/engine/...", module+"/logs/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	ui := module + "/tui"
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned only %d packages; the check would prove nothing", len(deps))
	}
	for _, d := range deps {
		if strings.Contains(d, "bubbletea") || strings.Contains(d, "lipgloss") || d == ui || strings.HasPrefix(d, ui+"/") {
			t.Errorf("engine or logs depends on %s; keep UI packages out of them", d)
		}
	}
}
