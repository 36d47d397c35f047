// Package sandboxtest gives integration tests both sandbox clusters' clients
// and both accounts' AWS configs.
//
// A test package calls Main from its TestMain and Get from its tests. Get
// reuses the shared sandbox when it runs (make test and CI start it first);
// otherwise it starts a private sandbox on free ports in a temporary dir for
// this test binary, which Main stops when the tests end. Fault tests, which
// stop an apiserver or an AWS endpoint, take Isolated instead: a private
// sandbox of their own, so they never break one other packages are using.
// Tests never skip: a sandbox that cannot start fails them.
package sandboxtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ferry-dev/ferry/sandbox"
)

// Env is a running sandbox as a test sees it.
type Env struct {
	SB      *sandbox.Sandbox
	Private bool // started by this test binary, stopped by Main
	faults  bool // from Isolated: Stop may break it
}

// lazy is a sandbox started on first use.
type lazy struct {
	env  *Env
	err  error
	done bool
}

var (
	mu       sync.Mutex
	inMain   bool
	shared   lazy       // Get: the shared sandbox, or a private stand-in
	isolated lazy       // Isolated: always private, for fault tests
	isoTurn  sync.Mutex // one Isolated test at a time
)

// Main runs the package's tests around a sandbox: m.Run, then stop and remove
// every private sandbox this binary started.
func Main(m *testing.M) {
	mu.Lock()
	inMain = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	for _, l := range []*lazy{&shared, &isolated} {
		if l.env == nil || !l.env.Private {
			continue
		}
		if err := l.env.SB.Down(io.Discard, true); err != nil {
			fmt.Fprintln(os.Stderr, "sandboxtest: stop private sandbox:", err)
			code = 1
		}
		_ = os.Remove(l.env.SB.Config().Dir + ".lock")
	}
	os.Exit(code)
}

// Get returns the shared sandbox when it runs, else a private one this test
// binary starts once. Tests must leave it as they found it: Stop is refused.
func Get(t testing.TB) *Env {
	t.Helper()
	return get(t, &shared, true)
}

// Isolated returns a private sandbox of this test binary's own that the test
// may break (Stop and Start components). Isolated tests take turns: the
// sandbox is the caller's until the test ends.
func Isolated(t testing.TB) *Env {
	t.Helper()
	isoTurn.Lock()
	t.Cleanup(isoTurn.Unlock)
	env := get(t, &isolated, false)
	env.faults = true
	return env
}

func get(t testing.TB, l *lazy, reuseShared bool) *Env {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !inMain {
		t.Fatal("sandboxtest needs func TestMain(m *testing.M) { sandboxtest.Main(m) } in this package")
	}
	if !l.done {
		l.env, l.err = start(reuseShared)
		l.done = true
	}
	if l.err != nil {
		t.Fatalf("sandbox: %v", l.err)
	}
	return l.env
}

func start(reuseShared bool) (*Env, error) {
	cfg, err := sandbox.DefaultConfig()
	if err != nil {
		return nil, err
	}
	if sb := sandbox.Open(cfg); reuseShared && sb.Status().Up() {
		return &Env{SB: sb}, nil
	}
	dir, err := os.MkdirTemp("", "ferry-sandbox-test-")
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	if cfg.PortBase, err = FreePortBase(); err != nil {
		return nil, err
	}
	sb := sandbox.Open(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	fmt.Fprintf(os.Stderr, "sandboxtest: starting a private sandbox in %s (ports from %d)\n", dir, cfg.PortBase)
	if err := sb.Up(ctx, io.Discard); err != nil {
		_ = sb.Down(io.Discard, true)
		return nil, err
	}
	return &Env{SB: sb, Private: true}, nil
}

// FreePortBase finds 50 consecutive free loopback ports for a private
// sandbox and reserves them for the life of this process: test binaries run
// in parallel, and two of them probing the same free range at once would
// both take it. The reservation is an advisory lock on a file per range,
// which the kernel drops when the process ends.
func FreePortBase() (int, error) {
	for base := 20000; base < 60000; base += 50 {
		if !rangeFree(base) {
			continue
		}
		f, err := os.OpenFile(filepath.Join(os.TempDir(), fmt.Sprintf("ferry-sandbox-ports-%d.lock", base)), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return 0, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			continue // another test binary holds this range
		}
		reservedMu.Lock()
		reserved = append(reserved, f) // held until the process exits
		reservedMu.Unlock()
		return base, nil
	}
	return 0, fmt.Errorf("no 50 consecutive free ports on %s", sandbox.Host)
}

// reserved keeps the port-range lock files open.
var (
	reservedMu sync.Mutex
	reserved   []*os.File
)

func rangeFree(base int) bool {
	for p := base; p < base+50; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort(sandbox.Host, strconv.Itoa(p)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// Side looks a side up by name ("kops", "eks", "source", "target").
func Side(t testing.TB, name string) sandbox.Side {
	t.Helper()
	s, err := sandbox.SideByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// REST returns a client config for a cluster, as its admin.
func (e *Env) REST(t testing.TB, side string) *rest.Config {
	t.Helper()
	rc, err := sandbox.RESTConfig(e.SB.Config().KubeconfigPath(), Side(t, side).Name)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// Kube returns a clientset for a cluster, as its admin.
func (e *Env) Kube(t testing.TB, side string) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(e.REST(t, side))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// AWS returns an account's config, loaded from the sandbox's profile.
func (e *Env) AWS(t testing.TB, side string) aws.Config {
	t.Helper()
	cfg, err := e.SB.Config().AWSConfig(t.Context(), Side(t, side))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Stop stops a component (sandbox.ComponentAPIServer or ComponentAWS) of a
// side and restarts it when the test ends, whatever happens in between.
func (e *Env) Stop(t testing.TB, side, component string) {
	t.Helper()
	if !e.faults {
		t.Fatal("Stop breaks the sandbox other tests use: take it from sandboxtest.Isolated(t)")
	}
	s := Side(t, side)
	if err := e.SB.Stop(s, component); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := e.SB.Start(ctx, s, component); err != nil {
			t.Errorf("restart %s %s: %v", side, component, err)
		}
	})
}

// Start restarts a component Stop stopped and waits until it answers.
func (e *Env) Start(t testing.TB, side, component string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if err := e.SB.Start(ctx, Side(t, side), component); err != nil {
		t.Fatal(err)
	}
}
