package tui

import (
	"slices"
	"testing"

	"github.com/ferry-dev/ferry/engine/runbook"
)

func TestConfirmWord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		g    guard
		side writeSide
		want string
	}{
		{"target", guard{environment: "sandbox", src: "KOPS", dst: "EKS"}, writesTarget, "y"},
		{"protected target", guard{environment: "production", protected: true, src: "KOPS", dst: "EKS"}, writesTarget, "production"},
		{"protected, no name", guard{protected: true, src: "KOPS", dst: "EKS"}, writesTarget, "EKS"},
		{"source", guard{environment: "sandbox", src: "KOPS", dst: "EKS"}, writesSource, "KOPS"},
		{"protected source", guard{environment: "production", protected: true, src: "KOPS"}, writesSource, "KOPS"},
		{"source, no label", guard{}, writesSource, "source"},
	}
	for _, tt := range tests {
		if got := tt.g.word(tt.side); got != tt.want {
			t.Errorf("%s: word %q, want %q", tt.name, got, tt.want)
		}
	}
	// Today's step kinds all write to the target.
	for _, kind := range []string{"preflight", "clone-k8s"} {
		for _, a := range []action{actApply, actRollback, actSkip} {
			if sideOf(kind, a) != writesTarget {
				t.Errorf("%s %s writes to the source", a, kind)
			}
		}
	}
}

// TestStateLook: every state has its own icon, so NO_COLOR loses nothing.
func TestStateLook(t *testing.T) {
	t.Parallel()
	st := plainStyles()
	seen := map[string]runbook.State{}
	for _, s := range stateOrder {
		icon, _ := stateLook(s, &st)
		if other, dup := seen[icon]; dup {
			t.Errorf("%s and %s share the icon %q", s, other, icon)
		}
		seen[icon] = s
	}
	if len(stateOrder) != 9 {
		t.Errorf("%d states in the title's order, want all 9", len(stateOrder))
	}
}

func TestUnifiedLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after string
		want          []string
	}{
		{"create", "", "a: 1\nb: 2\n", []string{"@@ -0,0 +1,2 @@", "+a: 1", "+b: 2"}},
		{"delete", "a: 1\n", "", []string{"@@ -1 +0,0 @@", "-a: 1"}},
		{"update", "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 9\nc: 3\n", []string{"@@ -1,3 +1,3 @@", " a: 1", "-b: 2", "+b: 9", " c: 3"}},
		{"same", "a: 1\n", "a: 1\n", nil},
		{"a removed yaml separator is a line, not a header", "---\na: 1\n", "a: 1\n", []string{"@@ -1,2 +1 @@", "----", " a: 1"}},
		{"escapes cleaned", "", "a: \x1b[31mred\n", []string{"@@ -0,0 +1 @@", "+a: red"}},
	}
	for _, tt := range tests {
		if got := unifiedLines(tt.before, tt.after); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRunbookLayout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ h, steps, list, detail, bottom int }{
		{19, 9, 6, 7, 4},  // 80x24
		{43, 9, 9, 23, 9}, // 160x48: every step shows
		{43, 2, 2, 30, 9}, // a short runbook leaves the room to the diff
		{19, 0, 1, 12, 4},
	} {
		list, detail, bottom := runbookLayout(tt.h, tt.steps)
		if list != tt.list || detail != tt.detail || bottom != tt.bottom {
			t.Errorf("layout(%d, %d) = %d, %d, %d; want %d, %d, %d", tt.h, tt.steps, list, detail, bottom, tt.list, tt.detail, tt.bottom)
		}
		if sum := 1 + list + 1 + detail + bottom; sum != tt.h {
			t.Errorf("layout(%d, %d) fills %d lines", tt.h, tt.steps, sum)
		}
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	p := runbook.Progress{Done: 3, Total: 7, Message: "Deployment orders/x"}
	if got := progressText(p); got != "3/7 Deployment orders/x" {
		t.Errorf("progressText = %q", got)
	}
	if got := progressText(runbook.Progress{Message: "identities: pass"}); got != "identities: pass" {
		t.Errorf("uncounted progressText = %q", got)
	}
	if got := progressBar(p, 7); got != "[███░░░░]" {
		t.Errorf("progressBar = %q", got)
	}
	if got := progressBar(runbook.Progress{Done: 9, Total: 7}, 4); got != "[████]" {
		t.Errorf("overfull progressBar = %q", got)
	}
}

func TestChangeSummary(t *testing.T) {
	t.Parallel()
	if got := changeSummary(ordersAPIPlan()); got != "2 create, 2 update, 0 delete, 1 unchanged, 1 note" {
		t.Errorf("changeSummary = %q", got)
	}
}
