// Package sandboxtest gives integration tests both sandbox clusters' clients
// and both accounts' AWS configs.
//
// A test package calls Main from its TestMain and Get from its tests. Get
// reuses the shared sandbox when it runs (make test and CI start it first);
// otherwise Main starts a private sandbox on free ports in a temporary dir for
// this test binary and stops it when the tests end. Tests never skip: a
// sandbox that cannot start fails them.
package sandboxtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
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
}

var (
	mu      sync.Mutex
	current *Env
	setup   error
	inMain  bool
)

// Main runs the package's tests around a sandbox: m.Run, then, if this binary
// started a private sandbox, stop it and remove its files.
func Main(m *testing.M) {
	mu.Lock()
	inMain = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	env := current
	mu.Unlock()
	if env != nil && env.Private {
		if err := env.SB.Down(io.Discard, true); err != nil {
			fmt.Fprintln(os.Stderr, "sandboxtest: stop private sandbox:", err)
			code = 1
		}
		_ = os.Remove(env.SB.Config().Dir + ".lock")
	}
	os.Exit(code)
}

// Get returns the sandbox, starting a private one the first time when the
// shared one is not up.
func Get(t testing.TB) *Env {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !inMain {
		t.Fatal("sandboxtest.Get needs func TestMain(m *testing.M) { sandboxtest.Main(m) } in this package")
	}
	if current == nil && setup == nil {
		current, setup = start()
	}
	if setup != nil {
		t.Fatalf("sandbox: %v", setup)
	}
	return current
}

func start() (*Env, error) {
	cfg, err := sandbox.DefaultConfig()
	if err != nil {
		return nil, err
	}
	if sb := sandbox.Open(cfg); sb.Status().Up() {
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
	fmt.Fprintf(os.Stderr, "sandboxtest: no shared sandbox running; starting a private one in %s (ports from %d)\n", dir, cfg.PortBase)
	if err := sb.Up(ctx, os.Stderr); err != nil {
		_ = sb.Down(io.Discard, true)
		return nil, err
	}
	return &Env{SB: sb, Private: true}, nil
}

// FreePortBase finds 50 consecutive free loopback ports for a private sandbox.
func FreePortBase() (int, error) {
	for base := 20000; base < 60000; base += 50 {
		free := true
		for p := base; p < base+50 && free; p++ {
			l, err := net.Listen("tcp", net.JoinHostPort(sandbox.Host, strconv.Itoa(p)))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no 50 consecutive free ports on %s", sandbox.Host)
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
