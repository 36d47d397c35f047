package sandbox_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// TestPrivateUpDownLeavesNothing starts a second, private sandbox, checks
// every process runs and the up time, then takes it down and checks that no
// process and no listening port is left.
func TestPrivateUpDownLeavesNothing(t *testing.T) {
	cfg, err := sandbox.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = t.TempDir()
	if cfg.PortBase, err = sandboxtest.FreePortBase(); err != nil {
		t.Fatal(err)
	}
	sb := sandbox.Open(cfg)
	t.Cleanup(func() { _ = sb.Down(io.Discard, true); _ = os.Remove(cfg.Dir + ".lock") })

	var out bytes.Buffer
	start := time.Now()
	if err := sb.Up(t.Context(), &out); err != nil {
		t.Fatalf("up: %v\n%s", err, out.String())
	}
	t.Logf("private sandbox up in %s", time.Since(start).Round(100*time.Millisecond))
	st := sb.Status()
	if !st.Up() {
		t.Fatalf("after up: %d of %d running", st.Running, st.Total)
	}
	t.Logf("total RSS %d MiB over %d processes", st.RSSKiB/1024, st.Running)

	var pids []int
	var ports []int
	for _, p := range st.Processes {
		pids = append(pids, p.PID)
		if p.Port != 0 {
			ports = append(ports, p.Port)
		}
	}
	out.Reset()
	if err := sb.Down(&out, false); err != nil {
		t.Fatalf("down: %v", err)
	}
	if n := strings.Count(out.String(), "stopping "); n != len(pids) {
		t.Errorf("down stopped %d processes, want %d:\n%s", n, len(pids), out.String())
	}
	for _, pid := range pids {
		if syscall.Kill(pid, 0) == nil && !zombie(pid) {
			t.Errorf("pid %d still alive after down", pid)
		}
	}
	for _, port := range ports {
		if l, err := net.Listen("tcp", net.JoinHostPort(sandbox.Host, strconv.Itoa(port))); err != nil {
			t.Errorf("port %d still taken after down: %v", port, err)
		} else {
			l.Close()
		}
	}
	if st := sb.Status(); st.Running != 0 {
		t.Errorf("status after down: %d running", st.Running)
	}
}

// zombie reports whether pid has exited but not been reaped by its parent
// (this test binary started it, so that can briefly happen).
func zombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i > 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}
