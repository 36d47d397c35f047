package tui

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"
)

// TestJourneyCutoverStepAndRollback drives the real program loop through
// one confirmed stage and a rollback: open the cutover, confirm 10%, see
// the bars move to 90/10 and the marker in the history while it dwells,
// let the dwell end, then return all traffic to KOPS and see 100/0. It
// asserts on the screen as a terminal shows it and on what the runbook
// was asked to do.
func TestJourneyCutoverStepAndRollback(t *testing.T) {
	t.Parallel()
	f := newFakeCutover()
	f.hold = true
	cfg := scenarioConfig(newFakeInventory(t))
	cfg.Runbook, cfg.Cutover = f, f
	const w, h = 120, 40
	tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(w, h))
	scr := newTermScreen(t, tm.Output(), w, h)

	scr.waitFor("the services", func(s string) bool { return strings.Contains(s, "refund-worker") })
	tm.Type("c")
	scr.waitFor("the bars at 100/0", routerLines("100/0"))
	tm.Type("a")
	scr.waitFor("the confirmation", func(s string) bool { return strings.Contains(s, `Type "y" to apply it`) })
	tm.Type("y")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})

	select {
	case <-f.dwelling:
	case <-time.After(10 * time.Second):
		t.Fatal("the 10% stage never started")
	}
	scr.waitFor("the bars at 90/10, the dwell and the marker", func(s string) bool {
		return routerLines("90/10")(s) && strings.Contains(s, "dwelling at 10%") &&
			strings.Contains(s, "◆ cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10")
	})
	close(f.release)
	scr.waitFor("the stage complete", func(s string) bool {
		return strings.Contains(s, "the 10% stage completed: weights 90/10; a applies the next stage")
	})

	tm.Type("u")
	scr.waitFor("the rollback's confirmation", func(s string) bool { return strings.Contains(s, `Type "y" to roll back`) })
	tm.Type("y")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	scr.waitFor("the bars back at 100/0", func(s string) bool {
		return routerLines("100/0")(s) && strings.Contains(s, "rolled back 10%: weights 100/0, all traffic on KOPS") &&
			strings.Contains(s, "◆ cutover: rolled back the 10% stage")
	})

	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	want := []string{"apply cutover/orders-api/10", "undo cutover/orders-api/10"}
	if got := f.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	c := coScreen(final)
	if c == nil {
		t.Fatal("no cutover screen at the end")
	}
	if c.ctx.Err() == nil {
		t.Error("quitting left the board's wait running")
	}
}

// routerLines accepts a screen whose every router bar shows weights.
func routerLines(weights string) func(string) bool {
	return func(s string) bool {
		n := 0
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "  "+r53Router) || strings.HasPrefix(l, "  "+albRouter) {
				if !strings.Contains(l, "EKS  "+weights) || !strings.Contains(l, "KOPS █") {
					return false
				}
				n++
			}
		}
		return n == 2
	}
}

// termScreen feeds a program's output into a terminal emulator, so the
// test reads the screen as the user sees it rather than the renderer's
// diffs (cmd/ferry's journey does the same).
type termScreen struct {
	t   *testing.T
	emu *vt.SafeEmulator
}

func newTermScreen(t *testing.T, r io.Reader, w, h int) *termScreen {
	s := &termScreen{t: t, emu: vt.NewSafeEmulator(w, h)}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				// A pty turns \n into \r\n; teatest's buffer does not.
				_, _ = s.emu.Write(bytes.ReplaceAll(buf[:n], []byte("\n"), []byte("\r\n")))
			}
			if err == io.EOF {
				time.Sleep(10 * time.Millisecond) // more may come
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

// waitFor waits until ok accepts the screen.
func (s *termScreen) waitFor(what string, ok func(string) bool) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		txt := ansi.Strip(s.emu.Render())
		if ok(txt) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("still waiting for %s; screen:\n%s", what, txt)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
