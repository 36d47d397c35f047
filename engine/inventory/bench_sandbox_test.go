package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// EnvBenchSandbox names a directory where the benchmark keeps its loaded
// sandbox between runs. Loading 1,000 Deployments per cluster takes
// minutes; with this set, the first run starts a sandbox there and leaves
// it running, and later runs reuse it (Load.Apply on a loaded namespace
// only waits). Unset, the benchmark starts a private sandbox and stops it
// when the binary ends, as make bench does. Stop a kept one with
// `FERRY_SANDBOX_DIR=<dir> FERRY_SANDBOX_PORT_BASE=$(cat <dir>.port-base) ferry sandbox down`.
const EnvBenchSandbox = "FERRY_BENCH_SANDBOX"

// benchEnv returns the sandbox the benchmark runs on.
func benchEnv(b *testing.B) *sandboxtest.Env {
	b.Helper()
	dir := os.Getenv(EnvBenchSandbox)
	if dir == "" {
		return sandboxtest.Isolated(b) // private: the shared sandbox stays clean
	}
	sb, err := keptSandbox(b.Context(), dir)
	if err != nil {
		b.Fatalf("%s=%s: %v", EnvBenchSandbox, dir, err)
	}
	return &sandboxtest.Env{SB: sb}
}

// keptSandbox opens the sandbox kept in dir, starting it when it is not
// running. Its port base is remembered next to dir so the next run finds it.
func keptSandbox(ctx context.Context, dir string) (*sandbox.Sandbox, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cfg, err := sandbox.DefaultConfig()
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	portFile := dir + ".port-base"
	if cfg.PortBase, err = keptPortBase(portFile); err != nil {
		return nil, err
	}
	sb := sandbox.Open(cfg)
	if sb.Status().Up() {
		return sb, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(portFile, []byte(strconv.Itoa(cfg.PortBase)+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("remember the port base: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: starting a kept sandbox in %s (ports from %d); it keeps running after the benchmark\n", dir, cfg.PortBase)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	if err := sb.Up(ctx, os.Stderr); err != nil {
		return nil, fmt.Errorf("start the kept sandbox: %w", err)
	}
	return sb, nil
}

// keptPortBase reads the port base a previous run wrote, or finds free ports.
func keptPortBase(file string) (int, error) {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return sandboxtest.FreePortBase()
	}
	if err != nil {
		return 0, err
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("%s: %q is no port number (remove the file to pick new ports)", file, b)
	}
	return p, nil
}

// TestKeptPortBase: a remembered port base is read back; a missing file
// picks free ports; a garbled one is an error that says what to do.
func TestKeptPortBase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "run.port-base")
	if err := os.WriteFile(file, []byte("23450\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := keptPortBase(file); err != nil || p != 23450 {
		t.Errorf("remembered: got %d, %v; want 23450", p, err)
	}
	if p, err := keptPortBase(filepath.Join(dir, "none")); err != nil || p < 20000 {
		t.Errorf("missing file: got %d, %v; want a free port base", p, err)
	}
	if err := os.WriteFile(file, []byte("twenty"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := keptPortBase(file); err == nil || !strings.Contains(err.Error(), "remove the file") {
		t.Errorf("garbled file: err %v", err)
	}
}
