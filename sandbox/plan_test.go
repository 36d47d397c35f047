package sandbox

import (
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/engine/plan"
)

// The shipped plan parses, and a sandbox on other ports gets its own web
// endpoints in it (the file names the default ports).
func TestPlanFollowsThePorts(t *testing.T) {
	t.Parallel()
	def := Config{PortBase: DefaultPortBase}
	if _, err := plan.Parse("ferry.yaml", def.plan()); err != nil {
		t.Fatalf("the sandbox plan does not parse: %v", err)
	}
	other := Config{PortBase: 20100}
	got := string(other.plan())
	for _, side := range Sides() {
		if strings.Contains(got, def.WebURL(side)) || !strings.Contains(got, other.WebURL(side)+"/orders") {
			t.Errorf("plan on port base 20100 still names %s or lacks %s", def.WebURL(side), other.WebURL(side))
		}
	}
	p, err := plan.Parse("ferry.yaml", other.plan())
	if err != nil || p.Cutover == nil || p.Cutover.Service != "orders-api" {
		t.Fatalf("cutover = %+v, %v", p.Cutover, err)
	}
}
