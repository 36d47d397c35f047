package inventory

import "testing"

// TestDescribe: a state in words with the plan's labels; an unknown side
// is named, not guessed.
func TestDescribe(t *testing.T) {
	t.Parallel()
	for state, want := range map[string]string{
		StateOnlySource: "only on KOPS", StateOnlyTarget: "only on EKS",
		StateFailingTarget: "failing on EKS", StateFailingSource: "failing on KOPS",
		StateRollingOut: "rolling out on EKS", StateDrifted: "drifted",
		StateInSync: "in sync", StateUnknown: "unknown on EKS",
	} {
		if got := (Pair{State: state}).Describe("KOPS", "EKS"); got != want {
			t.Errorf("%s: got %q, want %q", state, got, want)
		}
	}
	src := Pair{State: StateUnknown, Target: &Workload{}}
	if got := src.Describe("KOPS", "EKS"); got != "unknown on KOPS" {
		t.Errorf("source not listed yet: %q", got)
	}
}
