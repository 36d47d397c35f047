package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Versions of the components the sandbox builds from the Go module proxy.
const (
	EtcdVersion       = "v3.7.3"
	KubernetesVersion = "v1.37.2"
	KwokVersion       = "v0.8.0"
)

// Binary is one program the sandbox builds from a tools module under
// sandbox/tools and keeps in the cache dir.
type Binary struct {
	Name    string // file name stem, e.g. "kube-apiserver"
	Module  string // tools module dir, relative to sandbox/tools
	Package string // package to build, inside that module
	Version string // part of the cached file name; "" means a hash of the module's sources
	LDFlags string
	Typical string // how long a cold build usually takes here, for the progress line
}

// Binaries lists what the sandbox needs, in build order. They are built one
// after another: on two cores parallel builds only contend.
func Binaries() []Binary {
	kubeLD := "-s -w -X k8s.io/component-base/version.gitVersion=" + KubernetesVersion +
		" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37" +
		" -X k8s.io/component-base/version.gitTreeState=clean"
	return []Binary{
		{Name: "ferry-sandboxd", Module: "sandboxd", Package: ".", LDFlags: "-s -w", Typical: "3-5 min"},
		{Name: "etcd", Module: "etcd", Package: "go.etcd.io/etcd/server/v3", Version: EtcdVersion, LDFlags: "-s -w", Typical: "1-2 min"},
		{Name: "kwok", Module: "kwok", Package: "sigs.k8s.io/kwok/cmd/kwok", Version: KwokVersion,
			LDFlags: "-s -w", Typical: "2-4 min"},
		{Name: "kube-apiserver", Module: "kube", Package: "k8s.io/kubernetes/cmd/kube-apiserver", Version: KubernetesVersion, LDFlags: kubeLD, Typical: "10-20 min"},
		{Name: "kube-controller-manager", Module: "kube", Package: "k8s.io/kubernetes/cmd/kube-controller-manager", Version: KubernetesVersion, LDFlags: kubeLD, Typical: "3-5 min"},
		{Name: "kube-scheduler", Module: "kube", Package: "k8s.io/kubernetes/cmd/kube-scheduler", Version: KubernetesVersion, LDFlags: kubeLD, Typical: "1 min"},
	}
}

// Toolset maps binary names to their paths in the cache dir.
type Toolset map[string]string

// SourceDir finds the ferry source tree: FERRY_SOURCE, else the tree this
// package was compiled from, else the nearest parent of the working dir that
// holds sandbox/tools.
func SourceDir(cfg Config) (string, error) {
	var tried []string
	candidates := []string{cfg.Source}
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Dir(filepath.Dir(file)))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		tried = append(tried, c)
		if st, err := os.Stat(filepath.Join(c, "sandbox", "tools", "kube", "go.mod")); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("cannot find the ferry source tree (sandbox/tools/kube/go.mod) in %s; run from a ferry checkout or set %s",
		strings.Join(tried, ", "), EnvSource)
}

// cachedPath names a binary in the cache dir. A binary built from ferry's own
// sources carries a hash of them, so an edit rebuilds it.
func (b Binary) cachedPath(cacheDir, toolsDir string) (string, error) {
	v := b.Version
	if v == "" {
		h, err := hashTree(filepath.Join(toolsDir, b.Module))
		if err != nil {
			return "", err
		}
		v = "src-" + h
	}
	return filepath.Join(cacheDir, b.Name+"@"+v), nil
}

// EnsureBinaries builds whatever is missing from the cache dir, printing
// progress to w, and returns where each binary is.
func EnsureBinaries(ctx context.Context, cfg Config, w io.Writer) (Toolset, error) {
	src, err := SourceDir(cfg)
	if err != nil {
		return nil, err
	}
	toolsDir := filepath.Join(src, "sandbox", "tools")
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("create cache dir %s: %w", cfg.CacheDir, err)
	}
	tools := Toolset{}
	bins := Binaries()
	for i, b := range bins {
		path, err := b.cachedPath(cfg.CacheDir, toolsDir)
		if err != nil {
			return nil, err
		}
		tools[b.Name] = path
		if _, err := os.Stat(path); err == nil {
			continue
		}
		fmt.Fprintf(w, "building %s %s (%d/%d; a cold build takes about %s) into %s\n",
			b.Name, versionLabel(b), i+1, len(bins), b.Typical, cfg.CacheDir)
		start := time.Now()
		if err := build(ctx, filepath.Join(toolsDir, b.Module), b, path, w); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "built %s in %s\n", b.Name, time.Since(start).Round(time.Second))
	}
	return tools, nil
}

func versionLabel(b Binary) string {
	if b.Version == "" {
		return "(from sandbox/tools/" + b.Module + ")"
	}
	return b.Version
}

// build compiles into a temporary file and renames it into place, so an
// interrupted build never leaves a binary that looks complete.
func build(ctx context.Context, dir string, b Binary, out string, w io.Writer) error {
	tmp := out + ".partial"
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", b.LDFlags, "-o", tmp, b.Package)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	var stderr strings.Builder
	cmd.Stdout = w
	cmd.Stderr = &stderr
	done := make(chan struct{})
	go tick(ctx, done, w, b.Name)
	err := cmd.Run()
	close(done)
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("build %s in %s: %w\n%s", b.Name, dir, err, tail(stderr.String(), 40))
	}
	return os.Rename(tmp, out)
}

// tick prints a line every 30 s so a long cold build does not look hung.
func tick(ctx context.Context, done <-chan struct{}, w io.Writer, name string) {
	start := time.Now()
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			fmt.Fprintf(w, "  still building %s (%s)\n", name, time.Since(start).Round(time.Second))
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// hashTree hashes the Go sources, go.mod and go.sum of a tools module.
func hashTree(dir string) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		if strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", dir, err)
	}
	if len(files) == 0 {
		return "", errors.New("hash " + dir + ": no Go sources")
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(dir, f)
		fmt.Fprintf(h, "%s %d\n", rel, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
