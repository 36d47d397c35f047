package sandbox

import (
	"strings"
	"testing"
)

func TestPortsDoNotOverlap(t *testing.T) {
	t.Parallel()
	cfg := Config{PortBase: DefaultPortBase}
	seen := map[int]string{}
	for _, side := range Sides() {
		p := cfg.Ports(side)
		for name, port := range map[string]int{
			"etcd": p.EtcdClient, "peer": p.EtcdPeer, "apiserver": p.APIServer, "kwok": p.Kwok,
			"kcm": p.ControllerManager, "scheduler": p.Scheduler, "aws": p.AWS, "authn": p.Authn,
		} {
			key := side.Name + "/" + name
			if other, dup := seen[port]; dup {
				t.Errorf("port %d used by %s and %s", port, other, key)
			}
			seen[port] = key
			if port < cfg.PortBase || port >= cfg.PortBase+50 {
				t.Errorf("%s port %d outside %d..%d", key, port, cfg.PortBase, cfg.PortBase+49)
			}
		}
	}
}

// TestPortsLayout pins the ports the docs and users' firewalls know.
func TestPortsLayout(t *testing.T) {
	t.Parallel()
	cfg := Config{PortBase: DefaultPortBase}
	eks, err := SideByName("eks")
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Ports(eks); p.APIServer != 17423 || p.Authn != 17427 || p.AWS != 17441 {
		t.Errorf("eks ports %+v: want apiserver 17423, authn 17427, aws 17441", p)
	}
}

func TestDefaultConfigFromEnv(t *testing.T) {
	t.Setenv(EnvCache, "/tmp/c")
	t.Setenv(EnvDir, "/tmp/d")
	t.Setenv(EnvPortBase, "30000")
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CacheDir != "/tmp/c" || cfg.Dir != "/tmp/d" || cfg.PortBase != 30000 {
		t.Fatalf("env not honoured: %+v", cfg)
	}
	t.Setenv(EnvPortBase, "http")
	if _, err := DefaultConfig(); err == nil || !strings.Contains(err.Error(), EnvPortBase) {
		t.Fatalf("bad port base: want an error naming %s, got %v", EnvPortBase, err)
	}
}

func TestSideByName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"kops": "kops", "source": "kops", "ferry-old": "kops", "eks": "eks", "target": "eks"} {
		s, err := SideByName(name)
		if err != nil || s.Name != want {
			t.Errorf("SideByName(%q) = %v, %v; want %s", name, s.Name, err, want)
		}
	}
	if _, err := SideByName("gke"); err == nil {
		t.Error("SideByName(gke): want an error")
	}
}
