package sandbox

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func sleepProc(t *testing.T) proc {
	t.Helper()
	bin, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	return proc{Name: "test/sleep", Bin: bin, Args: []string{"60"}, Dir: t.TempDir()}
}

func TestProcStartStop(t *testing.T) {
	t.Parallel()
	p := sleepProc(t)
	started, err := p.start()
	if err != nil || !started {
		t.Fatalf("start: started=%v err=%v", started, err)
	}
	pid := p.pid()
	if pid == 0 {
		t.Fatal("pid() = 0 right after start")
	}
	again, err := p.start()
	if err != nil || again {
		t.Fatalf("second start should be a no-op: started=%v err=%v", again, err)
	}
	if err := p.stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("pid %d alive after stop", pid)
	}
	if p.pid() != 0 {
		t.Fatal("pid() != 0 after stop")
	}
}

func TestProcPidFileOfAnotherProgram(t *testing.T) {
	t.Parallel()
	p := sleepProc(t)
	if err := os.MkdirAll(p.Dir+"/pids", 0o755); err != nil {
		t.Fatal(err)
	}
	// Our own pid, recorded as if it were sleep: must not count as running.
	if err := os.WriteFile(p.pidFile(), []byte(strconv.Itoa(os.Getpid())+" "+p.Bin+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := p.pid(); got != 0 {
		t.Fatalf("pid() = %d for a pid that runs another binary", got)
	}
}

func TestProcBusyPortNamesIt(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", Host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := sleepProc(t)
	p.Port = l.Addr().(*net.TCPAddr).Port
	_, err = p.start()
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(p.Port)) || !strings.Contains(err.Error(), EnvPortBase) {
		t.Fatalf("want an error naming port %d and %s, got %v", p.Port, EnvPortBase, err)
	}
}

func TestProcExitedShowsLog(t *testing.T) {
	t.Parallel()
	p := proc{Name: "test/false", Bin: "/bin/sh", Args: []string{"-c", "echo boom-reason; exit 3"}, Dir: t.TempDir()}
	if _, err := p.start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.pid() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	err := p.exited()
	if err == nil || !strings.Contains(err.Error(), "boom-reason") {
		t.Fatalf("exited() = %v; want the log's last lines", err)
	}
}

func TestProcStaleAfterRebuild(t *testing.T) {
	t.Parallel()
	p := sleepProc(t)
	if _, err := p.start(); err != nil {
		t.Fatal(err)
	}
	defer p.stop(5 * time.Second)
	if p.stale() {
		t.Fatal("stale right after start")
	}
	rebuilt := p
	rebuilt.Bin = "/elsewhere/sleep@new"
	if !rebuilt.stale() {
		t.Fatal("a process started from another binary is not stale")
	}
	reflagged := p
	reflagged.Args = []string{"61"}
	if !reflagged.stale() {
		t.Fatal("a process started with other arguments is not stale")
	}
}
