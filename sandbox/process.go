package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is one long-running sandbox process. It runs in its own session so it
// outlives the command that started it; its pid file and log live in the
// state dir.
type proc struct {
	Name string   // unique within the sandbox, e.g. "kops/kube-apiserver"
	Bin  string   // absolute path of the binary
	Args []string // arguments
	Env  []string // extra environment
	Dir  string   // state dir holding the pid and log files
	Port int      // the port it listens on (checked before start, probed for status)
}

func (p proc) base() string { return strings.ReplaceAll(p.Name, "/", "-") }

func (p proc) pidFile() string { return filepath.Join(p.Dir, "pids", p.base()+".pid") }

// LogFile is where the process's stdout and stderr go.
func (p proc) LogFile() string { return filepath.Join(p.Dir, "logs", p.base()+".log") }

// pid returns the running process's pid, or 0 when it is not running. The
// pid file records the pid and the binary; a pid whose process has gone, or
// now belongs to another program, counts as not running.
func (p proc) pid() int {
	data, err := os.ReadFile(p.pidFile())
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 || !alive(pid) {
		return 0
	}
	if len(fields) > 1 {
		// A rebuilt binary shows as "path (deleted)" but is still ours.
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err == nil && strings.TrimSuffix(exe, " (deleted)") != fields[1] {
			return 0
		}
	}
	return pid
}

// stale reports whether the process runs another binary or other
// arguments than p would start now — ferry-sandboxd rebuilt from edited
// sources, or flags changed by a newer ferry — so Up restarts it.
func (p proc) stale() bool {
	data, err := os.ReadFile(p.pidFile())
	if err != nil || p.pid() == 0 || p.Bin == "" {
		return false
	}
	fields := strings.Fields(string(data))
	if len(fields) > 1 && fields[1] != resolved(p.Bin) {
		return true
	}
	return len(fields) > 2 && fields[2] != p.argsHash()
}

// argsHash fingerprints the command line and extra environment.
func (p proc) argsHash() string {
	h := sha256.New()
	for _, a := range append(append([]string{}, p.Args...), p.Env...) {
		fmt.Fprintf(h, "%d:%s", len(a), a)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// resolved follows symlinks, as /proc/PID/exe does (/bin/sh is dash).
func resolved(bin string) string {
	if r, err := filepath.EvalSymlinks(bin); err == nil {
		return r
	}
	return bin
}

// alive reports whether pid is a live, non-zombie process.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: trust kill(0)
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}

// start launches the process unless it already runs. A port held by another
// program is an error that names it.
func (p proc) start() (started bool, err error) {
	if p.pid() != 0 {
		return false, nil
	}
	if p.Port != 0 && portBusy(p.Port) {
		return false, fmt.Errorf("start %s: port %s:%d is already in use by another program; stop it, or move the sandbox with %s=<port> (it uses 50 ports from there)",
			p.Name, Host, p.Port, EnvPortBase)
	}
	for _, d := range []string{filepath.Dir(p.pidFile()), filepath.Dir(p.LogFile())} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return false, err
		}
	}
	logf, err := os.OpenFile(p.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return false, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "---- %s start %s\n", time.Now().Format(time.RFC3339), p.Name)
	cmd := exec.Command(p.Bin, p.Args...)
	cmd.Env = append(os.Environ(), p.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("start %s (%s): %w", p.Name, p.Bin, err)
	}
	// Reap the child if it exits while this process lives, so it does not
	// linger as a zombie that looks alive.
	go func() { _ = cmd.Wait() }()
	if err := os.WriteFile(p.pidFile(), fmt.Appendf(nil, "%d %s %s\n", cmd.Process.Pid, resolved(p.Bin), p.argsHash()), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return false, err
	}
	return true, nil
}

// stop sends SIGTERM, waits up to grace, then SIGKILLs. It is a no-op when
// the process is not running.
func (p proc) stop(grace time.Duration) error {
	pid := p.pid()
	defer os.Remove(p.pidFile())
	if pid == 0 {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return p.waitPortFree(5 * time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 100 && alive(pid); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		return fmt.Errorf("stop %s: pid %d survived SIGKILL", p.Name, pid)
	}
	return p.waitPortFree(5 * time.Second)
}

// waitPortFree waits until the stopped process's port can be bound again.
// The thread-group leader turns zombie, which alive reports as gone, while
// the other threads may still be closing the process's sockets; on a busy
// machine that window is long enough for a restart to find the port taken.
func (p proc) waitPortFree(limit time.Duration) error {
	if p.Port == 0 {
		return nil
	}
	deadline := time.Now().Add(limit)
	for portBusy(p.Port) {
		if time.Now().After(deadline) {
			return fmt.Errorf("stop %s: port %s:%d still taken %s after the process ended", p.Name, Host, p.Port, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// exited reports the last lines of the log when the process died early, for
// an error that shows why.
func (p proc) exited() error {
	if p.pid() != 0 {
		return nil
	}
	data, _ := os.ReadFile(p.LogFile())
	return fmt.Errorf("%s exited; last lines of %s:\n%s", p.Name, p.LogFile(), tail(string(data), 15))
}

func portBusy(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(Host, strconv.Itoa(port)))
	if err != nil {
		return true
	}
	_ = l.Close()
	return false
}
