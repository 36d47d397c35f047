package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"
)

// cluster is one side's control plane: its processes, files and ports.
type cluster struct {
	cfg   Config
	side  Side
	ports Ports
	tools Toolset
}

func newCluster(cfg Config, side Side, tools Toolset) cluster {
	return cluster{cfg: cfg, side: side, ports: cfg.Ports(side), tools: tools}
}

func (c cluster) dir(parts ...string) string {
	return filepath.Join(append([]string{c.cfg.sideDir(c.side)}, parts...)...)
}

func (c cluster) pki() pki { return pki{dir: c.dir("pki")} }

func (c cluster) server() string { return fmt.Sprintf("https://%s:%d", Host, c.ports.APIServer) }

// Service CIDRs and OIDC issuers look like each kind of cluster's own.
func (c cluster) serviceCIDR() string {
	if c.side.Name == "kops" {
		return "100.64.0.0/13"
	}
	return "172.20.0.0/16"
}

func (c cluster) podCIDR() string {
	if c.side.Name == "kops" {
		return "100.96.0.0/11"
	}
	return "10.0.64.0/18"
}

// Issuer is the service-account token issuer; on eks it is an EKS-style
// OIDC URL so IRSA trust policies read as they would in AWS.
func (c cluster) issuer() string {
	if c.side.Name == "kops" {
		return "https://api.internal.kops.acme.internal"
	}
	return "https://oidc.eks.us-east-1.amazonaws.com/id/FERRYSANDBOX"
}

func (c cluster) proc(name string, port int, args ...string) proc {
	return proc{Name: c.side.Name + "/" + name, Bin: c.tools[name], Args: args, Dir: c.cfg.Dir, Port: port}
}

func (c cluster) etcd() proc {
	client := fmt.Sprintf("http://%s:%d", Host, c.ports.EtcdClient)
	peer := fmt.Sprintf("http://%s:%d", Host, c.ports.EtcdPeer)
	return c.proc("etcd", c.ports.EtcdClient,
		"--name=default", "--data-dir="+c.dir("etcd"),
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=default="+peer,
		"--log-level=warn",
		// A throwaway sandbox trades durability for speed.
		"--unsafe-no-fsync=true")
}

func (c cluster) apiserver() proc {
	p := c.pki()
	ap := c.proc("kube-apiserver", c.ports.APIServer,
		fmt.Sprintf("--etcd-servers=http://%s:%d", Host, c.ports.EtcdClient),
		"--bind-address="+Host, "--advertise-address="+Host,
		"--secure-port="+strconv.Itoa(c.ports.APIServer),
		// On loopback the default reconciler refuses 127.0.0.1 as the
		// advertise address.
		"--endpoint-reconciler-type=none",
		"--tls-cert-file="+p.path("apiserver.crt"), "--tls-private-key-file="+p.path("apiserver.key"),
		"--client-ca-file="+p.path("ca.crt"),
		"--token-auth-file="+p.path("tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer="+c.issuer(),
		"--service-account-key-file="+p.path("sa.pub"),
		"--service-account-signing-key-file="+p.path("sa.key"),
		"--service-cluster-ip-range="+c.serviceCIDR(),
		"--allow-privileged=true",
		"--profiling=false",
		"-v=1")
	ap.Args = append(ap.Args, c.authnArgs()...)
	return ap
}

func (c cluster) controllerManager() proc {
	return c.proc("kube-controller-manager", c.ports.ControllerManager, append(c.componentArgs("kube-controller-manager", c.ports.ControllerManager),
		"--use-service-account-credentials=true",
		"--service-account-private-key-file="+c.pki().path("sa.key"),
		"--root-ca-file="+c.pki().path("ca.crt"),
		"--service-cluster-ip-range="+c.serviceCIDR(),
		"--cluster-name="+c.side.Name)...)
}

func (c cluster) scheduler() proc {
	return c.proc("kube-scheduler", c.ports.Scheduler, c.componentArgs("kube-scheduler", c.ports.Scheduler)...)
}

// componentArgs are the flags the controller manager and the scheduler
// share: their kubeconfig for everything, loopback serving, no election.
func (c cluster) componentArgs(name string, port int) []string {
	kc := c.dir(name + ".kubeconfig")
	return []string{
		"--kubeconfig=" + kc, "--authentication-kubeconfig=" + kc, "--authorization-kubeconfig=" + kc,
		"--bind-address=" + Host, "--secure-port=" + strconv.Itoa(port),
		"--leader-elect=false", "--profiling=false", "-v=1",
	}
}

func (c cluster) kwok() proc {
	addr := fmt.Sprintf("%s:%d", Host, c.ports.Kwok)
	return c.proc("kwok", c.ports.Kwok,
		"--kubeconfig="+c.dir("kwok.kubeconfig"),
		"--config="+c.dir("kwok-stages.yaml"),
		"--manage-all-nodes=true",
		// The apiserver reaches kwok for pods/log at the node's address.
		"--node-ip="+Host, "--node-name=localhost", "--node-port="+strconv.Itoa(c.ports.Kwok),
		"--server-address="+addr,
		"--cidr="+c.podCIDR(),
		// Logs objects come from the apiserver: the log writer creates one
		// per pod, pointing at that pod's files.
		"--enable-crds=Logs")
}

func (c cluster) logWriter() proc {
	p := proc{Name: c.side.Name + "/log-writer", Bin: c.tools["ferry-sandboxd"], Dir: c.cfg.Dir,
		Args: []string{"logs", "--kubeconfig=" + c.dir("ferry-sandboxd.kubeconfig"), "--context=" + c.side.Name,
			"--dir=" + c.dir("container-logs"), "--seed=" + strconv.Itoa(1+c.side.index)}}
	return p
}

// procs lists the cluster's processes in start order; eks's token webhook
// comes before the apiserver that calls it.
func (c cluster) procs() []proc {
	ps := []proc{c.etcd()}
	if c.runsAuthn() {
		ps = append(ps, c.authn())
	}
	return append(ps, c.apiserver(), c.controllerManager(), c.scheduler(), c.kwok(), c.logWriter())
}

// writeComponentConfigs writes the per-component kubeconfigs and kwok's
// stages.
func (c cluster) writeComponentConfigs(tokens map[string]string) error {
	users := map[string]string{
		"kube-controller-manager": "system:kube-controller-manager",
		"kube-scheduler":          "system:kube-scheduler",
		"kwok":                    "kwok",
		"ferry-sandboxd":          "ferry-sandboxd",
	}
	for file, user := range users {
		e := kubeEntry{Context: c.side.Name, Server: c.server(), CAFile: c.pki().path("ca.crt"), User: file, Token: tokens[user]}
		if err := writeKubeconfig(c.dir(file+".kubeconfig"), []kubeEntry{e}, c.side.Name); err != nil {
			return err
		}
	}
	if err := c.writeAuthnConfig(); err != nil {
		return fmt.Errorf("authn webhook config for %s: %w", c.side.Name, err)
	}
	return writeStages(c.dir("kwok-stages.yaml"), c.side)
}

// waitHTTP polls url until it answers 200, the process dies or ctx ends.
func waitHTTP(ctx context.Context, p proc, url string, client *http.Client, timeout time.Duration) error {
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Second}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := p.exited(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s after %s (log: %s)", p.Name, url, timeout, p.LogFile())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
