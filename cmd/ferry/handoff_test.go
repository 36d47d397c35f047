package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/cmd/internal/handoff"
)

const handoffFlag = "-X github.com/ferry-dev/ferry/cmd/internal/handoff.Stamp="

// buildPair builds ferry and ferry-logs into dir as make build does, both
// with stamp, and returns ferry's path.
func buildPair(tb testing.TB, dir, stamp string) string {
	tb.Helper()
	goBuild(tb, "-ldflags", handoffFlag+stamp, "-o", filepath.Join(dir, "ferry"), ".")
	buildLean(tb, dir, stamp)
	return filepath.Join(dir, "ferry")
}

func buildLean(tb testing.TB, dir, stamp string) {
	tb.Helper()
	goBuild(tb, "-tags", "ferrylogs", "-ldflags", handoffFlag+stamp, "-o", filepath.Join(dir, "ferry-logs"), "../ferry-logs")
}

func goBuild(tb testing.TB, args ...string) {
	tb.Helper()
	if out, err := exec.CommandContext(tb.Context(), "go", append([]string{"build"}, args...)...).CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// copyFerry puts a copy of the ferry binary into dir.
func copyFerry(tb testing.TB, ferry, dir string) string {
	tb.Helper()
	data, err := os.ReadFile(ferry)
	if err != nil {
		tb.Fatal(err)
	}
	dst := filepath.Join(dir, "ferry")
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// ferryRun is one run of a built ferry with Go's init trace on.
type ferryRun struct {
	stdout, stderr string
	code           int
	inits          []string // the packages initialised, in order
}

func runBuilt(t *testing.T, ferry string, env []string, args ...string) ferryRun {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), ferry, args...)
	cmd.Env = append(append(os.Environ(), "GODEBUG=inittrace=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var r ferryRun
	r.stdout = out.String()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rest []string
	for line := range strings.Lines(errb.String()) {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" && strings.HasPrefix(f[2], "@") {
			r.inits = append(r.inits, f[1])
		} else {
			rest = append(rest, line)
		}
	}
	r.stderr = strings.Join(rest, "")
	return r
}

func (r ferryRun) initialised(prefix string) bool {
	for _, p := range r.inits {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// TestHandoff: `ferry logs` built by make build goes over to ferry-logs
// before ferry's AWS clients initialise, and reads and exits as ferry
// itself would; a ferry-logs of another build gives the command back, and
// without one ferry runs it.
func TestHandoff(t *testing.T) {
	t.Parallel()
	stamp := fmt.Sprint(time.Now().UnixNano())
	ferry, other := buildPair(t, t.TempDir(), stamp), t.TempDir()
	buildLean(t, other, stamp+"x")
	pairs := map[string]string{
		"same build":    ferry,
		"another build": copyFerry(t, ferry, other),
		"no ferry-logs": copyFerry(t, ferry, t.TempDir()),
	}
	const rds = "github.com/aws/aws-sdk-go-v2/service/rds" // in ferry, not in ferry-logs
	inProcess := []string{handoff.EnvInProcess + "=1"}
	for _, args := range [][]string{{"logs", "--help"}, {"logs", "x", "--side", "left"}} {
		want := runBuilt(t, pairs["same build"], inProcess, args...)
		if !want.initialised(rds) {
			t.Fatalf("%s: %s ran in ferry without initialising %s; the test cannot tell where a command runs", args, handoff.EnvInProcess, rds)
		}
		for name, ferry := range pairs {
			got := runBuilt(t, ferry, nil, args...)
			if got.stdout != want.stdout || got.stderr != want.stderr || got.code != want.code {
				t.Errorf("%s, ferry %s: exit %d, stdout %q, stderr %q; want what ferry does in-process: exit %d, %q, %q",
					name, strings.Join(args, " "), got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
			}
			if handed := !got.initialised(rds); handed != (name == "same build") {
				t.Errorf("%s, ferry %s: handed over to ferry-logs = %v", name, strings.Join(args, " "), handed)
			}
		}
	}
	// In ferry the hand-off runs before any heavy initialiser, or their
	// memory would stay resident through exec.
	order := runBuilt(t, pairs["same build"], inProcess, "logs", "--help")
	for _, p := range order.inits {
		if p == "github.com/ferry-dev/ferry/cmd/internal/handoff" {
			return
		}
		for _, heavy := range []string{"github.com/aws/aws-sdk-go-v2/service/", "k8s.io/", "charm.land/", "github.com/ferry-dev/"} {
			if strings.HasPrefix(p, heavy) {
				t.Fatalf("%s initialised before the hand-off; keep cmd/internal/handoff's imports to basic standard packages", p)
			}
		}
	}
	t.Fatal("cmd/internal/handoff was never initialised")
}
