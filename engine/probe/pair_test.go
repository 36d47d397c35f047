package probe

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestJSONFieldsCompared(t *testing.T) {
	t.Parallel()
	source := serve(t, jsonBody(`{"order":{"status":"paid","total":12.50,"items":[{"sku":"a"}],"meta":{"x":1,"y":2}}}`))
	target := serve(t, jsonBody(`{"order":{"meta":{"y":2,"x":1},"items":[{"sku":"a"}],"status":"pending","total":12.50}}`))
	ep := Endpoint{Name: "orders-api/get-order", Path: "/orders/1",
		CompareJSON: []string{"order.status", "order.items.0.sku", "order.meta", "order.total", "order.missing"}}
	pr := (&Prober{}).Pair(t.Context(), ep, sideOf(t, "kops", source), sideOf(t, "eks", target))

	if !pr.Source.OK || !pr.Target.OK || pr.OK {
		t.Fatalf("want both sides OK and the pair failed: %+v", pr)
	}
	for _, tc := range []struct {
		what     string
		ok       bool
		evidence string
	}{
		{"json order.status", false, `order.status differs: kops has "paid", eks has "pending"`},
		{"json order.items.0.sku", true, `order.items.0.sku is "a" on both sides`},
		{"json order.meta", true, `{"x":1,"y":2} on both sides`},
		{"json order.total", true, `12.50 on both sides`},
		{"json order.missing", false, "cannot be compared: kops has no such field, eks has no such field"},
	} {
		c := comparison(t, pr, tc.what)
		if c.OK != tc.ok {
			t.Errorf("%s OK=%v, want %v (%s)", tc.what, c.OK, tc.ok, c.Evidence)
		}
		wantContains(t, tc.what, c.Evidence, tc.evidence)
	}
	wantContains(t, "source evidence", pr.Source.Evidence, `order.status="paid"`)
}

func TestJSONFieldsOfANonJSONBody(t *testing.T) {
	t.Parallel()
	source := serve(t, jsonBody(`{"v":"1"}`))
	target := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<html>private-page-text</html>"))
	})
	pr := (&Prober{}).Pair(t.Context(), Endpoint{Name: "v", CompareJSON: []string{"v"}}, sideOf(t, "kops", source), sideOf(t, "eks", target))
	c := comparison(t, pr, "json v")
	if c.OK {
		t.Fatal("a field compared against an HTML page passed")
	}
	wantContains(t, "evidence", c.Evidence, "eks has no value (the body is not JSON (text/html))")
	if strings.Contains(pr.Target.Evidence+pr.Target.FieldsError, "private-page-text") {
		t.Error("the body's text leaked into the result")
	}
}

func TestBodyCompare(t *testing.T) {
	t.Parallel()
	same1, same2, other := serve(t, status(200, "hello")), serve(t, status(200, "hello")), serve(t, status(200, "hullo"))
	ep := Endpoint{Name: "page", CompareBody: true}
	p := &Prober{}

	pr := p.Pair(t.Context(), ep, sideOf(t, "kops", same1), sideOf(t, "eks", same2))
	if c := comparison(t, pr, "body"); !c.OK || !pr.OK {
		t.Errorf("equal bodies: %+v", c)
	}
	pr = p.Pair(t.Context(), ep, sideOf(t, "kops", same1), sideOf(t, "eks", other))
	c := comparison(t, pr, "body")
	if c.OK || pr.OK {
		t.Fatalf("different bodies passed: %+v", c)
	}
	// sha256("hello") and sha256("hullo"), first 12 hex digits.
	wantContains(t, "evidence", c.Evidence, "bodies differ: kops sha256 2cf24dba5fb0 (5 bytes), eks sha256 ")
	if pr.Source.BodySHA256 == pr.Target.BodySHA256 {
		t.Error("different bodies hashed alike")
	}

	pr = p.Pair(t.Context(), Endpoint{Name: "page"}, sideOf(t, "kops", same1), sideOf(t, "eks", other))
	for _, c := range pr.Comparisons {
		if c.What == "body" {
			t.Error("bodies compared without CompareBody")
		}
	}
}

func TestStatusDifferenceIsTheOnlyComparison(t *testing.T) {
	t.Parallel()
	source, target := serve(t, jsonBody(`{"a":1}`)), serve(t, status(404, `{"a":2}`))
	ep := Endpoint{Name: "x", CompareJSON: []string{"a"}, CompareBody: true}
	pr := (&Prober{}).Pair(t.Context(), ep, sideOf(t, "kops", source), sideOf(t, "eks", target))
	if len(pr.Comparisons) != 1 || pr.Comparisons[0].What != "status" || pr.Comparisons[0].OK {
		t.Fatalf("comparisons %+v, want one failed status", pr.Comparisons)
	}
	wantContains(t, "evidence", pr.Comparisons[0].Evidence, "kops answered 200 OK, eks answered 404 Not Found")
}

func TestSecretsNeverInResults(t *testing.T) {
	t.Parallel()
	var (
		mu               sync.Mutex
		gotAuth, gotBody string
	)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotAuth, gotBody = r.Header.Get("Authorization"), string(b)
		mu.Unlock()
		http.Redirect(w, r, "/next?session=zzz-session-987&page=2", http.StatusFound)
	})
	base := mustURL(t, srv.URL)
	base.User = mustURL(t, "http://ops:pass-w0rd-x@h").User
	ep := Endpoint{Name: "login", Method: http.MethodPost, Path: "/login?token=abc-token-123&x=1",
		Header: http.Header{"Authorization": {"Bearer s3cr3t-bearer"}, "X-Api-Key": {"k3y-value"}},
		Body:   []byte(`{"password":"hunter2-pw"}`)}
	pr := (&Prober{}).Pair(t.Context(), ep, Side{Name: "kops", BaseURL: base}, Side{Name: "eks", BaseURL: base})

	mu.Lock()
	defer mu.Unlock()
	if gotAuth != "Bearer s3cr3t-bearer" || !strings.Contains(gotBody, "hunter2-pw") {
		t.Fatalf("the server did not get the header and body (%q, %q): the test proves nothing", gotAuth, gotBody)
	}
	out, err := json.Marshal(struct {
		PR     PairResult
		Checks any
	}{pr, pr.Checks()})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cr3t-bearer", "k3y-value", "hunter2-pw", "abc-token-123", "zzz-session-987", "pass-w0rd-x"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("%q appears in the results: %s", secret, out)
		}
	}
	wantContains(t, "failure", pr.Target.Failure, "POST /login?token=REDACTED&x=1 answered 302 Found", "session=REDACTED")
}

func TestSlowTargetFailsTheLatencyComparison(t *testing.T) {
	t.Parallel()
	fast := serve(t, status(200, "ok"))
	// The target sleeps far beyond both limits, so only a source slower
	// than 300ms on loopback could make this pass.
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(600 * time.Millisecond):
		case <-r.Context().Done():
		}
	})
	p := &Prober{SlowFactor: 2, SlowFloor: 100 * time.Millisecond}
	pr := p.Pair(t.Context(), Endpoint{Name: "x"}, sideOf(t, "kops", fast), sideOf(t, "eks", slow))
	c := comparison(t, pr, "latency")
	if c.OK || pr.OK {
		t.Fatalf("a 600ms target against a fast source passed: %+v", c)
	}
	wantContains(t, "evidence", c.Evidence, "beyond the limit of 2x and +100ms")

	// Reversed, the slow side is the source: a faster target is never a finding.
	pr = p.Pair(t.Context(), Endpoint{Name: "x"}, sideOf(t, "kops", slow), sideOf(t, "eks", fast))
	if c := comparison(t, pr, "latency"); !c.OK || !pr.OK {
		t.Errorf("a faster target failed: %+v", c)
	}
}

func TestPairAsksBothSidesAtOnce(t *testing.T) {
	t.Parallel()
	// Each handler waits for the other to be entered; asked one after the
	// other, the first would give up and answer 500.
	var arrived sync.WaitGroup
	arrived.Add(2)
	both := make(chan struct{})
	go func() { arrived.Wait(); close(both) }()
	h := func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		select {
		case <-both:
		case <-time.After(5 * time.Second):
			w.WriteHeader(http.StatusInternalServerError)
		}
	}
	pr := (&Prober{}).Pair(t.Context(), Endpoint{Name: "x"}, sideOf(t, "kops", serve(t, h)), sideOf(t, "eks", serve(t, h)))
	if !pr.OK {
		t.Fatalf("sides were not asked concurrently: %s / %s", pr.Source.Evidence, pr.Target.Evidence)
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	source, target := serve(t, jsonBody(`{"v":1}`)), serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/x/", http.StatusMovedPermanently)
	})
	ep := Endpoint{Name: "orders-api/create-order", Method: http.MethodPost, Path: "/x"}
	checks := (&Prober{}).Pair(t.Context(), ep, sideOf(t, "kops", source), sideOf(t, "eks", target)).Checks()
	if len(checks) != 3 {
		t.Fatalf("checks %+v, want source, target and status", checks)
	}
	for i, want := range []struct {
		name string
		ok   bool
		ev   string
	}{
		{"probe orders-api/create-order on kops", true, "POST http://"},
		{"probe orders-api/create-order on eks", false, "POST /x answered 301 Moved Permanently"},
		{"probe orders-api/create-order: status on kops and eks", false, "kops answered 200 OK, eks answered 301"},
	} {
		c := checks[i]
		if c.Name != want.name || c.OK != want.ok {
			t.Errorf("check %d = %q OK=%v, want %q OK=%v", i, c.Name, c.OK, want.name, want.ok)
		}
		wantContains(t, c.Name, c.Evidence, want.ev)
	}
	wantContains(t, "failed check evidence", checks[1].Evidence, " | POST http://") // the failure, then the evidence
}
