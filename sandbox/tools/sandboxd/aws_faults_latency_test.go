package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFaultsLatencyDelaysRequests: every AWS request takes at least the
// latency, requests in flight together wait together rather than in turn,
// and the setting shows in the status.
func TestFaultsLatencyDelaysRequests(t *testing.T) {
	t.Parallel()
	const latency = 200 * time.Millisecond
	tc := sdkCases()[0]
	url, served := faultTestServer(t, tc, faultFlag{settings: faultSettings{LatencyMs: int(latency / time.Millisecond)}})
	start := time.Now()
	if err := tc.call(t.Context(), faultClientConfig(url, 1)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < latency {
		t.Errorf("a request took %s at a latency of %s", took, latency)
	}

	const parallel = 8
	var wg sync.WaitGroup
	errs := make([]error, parallel)
	start = time.Now()
	for i := range parallel {
		wg.Go(func() { errs[i] = tc.call(t.Context(), faultClientConfig(url, 1)) })
	}
	wg.Wait()
	took := time.Since(start)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if took < latency || took >= parallel/2*latency {
		t.Errorf("%d requests at once took %s at a latency of %s: want them to wait together, not in turn", parallel, took, latency)
	}
	st := faultCountsOf(t, url)
	if st.LatencyMs != 200 || st.Counts != (faultCounts{Requests: parallel + 1}) || served.Load() != parallel+1 {
		t.Errorf("status %+v, served %d; want latencyMs 200 and %d requests served", st, served.Load(), parallel+1)
	}
}

// TestFaultsLatencyOnlyAWSRequests sends requests whose context has ended:
// a delayed one must give up at once, unserved and uncounted, while what
// is never delayed (control paths, the seed's requests, every request at
// latency 0) is served regardless, which proves it meets no wait at all.
func TestFaultsLatencyOnlyAWSRequests(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	h := faultsFront(faultFlag{settings: faultSettings{LatencyMs: maxAWSLatencyMs}})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		served.Add(1)
	}))
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	send := func(method, path, auth, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(ended, method, path, strings.NewReader(body))
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	const awsAuth = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
	seedAuth := strings.Replace(awsAuth, "AKIDTEST", seedAccessKeyID, 1)

	start := time.Now()
	send(http.MethodPost, "/", awsAuth, "{}")
	if took := time.Since(start); took > maxAWSLatencyMs*time.Millisecond/2 || served.Load() != 0 {
		t.Errorf("a request whose client gave up took %s and reached the service %d times: want it dropped at once", took, served.Load())
	}
	if w := send(http.MethodGet, FaultsPath, "", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"latencyMs":10000`) {
		t.Errorf("GET %s: %d %s, want the settings", FaultsPath, w.Code, w.Body)
	}
	send(http.MethodGet, ReadyPath, "", "")
	send(http.MethodPost, "/", seedAuth, "{}")
	if n := served.Load(); n != 2 {
		t.Errorf("%d of the ready check and the seed's request were served, want both", n)
	}

	if w := send(http.MethodPost, FaultsPath, "", `{"latencyMs":0}`); w.Code != http.StatusOK {
		t.Fatalf("POST latencyMs 0: %d %s", w.Code, w.Body)
	}
	send(http.MethodPost, "/", awsAuth, "{}")
	if n := served.Load(); n != 3 {
		t.Error("at latency 0 a request still waited")
	}
	if w := send(http.MethodGet, FaultsPath, "", ""); !strings.Contains(w.Body.String(), `"counts":{"requests":1,`) {
		t.Errorf("status %s: want only the request served at latency 0 counted", w.Body)
	}
}

// TestFaultsLatencyHonoursCancel: a client that gives up half-way through
// the wait frees the server's handler too, without reaching the service.
func TestFaultsLatencyHonoursCancel(t *testing.T) {
	t.Parallel()
	var served, inFlight atomic.Int64
	front := faultsFront(faultFlag{settings: faultSettings{LatencyMs: maxAWSLatencyMs}})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		served.Add(1)
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		front.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := sdkCases()[0].call(ctx, faultClientConfig(srv.URL, 1)); err == nil {
		t.Fatal("the call succeeded within 50ms at a latency of 10s")
	}
	// The server notices the closed connection a moment after the client.
	for deadline := time.Now().Add(5 * time.Second); inFlight.Load() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the handler still waits 5s after its client gave up")
		}
	}
	if n := served.Load(); n != 0 {
		t.Errorf("the abandoned request reached the service %d times", n)
	}
}
