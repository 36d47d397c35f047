package probe

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// sandboxSides are both sandbox clusters' API servers, real https servers
// on loopback, as probe sides, with a prober trusting both their CAs.
func sandboxSides(t *testing.T) (*Prober, Side, Side) {
	t.Helper()
	env := sandboxtest.Get(t)
	pool := x509.NewCertPool()
	var sides []Side
	for _, name := range []string{"kops", "eks"} {
		rc := env.REST(t, name)
		ca := rc.CAData
		if len(ca) == 0 {
			var err error
			if ca, err = os.ReadFile(rc.CAFile); err != nil {
				t.Fatal(err)
			}
		}
		if !pool.AppendCertsFromPEM(ca) {
			t.Fatalf("no CA certificate for %s", name)
		}
		sides = append(sides, Side{Name: name, BaseURL: mustURL(t, rc.Host)})
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &Prober{Client: &http.Client{Transport: tr}}, sides[0], sides[1]
}

func TestSandboxAPIServersAnswerAlike(t *testing.T) {
	p, kops, eks := sandboxSides(t)

	pr := p.Pair(t.Context(), Endpoint{Name: "apiserver/readyz", Path: "/readyz"}, kops, eks)
	if !pr.OK {
		t.Fatalf("readyz: %+v", pr.Checks())
	}
	if got := len(pr.Checks()); got != 4 { // two sides, status, latency
		t.Errorf("readyz gave %d checks, want 4: %+v", got, pr.Checks())
	}

	paths := []string{"major", "minor", "gitVersion"}
	pr = p.Pair(t.Context(), Endpoint{Name: "apiserver/version", Path: "/version", CompareJSON: paths}, kops, eks)
	if !pr.OK {
		t.Fatalf("version: %+v", pr.Checks())
	}
	for _, path := range paths {
		if c := comparison(t, pr, "json "+path); !c.OK || pr.Source.Fields[path] == "" {
			t.Errorf("%s: %+v, fields %v", path, c, pr.Source.Fields)
		}
	}
	wantContains(t, "gitVersion", pr.Target.Fields["gitVersion"], `"v1.`)
}

func TestSandboxAPIServerRefusalsAreNamedWithoutTheToken(t *testing.T) {
	p, kops, eks := sandboxSides(t)
	ep := Endpoint{Name: "apiserver/post-version", Method: http.MethodPost, Path: "/version",
		Header: http.Header{"Authorization": {"Bearer not-a-sandbox-token-4711"}}, Body: []byte(`{}`)}
	pr := p.Pair(t.Context(), ep, kops, eks)
	for _, r := range []Result{pr.Source, pr.Target} {
		if r.OK || r.Status != http.StatusUnauthorized {
			t.Errorf("%s: status %d OK=%v, want a failed 401", r.Side, r.Status, r.OK)
		}
		wantContains(t, r.Side, r.Failure, "POST /version answered 401 Unauthorized, expected 200")
	}
	if c := comparison(t, pr, "status"); !c.OK {
		t.Errorf("both sides refuse alike, yet %+v", c)
	}
	out, _ := json.Marshal(pr.Checks())
	if strings.Contains(string(out), "4711") {
		t.Errorf("the token leaked: %s", out)
	}
}

func TestSandboxHostOverrideIsTheTLSName(t *testing.T) {
	p, _, eks := sandboxSides(t)
	eks.Host = "kubernetes.default.svc" // on the apiserver's certificate, not in DNS
	if r := p.Probe(t.Context(), Endpoint{Name: "apiserver/livez", Path: "/livez"}, eks); !r.OK {
		t.Errorf("by a name on the certificate: %s", r.Failure)
	}
	eks.Host = "orders.eks.acme.internal"
	r := p.Probe(t.Context(), Endpoint{Name: "apiserver/livez", Path: "/livez"}, eks)
	if r.OK {
		t.Fatal("a name not on the certificate passed")
	}
	wantContains(t, "failure", r.Failure, "certificate is not valid for orders.eks.acme.internal")
}
