package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProcStatus is one sandbox process as Status sees it.
type ProcStatus struct {
	Name    string `json:"name"`
	Running bool   `json:"running"`
	PID     int    `json:"pid,omitempty"`
	Port    int    `json:"port,omitempty"`
	RSSKiB  int64  `json:"rssKiB,omitempty"`
	Log     string `json:"log"`
}

// Status is the whole sandbox's state.
type Status struct {
	Processes []ProcStatus `json:"processes"`
	Running   int          `json:"running"`
	Total     int          `json:"total"`
	RSSKiB    int64        `json:"rssKiB"`
	Env       []EnvVar     `json:"env"`
}

// Status reports every process, with its resident memory.
func (s *Sandbox) Status() Status {
	var st Status
	for _, p := range s.allProcs() {
		ps := ProcStatus{Name: p.Name, Port: p.Port, Log: p.LogFile(), PID: p.pid()}
		if ps.PID != 0 {
			ps.Running = true
			ps.RSSKiB = rssKiB(ps.PID)
			st.Running++
			st.RSSKiB += ps.RSSKiB
		}
		st.Processes = append(st.Processes, ps)
	}
	st.Total = len(st.Processes)
	st.Env = s.Env()
	return st
}

// Up reports whether every process runs.
func (st Status) Up() bool { return st.Total > 0 && st.Running == st.Total }

// rssKiB reads VmRSS from /proc; 0 when unknown.
func rssKiB(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// EnvVar is one variable `ferry sandbox env` exports.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Env lists the variables that point kubectl, the AWS CLI and ferry at the
// sandbox, and the URLs of its public web endpoints.
func (s *Sandbox) Env() []EnvVar {
	env := []EnvVar{
		{"KUBECONFIG", s.cfg.KubeconfigPath()},
		{"AWS_CONFIG_FILE", s.cfg.AWSConfigPath()},
		{"AWS_SHARED_CREDENTIALS_FILE", s.cfg.AWSCredentialsPath()},
		{"AWS_PROFILE", Sides()[0].Profile},
		{"AWS_REGION", Region},
		{"FERRY_PLAN", s.cfg.PlanPath()},
		{EnvDir, s.cfg.Dir},
		{EnvCache, s.cfg.CacheDir},
		{EnvPortBase, strconv.Itoa(s.cfg.PortBase)},
	}
	// The public orders-api endpoints, for curl and cutover probes:
	// FERRY_SANDBOX_WEB_KOPS and FERRY_SANDBOX_WEB_EKS.
	for _, side := range Sides() {
		env = append(env, EnvVar{"FERRY_SANDBOX_WEB_" + strings.ToUpper(side.Name), s.cfg.WebURL(side)})
	}
	return env
}

// Component names accepted by Stop and Start.
const (
	ComponentAPIServer = "kube-apiserver"
	ComponentAWS       = "aws"
)

// Stop stops one component of one side — the apiserver of a cluster or the
// AWS endpoint of an account — for tests of how ferry rides out an outage.
func (s *Sandbox) Stop(side Side, component string) error {
	p, err := s.component(side, component)
	if err != nil {
		return err
	}
	return p.stop(10 * time.Second)
}

// Start starts a component Stop stopped and waits until it answers.
func (s *Sandbox) Start(ctx context.Context, side Side, component string) error {
	if s.tools == nil {
		tools, err := EnsureBinaries(ctx, s.cfg, os.Stderr)
		if err != nil {
			return err
		}
		s.tools = tools
	}
	p, err := s.component(side, component)
	if err != nil {
		return err
	}
	if _, err := p.start(); err != nil {
		return err
	}
	if component == ComponentAWS {
		return waitHTTP(ctx, p, s.cfg.AWSEndpoint(side)+awsReadyPath, nil, 60*time.Second)
	}
	c := newCluster(s.cfg, side, s.tools)
	client, err := caClient(c.pki().path("ca.crt"))
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, p, c.server()+"/readyz", client, 90*time.Second); err != nil {
		return err
	}
	return s.bounceClients(c)
}

// bounceClients restarts the cluster's own components after an apiserver
// outage. Their informers recover by themselves, but only after a back-off
// of up to minutes (the fresh apiserver answers Forbidden until its RBAC
// cache fills), and the next test should not wait for that: the outage a
// test simulates is the one ferry sees, not the controllers'.
func (s *Sandbox) bounceClients(c cluster) error {
	for _, p := range []proc{c.controllerManager(), c.scheduler(), c.kwok(), c.logWriter()} {
		if err := p.stop(10 * time.Second); err != nil {
			return err
		}
		if _, err := p.start(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sandbox) component(side Side, component string) (proc, error) {
	switch component {
	case ComponentAPIServer:
		return newCluster(s.cfg, side, s.tools).apiserver(), nil
	case ComponentAWS:
		return s.awsEndpoint(side), nil
	}
	return proc{}, fmt.Errorf("unknown sandbox component %q: want %s or %s", component, ComponentAPIServer, ComponentAWS)
}
