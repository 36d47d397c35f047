package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
	"github.com/ferry-dev/ferry/tui"
)

// vtScreen feeds a program's output into a terminal emulator, so a test
// reads the screen as the user sees it rather than the renderer's diffs.
type vtScreen struct {
	t   *testing.T
	emu *vt.SafeEmulator
}

func newVTScreen(t *testing.T, r io.Reader, w, h int) *vtScreen {
	s := &vtScreen{t: t, emu: vt.NewSafeEmulator(w, h)}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				// A pty's line discipline turns \n into \r\n (onlcr); the
				// renderer counts on it, and a buffer does not do it.
				_, _ = s.emu.Write(bytes.ReplaceAll(buf[:n], []byte("\n"), []byte("\r\n")))
			}
			if err == io.EOF {
				time.Sleep(10 * time.Millisecond) // teatest's buffer: more may come
				continue
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { _, _ = io.Copy(io.Discard, s.emu) }() // answers to terminal queries
	return s
}

func (s *vtScreen) text() string { return ansi.Strip(s.emu.Render()) }

// waitFor waits until ok accepts the screen and returns it.
func (s *vtScreen) waitFor(d time.Duration, what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		txt := s.text()
		if ok(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s still waiting for %s; screen:\n%s", d, what, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func containsAll(want ...string) func(string) bool {
	return func(s string) bool {
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}
}

func key(code rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code} }

// sandboxCockpit is the cockpit's Config as `ferry` builds it, on the
// sandbox, with its inventory running until the test ends.
func sandboxCockpit(t *testing.T) tui.Config {
	env := sandboxtest.Get(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p, err := plan.Load(env.SB.Config().PlanPath())
	if err != nil {
		t.Fatal(err)
	}
	kc := env.SB.Config().KubeconfigPath()
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value) // the AWS profiles
	}
	src, err := cluster.Connect(ctx, cli.SideConfig(p.Source, kc))
	if err != nil {
		t.Fatal(err)
	}
	dst, err := cluster.Connect(ctx, cli.SideConfig(p.Target, kc))
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.New(src.Kube, dst.Kube, inventory.Config{SourceName: p.Source.Label, TargetName: p.Target.Label,
		Namespaces: p.Namespaces, Mapping: p.Mapping})
	go func() { _ = inv.Run(ctx) }()
	return cockpitConfig(p, src, dst, inv, cockpitOptions{}, slog.New(slog.DiscardHandler))
}

// TestCockpitJourney: open the cockpit on the sandbox, find the drifted
// ledger, open its diff and see the seeded drift, open its logs and see
// lines from both clusters, filter them to errors, quit.
func TestCockpitJourney(t *testing.T) {
	cfg := sandboxCockpit(t)
	const w, h = 160, 48
	tm := teatest.NewTestModel(t, tui.New(cfg), teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	scr := newVTScreen(t, tm.Output(), w, h)
	scr.waitFor(30*time.Second, "every service on both sides",
		containsAll("ledger", "checkout-api", "only on KOPS", "failing on EKS", "drifted"))

	tm.Type("/ledger")
	tm.Send(key(tea.KeyEnter))
	scr.waitFor(5*time.Second, "the filter to leave one row", func(s string) bool {
		return strings.Contains(s, "ledger") && !strings.Contains(s, "checkout-api")
	})
	tm.Send(key(tea.KeyEnter))
	// The seeded drift: the image tag and LEDGER_BATCH_SIZE 100 -> 250.
	scr.waitFor(10*time.Second, "ledger's drift in the diff", containsAll("ledger:2.3.1", "ledger:2.4.0", `"100"`, `"250"`))

	tm.Type("l")
	scr.waitFor(20*time.Second, "log lines from both clusters", func(s string) bool {
		return strings.Contains(s, " KOPS ") && strings.Contains(s, " EKS ") && strings.Contains(s, `"level"`)
	})
	tm.Type("i")
	tm.Type(`"level":"(error|warn)"`)
	tm.Send(key(tea.KeyEnter))
	screen := scr.waitFor(10*time.Second, "only error and warn lines", func(s string) bool {
		lines := logLines(s)
		if len(lines) == 0 {
			return false
		}
		for _, l := range lines {
			if !strings.Contains(l, `"level":"error"`) && !strings.Contains(l, `"level":"warn"`) {
				return false
			}
		}
		return true
	})
	if !strings.Contains(screen, "include") {
		t.Errorf("the active filter is not shown:\n%s", screen)
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// logLines are the screen's log rows: those with a timestamp and a side.
func logLines(screen string) []string {
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		f := strings.Fields(l)
		if len(f) > 2 && strings.Count(f[0], ":") == 2 && (f[1] == "KOPS" || f[1] == "EKS") {
			out = append(out, l)
		}
	}
	return out
}
