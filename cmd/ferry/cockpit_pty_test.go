package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// execMainEnv makes the test binary run ferry's main instead of the tests,
// so the pty test drives the real program (race detector included) without
// a separate build.
const execMainEnv = "FERRY_TEST_EXEC_MAIN"

// ptyTerm is the real ferry binary on a pseudo-terminal, its output fed to
// a terminal emulator whose screen the test reads.
type ptyTerm struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	emu  *vt.SafeEmulator
	mu   sync.Mutex
	raw  bytes.Buffer // everything the program wrote
	done chan error
}

func startPty(t *testing.T, w, h int, env []string, args ...string) *ptyTerm {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), execMainEnv+"=1", "TERM=xterm-256color"), env...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(h), Cols: uint16(w)})
	if err != nil {
		t.Fatal(err)
	}
	p := &ptyTerm{t: t, cmd: cmd, ptmx: ptmx, emu: vt.NewSafeEmulator(w, h), done: make(chan error, 1)}
	go p.pumpOut()
	go func() { _, _ = io.Copy(ptmx, p.emu) }() // the emulator's answers to terminal queries
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		ptmx.Close()
	})
	return p
}

func (p *ptyTerm) pumpOut() {
	buf := make([]byte, 32<<10)
	for {
		n, err := p.ptmx.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.raw.Write(buf[:n])
			p.mu.Unlock()
			_, _ = p.emu.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// screen is the emulator's current screen as plain text.
func (p *ptyTerm) screen() string { return ansi.Strip(p.emu.Render()) }

func (p *ptyTerm) send(keys string) {
	p.t.Helper()
	if _, err := p.ptmx.Write([]byte(keys)); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor waits until every want is on the screen.
func (p *ptyTerm) waitFor(d time.Duration, want ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := p.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("after %s the screen lacks %q:\n%s", d, missing, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exited waits for the program to end and returns its error.
func (p *ptyTerm) exited(d time.Duration) error {
	p.t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(d):
		p.t.Fatalf("ferry still running %s after quitting; screen:\n%s", d, p.screen())
		return nil
	}
}

// TestCockpitOnPty runs the real binary on the sandbox in a 120x32 pty:
// the services appear, the drifted ledger's detail shows the drift, its
// logs come from both clusters, q quits and the terminal is restored.
func TestCockpitOnPty(t *testing.T) {
	env := sandboxtest.Get(t)
	var vars []string
	for _, v := range env.SB.Env() {
		vars = append(vars, v.Name+"="+v.Value)
	}
	dir := t.TempDir()
	p := startPty(t, 120, 32, append(vars, "FERRY_PLAN="+env.SB.Config().PlanPath()),
		"--log-file", dir+"/cockpit.log", "--journal", dir+"/ferry.journal.jsonl")
	p.waitFor(30*time.Second, "KOPS", "EKS", "checkout-api", "ledger", "only on KOPS", "failing on EKS")
	// The terminal's answers to the program's start-up queries may still
	// be in flight: let them land before typing.
	time.Sleep(300 * time.Millisecond)
	p.send("/")
	p.waitFor(5*time.Second, "▲  /")
	p.send("ledger")
	p.waitFor(5*time.Second, "/ledger", "1 of 8")
	p.send("\r") // leave the filter prompt
	p.send("\r") // open the detail
	p.waitFor(10*time.Second, "2.3.1", "2.4.0")
	p.send("l")
	p.waitFor(20*time.Second, " KOPS ", " EKS ", `"level"`, "lines/s")
	p.send("\x1b") // back to the detail
	p.waitFor(5*time.Second, "2.3.1", "2.4.0")
	time.Sleep(100 * time.Millisecond) // two ESCs in one read are one alt+esc
	p.send("\x1b")                     // back to the services, still filtered
	p.waitFor(5*time.Second, "1 of 8")
	// orders-api's env reads its DB password from a Secret: the reference
	// shows, the value never.
	p.send(":svc orders/orders-api\r")
	p.waitFor(10*time.Second, "services › orders/orders-api", "── Deployment orders-api")
	p.send("2")
	p.waitFor(10*time.Second, "DB_PASSWORD")
	p.send("q")
	if err := p.exited(10 * time.Second); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 0 {
			t.Fatalf("ferry exited with %v; screen:\n%s", err, p.screen())
		}
	}
	p.mu.Lock()
	raw := p.raw.String()
	p.mu.Unlock()
	if !strings.Contains(raw, "\x1b[?1049h") || !strings.Contains(raw, "\x1b[?1049l") {
		t.Errorf("the cockpit did not enter and leave the alternate screen")
	}
	logged, err := os.ReadFile(dir + "/cockpit.log")
	if err != nil || !strings.Contains(string(logged), "cockpit starting") {
		t.Errorf("the cockpit log lacks its start (%v): %q", err, logged)
	}
	if strings.Contains(raw, seededSecret) || strings.Contains(string(logged), seededSecret) {
		t.Error("the seeded secret value reached the screen or the log")
	}
}
