package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestWebPortsInLayout: the web endpoints take their own ports inside the
// sandbox's range, next to the AWS endpoints.
func TestWebPortsInLayout(t *testing.T) {
	t.Parallel()
	cfg := Config{PortBase: DefaultPortBase}
	taken := map[int]bool{}
	for _, side := range Sides() {
		p := cfg.Ports(side)
		for _, port := range []int{p.EtcdClient, p.EtcdPeer, p.APIServer, p.Kwok, p.ControllerManager, p.Scheduler, p.Authn, p.AWS} {
			taken[port] = true
		}
	}
	for _, side := range Sides() {
		web := cfg.Ports(side).Web
		if taken[web] || web >= cfg.PortBase+50 {
			t.Errorf("%s web port %d overlaps another or leaves %d..%d", side.Name, web, cfg.PortBase, cfg.PortBase+49)
		}
		taken[web] = true
	}
	eks, _ := SideByName("eks")
	if got := cfg.WebURL(eks); got != "http://127.0.0.1:17443" {
		t.Errorf("eks WebURL = %s, want http://127.0.0.1:17443", got)
	}
}

func TestWebEndpointArgs(t *testing.T) {
	t.Parallel()
	sb := &Sandbox{cfg: Config{Dir: "/run/sb", PortBase: DefaultPortBase}, tools: Toolset{"ferry-sandboxd": "/bin/ferry-sandboxd"}}
	for _, tc := range []struct{ side, want string }{
		{"kops", "web --listen=127.0.0.1:17442 --side=old --data=/run/sb/web/kops"},
		{"eks", "web --listen=127.0.0.1:17443 --side=new --data=/run/sb/web/eks"},
	} {
		side, _ := SideByName(tc.side)
		p := sb.webEndpoint(side)
		if got := strings.Join(p.Args, " "); got != tc.want || p.Port != sb.cfg.Ports(side).Web || p.Bin != "/bin/ferry-sandboxd" {
			t.Errorf("%s web proc %+v, want args %q", tc.side, p, tc.want)
		}
	}
}

// TestSetWebControl: SetWeb posts every setting, Web reads them back, and a
// refusal comes back as an error carrying the endpoint's reason.
func TestSetWebControl(t *testing.T) {
	t.Parallel()
	var got WebSettings
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != webControlPath {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodPost {
			var s WebSettings
			if err := json.NewDecoder(r.Body).Decode(&s); err != nil || s.LatencyMs < 0 {
				http.Error(w, "latencyMs -1: want 0 to 60000", http.StatusBadRequest)
				return
			}
			got = s
		}
		_ = json.NewEncoder(w).Encode(got)
	}))
	defer srv.Close()
	cfg := Config{PortBase: portOf(t, srv.URL) - 42} // kops' web port
	kops, _ := SideByName("kops")
	want := WebSettings{PostRedirect: true, Fail5xx: true, LatencyMs: 250}
	if err := cfg.SetWeb(t.Context(), kops, want); err != nil {
		t.Fatal(err)
	}
	if s, err := cfg.Web(t.Context(), kops); err != nil || s != want {
		t.Errorf("Web = %+v, %v; want %+v", s, err, want)
	}
	err := cfg.SetWeb(t.Context(), kops, WebSettings{LatencyMs: -1})
	if err == nil || !strings.Contains(err.Error(), "want 0 to 60000") || !strings.Contains(err.Error(), "kops") {
		t.Errorf("SetWeb refused: %v, want the endpoint's reason and the side", err)
	}
}

func portOf(t *testing.T, url string) int {
	t.Helper()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// TestSetLogErrors annotates every matching pod and only those.
func TestSetLogErrors(t *testing.T) {
	t.Parallel()
	pod := func(name, app string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "orders", Labels: map[string]string{"app": app},
			Annotations: map[string]string{LogsAnnotation: "http-json", LogErrorsAnnotation: "0.02"}}}
	}
	cs := fake.NewClientset(pod("orders-api-1", "orders-api"), pod("orders-api-2", "orders-api"), pod("worker-1", "fulfillment-worker"))
	if err := SetLogErrors(t.Context(), cs, "orders", "app=orders-api", 0.9, 20); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"orders-api-1": "0.9", "orders-api-2": "0.9", "worker-1": "0.02"} {
		p, err := cs.CoreV1().Pods("orders").Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Annotations[LogErrorsAnnotation] != want || p.Annotations[LogsAnnotation] != "http-json" {
			t.Errorf("%s annotations %v, want log-errors %s and the profile kept", name, p.Annotations, want)
		}
	}
	if p, _ := cs.CoreV1().Pods("orders").Get(t.Context(), "orders-api-1", metav1.GetOptions{}); p.Annotations[LogRateAnnotation] != "20" {
		t.Errorf("log-rate %q, want 20", p.Annotations[LogRateAnnotation])
	}
	if err := SetLogErrors(t.Context(), cs, "orders", "app=nothing", 1, 1); err == nil || !strings.Contains(err.Error(), "no pods match") {
		t.Errorf("no matching pods: %v, want an error saying so", err)
	}
	if err := SetLogErrors(t.Context(), cs, "orders", "app=orders-api", 1.5, 1); err == nil {
		t.Error("share 1.5 accepted")
	}
}
