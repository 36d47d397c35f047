package probe

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRedirectedPostFailsOnTheTargetOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		location func(host string) string
		hint     string
	}{
		{"to https", func(h string) string { return "https://" + h + "/orders" }, "ssl-redirect"},
		{"trailing slash", func(string) string { return "/orders/" }, "trailing slash"},
		{"other host", func(string) string { return "http://elsewhere.invalid/orders" }, "another host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var followed, posts atomic.Int32
			source := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					w.WriteHeader(http.StatusMethodNotAllowed)
				}
			})
			target := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/orders" {
					followed.Add(1)
					return
				}
				posts.Add(1)
				http.Redirect(w, r, tc.location(r.Host), http.StatusMovedPermanently)
			})
			ep := Endpoint{Name: "orders-api/create-order", Method: http.MethodPost, Path: "/orders", Body: []byte(`{"sku":"a"}`)}
			pr := (&Prober{}).Pair(t.Context(), ep, sideOf(t, "kops", source), sideOf(t, "eks", target))

			if !pr.Source.OK {
				t.Errorf("source failed: %s", pr.Source.Failure)
			}
			if pr.Target.OK || pr.OK {
				t.Fatalf("target passed a POST answered 301: %+v", pr.Target)
			}
			wantContains(t, "target failure", pr.Target.Failure,
				"POST /orders answered 301 Moved Permanently (Location: ", "expected 200",
				"resends as GET without the body", tc.hint)
			wantContains(t, "target evidence", pr.Target.Evidence, "POST http://", "-> 301 Moved Permanently in ", "Location: ")
			if followed.Load() != 0 || posts.Load() != 1 {
				t.Errorf("target saw %d POSTs and %d followed requests, want 1 and 0", posts.Load(), followed.Load())
			}
			if got := comparison(t, pr, "status"); got.OK {
				t.Errorf("status comparison passed for 200 vs 301: %+v", got)
			}
		})
	}
}

func TestStatusVerdicts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		method  string
		expect  int
		answer  int
		ok      bool
		failure []string
	}{
		{"GET 200", "", 0, 200, true, nil},
		{"GET expects 301", http.MethodGet, 301, 301, true, nil},
		{"POST expects 303", http.MethodPost, 303, 303, true, nil},
		{"HEAD 204 expected", http.MethodHead, 204, 204, true, nil},
		{"GET 302 unexpected", http.MethodGet, 0, 302, false, []string{"GET /x answered 302 Found", "if this one is intended, expect 302"}},
		{"GET 404", "", 0, 404, false, []string{"GET /x answered 404 Not Found, expected 200"}},
		{"GET 200 expected 204", "", 204, 200, false, []string{"answered 200 OK, expected 204"}},
		{"PUT 308", http.MethodPut, 0, 308, false, []string{"PUT /x answered 308 Permanent Redirect", "must resend the body"}},
		{"DELETE 302", http.MethodDelete, 0, 302, false, []string{"resends as GET without the body, so the DELETE is lost"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.answer >= 300 && tc.answer < 400 {
					w.Header().Set("Location", "/y")
				}
				w.WriteHeader(tc.answer)
			})
			r := (&Prober{}).Probe(t.Context(), Endpoint{Name: "x", Method: tc.method, Path: "/x", Expect: tc.expect}, sideOf(t, "eks", srv))
			if r.OK != tc.ok || r.Status != tc.answer {
				t.Fatalf("OK=%v status=%d, want %v %d (failure %q)", r.OK, r.Status, tc.ok, tc.answer, r.Failure)
			}
			if tc.ok && r.Failure != "" {
				t.Errorf("passing probe has failure %q", r.Failure)
			}
			wantContains(t, "failure", r.Failure, tc.failure...)
		})
	}
}

func TestConnectionRefusedNamesTheAddress(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := (&Prober{}).Probe(t.Context(), Endpoint{Name: "health", Path: "/healthz"}, Side{Name: "eks", BaseURL: mustURL(t, "http://"+addr)})
	if r.OK || r.Status != 0 {
		t.Fatalf("probe of a closed port: %+v", r)
	}
	wantContains(t, "failure", r.Failure, "connection refused by "+addr, "nothing listens there")
	wantContains(t, "evidence", r.Evidence, "GET http://"+addr+"/healthz -> connection refused")
}

func TestTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	side := sideOf(t, "eks", srv)

	r := (&Prober{Timeout: time.Minute}).Probe(t.Context(), Endpoint{Name: "slow", Timeout: 100 * time.Millisecond}, side)
	if r.OK {
		t.Fatal("a hung server passed")
	}
	wantContains(t, "failure", r.Failure, "no answer from "+srv.Listener.Addr().String()+" within 100ms (timeout)")
	if r.Latency < 100*time.Millisecond || r.Latency > 30*time.Second {
		t.Errorf("latency %s, want about the 100ms timeout", r.Latency)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r = (&Prober{}).Probe(ctx, Endpoint{Name: "slow"}, side)
	wantContains(t, "failure", r.Failure, "canceled before an answer came")
}

func TestBodyLargerThanTheCapIsNotReadWhole(t *testing.T) {
	t.Parallel()
	const limit = 64 << 20 // the handler gives up here; a prober reading it all would get this far
	wrote := make(chan int, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 32<<10))
		n := 0
		for n < limit {
			m, err := w.Write(chunk)
			n += m
			if err != nil {
				break
			}
		}
		wrote <- n
	})
	ep := Endpoint{Name: "big", CompareJSON: []string{"a"}, Timeout: 20 * time.Second}
	r := (&Prober{BodyCap: 4096}).Probe(t.Context(), ep, sideOf(t, "eks", srv))
	if !r.OK || !r.Truncated || r.BodyBytes != 4096 {
		t.Fatalf("OK=%v truncated=%v bytes=%d, want a passing probe truncated at 4096 (%s)", r.OK, r.Truncated, r.BodyBytes, r.Failure)
	}
	wantContains(t, "fields error", r.FieldsError, "longer than the body cap")
	wantContains(t, "evidence", r.Evidence, "body 4096 bytes", "truncated at the cap")
	select {
	case n := <-wrote:
		if n >= limit {
			t.Errorf("server wrote all %d bytes: the body was read whole", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server kept writing after the probe returned")
	}
}

func TestHostOverride(t *testing.T) {
	t.Parallel()
	var host atomic.Value
	plain := serve(t, func(w http.ResponseWriter, r *http.Request) { host.Store(r.Host) })
	side := sideOf(t, "eks", plain)
	side.Host = "orders.eks.acme.internal"
	if r := (&Prober{}).Probe(t.Context(), Endpoint{Name: "public"}, side); !r.OK {
		t.Fatal(r.Failure)
	}
	if got := host.Load(); got != "orders.eks.acme.internal" {
		t.Errorf("Host header %v, want the override", got)
	}

	// Over https the override is the TLS server name too (httptest's
	// certificate names example.com), so a load balancer is asked by name.
	var sni atomic.Value
	tlsSrv := httptestTLS(t, func(w http.ResponseWriter, r *http.Request) { sni.Store(r.TLS.ServerName) })
	side = Side{Name: "eks", BaseURL: mustURL(t, tlsSrv.URL), Host: "example.com"}
	r := (&Prober{Client: tlsSrv.Client()}).Probe(t.Context(), Endpoint{Name: "public"}, side)
	if !r.OK {
		t.Fatal(r.Failure)
	}
	if got := sni.Load(); got != "example.com" {
		t.Errorf("TLS server name %v, want example.com", got)
	}
}

func TestTLSFailuresAreNamed(t *testing.T) {
	t.Parallel()
	tlsSrv := httptestTLS(t, status(200, ""))
	r := (&Prober{}).Probe(t.Context(), Endpoint{Name: "x"}, sideOf(t, "eks", tlsSrv))
	wantContains(t, "untrusted", r.Failure, "TLS: ", "certificate is not trusted", "give the prober the CA")

	side := Side{Name: "eks", BaseURL: mustURL(t, tlsSrv.URL), Host: "orders.acme.internal"}
	r = (&Prober{Client: tlsSrv.Client()}).Probe(t.Context(), Endpoint{Name: "x"}, side)
	wantContains(t, "wrong name", r.Failure, "certificate is not valid for orders.acme.internal")

	plain := serve(t, status(200, ""))
	side = Side{Name: "eks", BaseURL: mustURL(t, strings.Replace(plain.URL, "http:", "https:", 1))}
	r = (&Prober{}).Probe(t.Context(), Endpoint{Name: "x"}, side)
	wantContains(t, "plain http", r.Failure, "server gave HTTP response to HTTPS client")
}

func TestBadAddressesFailWithoutARequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base, path, want string
	}{
		{"", "/x", "the side has no address"},
		{"ftp://h/", "/x", "is not an http(s) URL"},
		{"http://h/", "http://other/x", "is not a path"},
	} {
		side := Side{Name: "eks"}
		if tc.base != "" {
			side.BaseURL = mustURL(t, tc.base)
		}
		r := (&Prober{}).Probe(t.Context(), Endpoint{Name: "x", Path: tc.path}, side)
		if r.OK {
			t.Errorf("%s + %s passed", tc.base, tc.path)
		}
		wantContains(t, "failure", r.Failure, tc.want)
	}
}

func TestDefaultHeaders(t *testing.T) {
	t.Parallel()
	seen := make(chan http.Header, 3)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { seen <- r.Header.Clone() })
	p := &Prober{}
	p.Probe(t.Context(), Endpoint{Name: "x", Method: http.MethodPost, Body: []byte(`{"a":1}`)}, sideOf(t, "eks", srv))
	h := <-seen
	if h.Get("User-Agent") != UserAgent || h.Get("Content-Type") != "application/json" {
		t.Errorf("defaults: User-Agent %q, Content-Type %q", h.Get("User-Agent"), h.Get("Content-Type"))
	}
	own := http.Header{"User-Agent": {"mine"}, "Content-Type": {"text/plain"}}
	p.Probe(t.Context(), Endpoint{Name: "x", Method: http.MethodPost, Header: own, Body: []byte(`{"a":1}`)}, sideOf(t, "eks", srv))
	h = <-seen
	if h.Get("User-Agent") != "mine" || h.Get("Content-Type") != "text/plain" {
		t.Errorf("the endpoint's own headers were overridden: %v", h)
	}
	bare := http.Header{"X-Request-Id": {"1"}}
	p.Probe(t.Context(), Endpoint{Name: "x", Header: bare}, sideOf(t, "eks", srv))
	if h := <-seen; h.Get("User-Agent") != UserAgent || h.Get("X-Request-Id") != "1" {
		t.Errorf("sent %v, want the endpoint's header plus the User-Agent", h)
	}
	if len(bare) != 1 {
		t.Errorf("the endpoint's Header was changed: %v", bare)
	}
}
