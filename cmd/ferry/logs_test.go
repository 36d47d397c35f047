package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/cmd/internal/logscli"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestLogsFlagErrors(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"x --side left":             `--side "left": want source, target or both`,
		"x -o yaml":                 `--output "yaml": want text or json`,
		"x -e [":                    `--exclude "["`,
		"x --max-log-requests 0":    "want at least 1",
		"x --container-state stuck": `--container-state "stuck"`,
		"x -l a=b=c":                `--selector "a=b=c"`,
	} {
		_, err := run(t, append([]string{"logs"}, strings.Fields(args)...)...)
		if err == nil || !strings.Contains(err.Error(), want) || exitCode(err) != exitUsage {
			t.Errorf("ferry logs %s: %v, want a usage error with %q", args, err, want)
		}
	}
}

// jsonLines runs ferry logs -o json and parses its stdout; stderr comes
// back apart.
func jsonLines(t *testing.T, ctx context.Context, args ...string) ([]logscli.JSONLine, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(append([]string{"logs", "-o", "json"}, args...))
	err := cmd.ExecuteContext(ctx)
	var lines []logscli.JSONLine
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var j logscli.JSONLine
		if e := json.Unmarshal(sc.Bytes(), &j); e != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), e)
		}
		lines = append(lines, j)
	}
	return lines, errb.String(), err
}

// TestLogsBothSidesMerged: a service's lines from both clusters arrive
// tagged with their side and printed in time order.
func TestLogsBothSidesMerged(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	// A sandbox started moments ago may not have logged 20 lines a pod
	// yet: read until it has (or the deadline), then judge the last read.
	var lines []logscli.JSONLine
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Second) {
		var stderr string
		var err error
		lines, stderr, err = jsonLines(t, t.Context(), "checkout-api", "--no-follow", "--tail", "20")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if len(lines) >= 80 || time.Now().After(deadline) {
			break
		}
	}
	perSide := map[string]int{}
	pods := map[string]bool{}
	for i, l := range lines {
		perSide[l.Side]++
		pods[l.Side+"/"+l.Pod] = true
		if l.Namespace != "payments" || !strings.HasPrefix(l.Pod, "checkout-api-") {
			t.Errorf("line of another service: %+v", l)
		}
		if i > 0 && l.Time.Before(lines[i-1].Time) {
			t.Errorf("line %d at %s printed after one at %s", i, l.Time, lines[i-1].Time)
		}
	}
	// Two replicas a side, 20 lines of history each.
	if perSide["KOPS"] != 40 || perSide["EKS"] != 40 || len(pods) != 4 {
		t.Errorf("lines per side %v from pods %v; want 40 each from 2 pods a side", perSide, pods)
	}

	lines, _, err := jsonLines(t, t.Context(), "checkout-api", "--no-follow", "--tail", "3", "--side", "target")
	if err != nil || len(lines) != 6 || lines[0].Side != "EKS" || lines[5].Side != "EKS" {
		t.Errorf("--side target: %v, %d lines %+v", err, len(lines), lines)
	}
}

// TestLogsOneSidedService: a service only the source runs streams from the
// source with a note, and a selector matching nothing exits 1.
func TestLogsOneSidedService(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	lines, stderr, err := jsonLines(t, t.Context(), "orders/invoice-renderer", "--no-follow", "--tail", "2")
	if err != nil || len(lines) == 0 || !strings.Contains(stderr, "EKS does not run orders/invoice-renderer") {
		t.Fatalf("err %v, %d lines, stderr %q", err, len(lines), stderr)
	}
	for _, l := range lines {
		if l.Side != "KOPS" {
			t.Errorf("line from %s", l.Side)
		}
	}
	_, stderr, err = jsonLines(t, t.Context(), "no-such-service", "--no-follow")
	if exitCode(err) != exitFindings || !strings.Contains(stderr, `no containers match "no-such-service"`) {
		t.Errorf("nothing matched: exit %d, stderr %q", exitCode(err), stderr)
	}
}

// TestLogsFollowStopsCleanly: following, lines keep coming; cancelling (as
// Ctrl-C does) ends the command without an error and with no stream
// errors reported.
func TestLogsFollowStopsCleanly(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
	defer cancel()
	start := time.Now()
	lines, stderr, err := jsonLines(t, ctx, "auth-gateway", "--tail", "0")
	if err != nil || stderr != "" {
		t.Fatalf("stopping: %v, stderr %q", err, stderr)
	}
	fresh := 0
	for _, l := range lines {
		if l.Time.After(start) {
			fresh++
		}
	}
	if fresh == 0 {
		t.Errorf("no line written during the follow arrived (%d lines)", len(lines))
	}
}

// TestLogsOnlyOnTarget: over the crash-looping worker, the report names
// the error the target logs and the source never does. The crashed run
// (--previous) is read because the current one may have just begun.
func TestLogsOnlyOnTarget(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	_, stderr, err := jsonLines(t, t.Context(), "fulfillment-worker", "--previous", "--only-on-target", "1h")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "Only on EKS") || !strings.Contains(stderr, "connect to broker failed") {
		t.Errorf("no only-on-target report:\n%s", stderr)
	}
}
