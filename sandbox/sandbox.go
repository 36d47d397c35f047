package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// Sandbox is a handle on the sandbox's processes and files. It holds no
// live state: every method reads the pid files, so any ferry process can
// manage a sandbox another one started.
type Sandbox struct {
	cfg   Config
	tools Toolset
}

// Open returns a handle for cfg. It builds nothing and starts nothing.
func Open(cfg Config) *Sandbox { return &Sandbox{cfg: cfg} }

// Config returns where the sandbox lives.
func (s *Sandbox) Config() Config { return s.cfg }

// Up builds missing binaries, then starts whatever is not running, seeds
// both clusters and both accounts, and waits until the seeded pods run.
// Running it on a sandbox that is up changes nothing.
func (s *Sandbox) Up(ctx context.Context, w io.Writer) error {
	unlock, err := s.cfg.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tools, err := EnsureBinaries(ctx, s.cfg, w)
	if err != nil {
		return err
	}
	s.tools = tools
	start := time.Now()
	if err := s.startControlPlanes(ctx, w); err != nil {
		return err
	}
	if err := s.startAWS(ctx, w); err != nil {
		return err
	}
	if err := s.startWeb(ctx, w); err != nil {
		return err
	}
	if err := os.WriteFile(s.cfg.PlanPath(), s.cfg.plan(), 0o644); err != nil {
		return fmt.Errorf("write the sandbox plan: %w", err)
	}
	for _, side := range Sides() {
		if err := s.bootstrap(ctx, side, w); err != nil {
			return err
		}
	}
	if err := s.waitSeedRunning(ctx, 60*time.Second); err != nil {
		return err
	}
	fmt.Fprintf(w, "sandbox up in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// startControlPlanes starts etcd and the apiserver of both clusters first
// (they start in parallel), then the rest.
func (s *Sandbox) startControlPlanes(ctx context.Context, w io.Writer) error {
	var entries []kubeEntry
	bounce := map[string]bool{}
	for _, side := range Sides() {
		c := newCluster(s.cfg, side, s.tools)
		tokens, err := c.pki().ensure(side)
		if err != nil {
			return fmt.Errorf("certificates for %s: %w", side.Name, err)
		}
		if err := c.writeComponentConfigs(tokens); err != nil {
			return err
		}
		entries = append(entries, kubeEntry{Context: side.Name, Server: c.server(), CAFile: c.pki().path("ca.crt"), User: "admin", Token: tokens["admin"]})
		if err := s.startAndWait(ctx, w, c.etcd(), fmt.Sprintf("http://%s:%d/health", Host, c.ports.EtcdClient)); err != nil {
			return err
		}
		if c.runsAuthn() {
			if err := s.startAndWait(ctx, w, c.authn(), c.authnURL()+"/healthz"); err != nil {
				return err
			}
		}
		// An apiserver (re)started under running controllers leaves them in
		// a long back-off: bounce them once it is ready.
		if c.controllerManager().pid() != 0 && (c.apiserver().pid() == 0 || c.apiserver().stale()) {
			bounce[side.Name] = true
		}
		if err := s.ensureRunning(w, c.apiserver()); err != nil {
			return err
		}
	}
	if err := writeKubeconfig(s.cfg.KubeconfigPath(), entries, "kops"); err != nil {
		return err
	}
	for _, side := range Sides() {
		c := newCluster(s.cfg, side, s.tools)
		client, err := caClient(c.pki().path("ca.crt"))
		if err != nil {
			return err
		}
		if err := waitHTTP(ctx, c.apiserver(), c.server()+"/readyz", client, 90*time.Second); err != nil {
			return err
		}
		if bounce[side.Name] {
			if err := s.bounceClients(c); err != nil {
				return err
			}
		}
		for _, p := range []proc{c.controllerManager(), c.scheduler(), c.kwok()} {
			if err := s.ensureRunning(w, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Sandbox) startAWS(ctx context.Context, w io.Writer) error {
	if err := s.cfg.writeAWSFiles(); err != nil {
		return fmt.Errorf("write AWS config files: %w", err)
	}
	for _, side := range Sides() {
		if err := s.ensureRunning(w, s.awsEndpoint(side)); err != nil {
			return err
		}
	}
	for _, side := range Sides() {
		p := s.awsEndpoint(side)
		if err := waitHTTP(ctx, p, s.cfg.AWSEndpoint(side)+awsReadyPath, nil, 60*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// bootstrap makes a started cluster usable: kwok's CRD, the node, the seed,
// then the log writer.
func (s *Sandbox) bootstrap(ctx context.Context, side Side, w io.Writer) error {
	cs, dyn, err := s.clients(side)
	if err != nil {
		return err
	}
	if err := ensureLogsCRD(ctx, dyn); err != nil {
		return fmt.Errorf("%s: %w", side.Name, err)
	}
	if err := ensureNode(ctx, cs, side); err != nil {
		return err
	}
	if err := waitNodeReady(ctx, cs, side, 60*time.Second); err != nil {
		return err
	}
	if err := SeedCluster(ctx, cs, side.Name); err != nil {
		return fmt.Errorf("seed %s: %w", side.Name, err)
	}
	return s.ensureRunning(w, newCluster(s.cfg, side, s.tools).logWriter())
}

func (s *Sandbox) clients(side Side) (kubernetes.Interface, dynamic.Interface, error) {
	rc, err := RESTConfig(s.cfg.KubeconfigPath(), side.Name)
	if err != nil {
		return nil, nil, err
	}
	rc.QPS, rc.Burst = 100, 200
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, nil, err
	}
	dyn, err := dynamic.NewForConfig(rc)
	return cs, dyn, err
}

func (s *Sandbox) ensureRunning(w io.Writer, p proc) error {
	if p.stale() {
		fmt.Fprintf(w, "restarting %s: its binary or flags changed\n", p.Name)
		if err := p.stop(10 * time.Second); err != nil {
			return err
		}
	}
	started, err := p.start()
	if err != nil {
		return err
	}
	if started {
		fmt.Fprintf(w, "started %-32s port %-5d log %s\n", p.Name, p.Port, p.LogFile())
	}
	return nil
}

func (s *Sandbox) startAndWait(ctx context.Context, w io.Writer, p proc, url string) error {
	if err := s.ensureRunning(w, p); err != nil {
		return err
	}
	return waitHTTP(ctx, p, url, nil, 60*time.Second)
}

func caClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no certificate in " + caFile)
	}
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, nil
}

// allProcs lists every process of the sandbox in start order. Pid files
// identify them, so a handle that has built nothing can stop them.
func (s *Sandbox) allProcs() []proc {
	var ps []proc
	for _, side := range Sides() {
		ps = append(ps, newCluster(s.cfg, side, s.tools).procs()...)
	}
	for _, side := range Sides() {
		ps = append(ps, s.awsEndpoint(side))
	}
	for _, side := range Sides() {
		ps = append(ps, s.webEndpoint(side))
	}
	return ps
}

// Down stops every sandbox process, newest first. Data stays for the next
// Up unless purge is set.
func (s *Sandbox) Down(w io.Writer, purge bool) error {
	// Waiting for an Up in progress beats stopping half of what it starts.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	unlock, err := s.cfg.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	ps := s.allProcs()
	var errs []error
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if p.pid() != 0 {
			fmt.Fprintf(w, "stopping %s\n", p.Name)
		}
		if err := p.stop(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if purge && len(errs) == 0 {
		if err := os.RemoveAll(s.cfg.Dir); err != nil {
			errs = append(errs, err)
		}
		fmt.Fprintf(w, "removed %s\n", s.cfg.Dir)
	}
	return errors.Join(errs...)
}
