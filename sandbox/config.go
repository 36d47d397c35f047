// Package sandbox starts, on loopback only, the proving ground ferry is built
// and demonstrated on: two real Kubernetes control planes ("kops" and "eks":
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK for
// nodes, pods and container logs) and two emulated AWS accounts, seeded with
// the half-migrated estate described in SCENARIO.md.
//
// The sandbox's processes outlive the command that starts them: Up is
// idempotent, Down stops everything it started, Status reports each process.
package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Environment variables that move the sandbox's directories and ports.
const (
	EnvCache    = "FERRY_SANDBOX_CACHE"     // where built binaries are kept
	EnvDir      = "FERRY_SANDBOX_DIR"       // where a running sandbox keeps its state
	EnvPortBase = "FERRY_SANDBOX_PORT_BASE" // first of the loopback ports used
	EnvSource   = "FERRY_SOURCE"            // the ferry source tree (for the tools modules)
)

// DefaultPortBase is the first loopback port the sandbox uses; it takes
// PortBase..PortBase+49.
const DefaultPortBase = 17400

// Host is the only address the sandbox listens on.
const Host = "127.0.0.1"

// Region is the AWS region both emulated accounts answer in.
const Region = "us-east-1"

// Config locates a sandbox: its binaries, its state and its ports.
type Config struct {
	CacheDir string // built binaries, reused across runs
	Dir      string // kubeconfig, certificates, data, logs, pid files
	PortBase int
	Source   string // ferry source tree holding sandbox/tools
}

// DefaultConfig reads the environment and falls back to the user cache dir.
func DefaultConfig() (Config, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return Config{}, fmt.Errorf("find the user cache dir (set %s and %s): %w", EnvCache, EnvDir, err)
	}
	cfg := Config{
		CacheDir: filepath.Join(base, "ferry", "sandbox", "bin"),
		Dir:      filepath.Join(base, "ferry", "sandbox", "run"),
		PortBase: DefaultPortBase,
	}
	if v := os.Getenv(EnvCache); v != "" {
		cfg.CacheDir = v
	}
	if v := os.Getenv(EnvDir); v != "" {
		cfg.Dir = v
	}
	if v := os.Getenv(EnvPortBase); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1024 || p > 65000 {
			return Config{}, fmt.Errorf("%s=%q: want a port number between 1024 and 65000", EnvPortBase, v)
		}
		cfg.PortBase = p
	}
	cfg.Source = os.Getenv(EnvSource)
	return cfg, nil
}

// Side is one half of the migration: a cluster and its AWS account.
type Side struct {
	Name      string // kube context and cluster name: "kops" or "eks"
	Role      string // "source" or "target"
	Account   string // AWS account id
	Alias     string // AWS account alias
	Profile   string // AWS config profile
	NodeLabel [2]string
	index     int
}

// Sides returns the source (kops, old account) and target (eks, new account).
func Sides() []Side {
	return []Side{
		{Name: "kops", Role: "source", Account: "111111111111", Alias: "acme-legacy", Profile: "ferry-old",
			NodeLabel: [2]string{"kops.k8s.io/instancegroup", "nodes-us-east-1a"}, index: 0},
		{Name: "eks", Role: "target", Account: "222222222222", Alias: "acme-platform", Profile: "ferry-new",
			NodeLabel: [2]string{"eks.amazonaws.com/nodegroup", "general-1"}, index: 1},
	}
}

// SideByName finds a side by cluster name, role or AWS profile.
func SideByName(name string) (Side, error) {
	for _, s := range Sides() {
		if name == s.Name || name == s.Role || name == s.Profile {
			return s, nil
		}
	}
	return Side{}, fmt.Errorf("unknown sandbox side %q: want kops (source) or eks (target)", name)
}

// Ports are one side's loopback ports.
type Ports struct {
	EtcdClient, EtcdPeer, APIServer, Kwok, ControllerManager, Scheduler, AWS int
	// Authn is the EKS token webhook's; only eks runs one, kops keeps the
	// slot so both sides share one layout.
	Authn int
	// Web is the side's public orders-api endpoint (ferry-sandboxd web).
	Web int
}

// Ports lays out a side's ports: kops from PortBase+1, eks from PortBase+21,
// the AWS endpoints at PortBase+40 and +41, the web endpoints at +42 and +43.
func (c Config) Ports(s Side) Ports {
	b := c.PortBase + 20*s.index
	return Ports{
		EtcdClient: b + 1, EtcdPeer: b + 2, APIServer: b + 3, Kwok: b + 4,
		ControllerManager: b + 5, Scheduler: b + 6, Authn: b + 7,
		AWS: c.PortBase + 40 + s.index, Web: c.PortBase + 42 + s.index,
	}
}

// Paths of the files a running sandbox exposes.
func (c Config) KubeconfigPath() string { return filepath.Join(c.Dir, "kubeconfig") }

// PlanPath is the sandbox's plan file, written by Up.
func (c Config) PlanPath() string { return filepath.Join(c.Dir, "ferry.yaml") }

// AWSConfigPath is the shared AWS config file with both sandbox profiles.
func (c Config) AWSConfigPath() string { return filepath.Join(c.Dir, "aws", "config") }

// AWSCredentialsPath is the shared AWS credentials file for both profiles.
func (c Config) AWSCredentialsPath() string { return filepath.Join(c.Dir, "aws", "credentials") }

func (c Config) sideDir(s Side) string { return filepath.Join(c.Dir, s.Name) }

// ContainerLogFile is where the sandbox's log writer keeps a container's
// current log (CRI format) for kwok to serve through pods/log.
func (c Config) ContainerLogFile(s Side, namespace, pod, container string) string {
	return filepath.Join(c.sideDir(s), "container-logs", namespace, pod, container+".log")
}
