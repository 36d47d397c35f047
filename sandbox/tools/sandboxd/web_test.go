package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noFollow sees redirects instead of following them, as a method-preserving
// probe must.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// webCall makes one request and returns status, X-Served-By and the body.
func webCall(t *testing.T, method, url, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func startWebHandler(t *testing.T, servedBy, file string, newSide bool) string {
	t.Helper()
	h, err := newWebHandler(servedBy, file, newSide)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWebOldSide(t *testing.T) {
	t.Parallel()
	url := startWebHandler(t, "kops", filepath.Join(t.TempDir(), webSettingsFile), false)
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/healthz", "", 200, `"served_by":"kops"`},
		{"POST", "/orders", `{"sku":"A-1","qty":2}`, 201, `{"id":"kops-000001","status":"accepted"}`},
		{"POST", "/orders", "", 201, `"id":"kops-000002"`},
		{"GET", "/orders", "", 200, `{"id":"ord-1001","status":"shipped"}`},
		{"GET", "/orders", "", 200, `{"id":"kops-000002","status":"accepted"}],"served_by":"kops"}`},
		{"POST", "/orders", "{not json", 400, "want a JSON order"},
		{"DELETE", "/orders", "", 405, "DELETE not allowed"},
		{"GET", "/nowhere", "", 404, "no route /nowhere"},
	} {
		status, h, body := webCall(t, tc.method, url+tc.path, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) || h.Get("X-Served-By") != "kops" {
			t.Errorf("%s %s = %d %q (X-Served-By %q), want %d containing %s and kops", tc.method, tc.path, status, body, h.Get("X-Served-By"), tc.status, tc.want)
		}
	}
}

// TestWebNewSideRedirectUntilFixed: the new side answers POST with 301 to
// https until the setting is fixed; the fix survives a restart.
func TestWebNewSideRedirectUntilFixed(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), webSettingsFile)
	url := startWebHandler(t, "eks", file, true)
	status, h, _ := webCall(t, "POST", url+"/orders?src=probe", `{}`)
	wantLoc := "https://" + strings.TrimPrefix(url, "http://") + "/orders?src=probe"
	if status != http.StatusMovedPermanently || h.Get("Location") != wantLoc || h.Get("X-Served-By") != "eks" {
		t.Fatalf("POST /orders = %d Location %q X-Served-By %q, want 301 to %s from eks", status, h.Get("Location"), h.Get("X-Served-By"), wantLoc)
	}
	if status, _, _ := webCall(t, "GET", url+"/orders", ""); status != http.StatusOK {
		t.Errorf("GET /orders = %d with the redirect bug, want 200: only POST is redirected", status)
	}
	if status, _, body := webCall(t, "POST", url+WebControlPath, `{"postRedirect":false}`); status != 200 || body != `{"postRedirect":false,"fail5xx":false,"latencyMs":0}`+"\n" {
		t.Fatalf("fix the redirect: %d %s", status, body)
	}
	if status, _, body := webCall(t, "POST", url+"/orders", `{}`); status != http.StatusCreated || !strings.Contains(body, `"id":"eks-000001"`) {
		t.Errorf("POST /orders after the fix = %d %s, want 201 with an eks id", status, body)
	}

	restarted := startWebHandler(t, "eks", file, true)
	if status, _, _ := webCall(t, "POST", restarted+"/orders", `{}`); status != http.StatusCreated {
		t.Errorf("POST /orders after a restart = %d, want 201: the fix is saved in --data", status)
	}
}

func TestWebFail5xxAndLatency(t *testing.T) {
	t.Parallel()
	url := startWebHandler(t, "kops", filepath.Join(t.TempDir(), webSettingsFile), false)
	if status, _, body := webCall(t, "POST", url+WebControlPath, `{"fail5xx":true}`); status != 200 {
		t.Fatalf("set fail5xx: %d %s", status, body)
	}
	for _, path := range []string{"/healthz", "/orders"} {
		if status, h, _ := webCall(t, "GET", url+path, ""); status != 500 || h.Get("X-Served-By") != "kops" {
			t.Errorf("GET %s with fail5xx = %d, want 500 from kops", path, status)
		}
	}
	if status, _, body := webCall(t, "GET", url+WebControlPath, ""); status != 200 || !strings.Contains(body, `"fail5xx":true`) {
		t.Errorf("control path with fail5xx = %d %s, want 200: it never fails", status, body)
	}
	webCall(t, "POST", url+WebControlPath, `{"fail5xx":false,"latencyMs":150}`)
	start := time.Now()
	if status, _, _ := webCall(t, "GET", url+"/healthz", ""); status != 200 || time.Since(start) < 150*time.Millisecond {
		t.Errorf("GET /healthz with latencyMs 150 = %d after %s, want 200 after at least 150ms", status, time.Since(start))
	}
	for _, bad := range []string{`{"latencyMs":-1}`, `{"latencyMs":600000}`, `{"redirect":true}`, `[]`} {
		if status, _, body := webCall(t, "POST", url+WebControlPath, bad); status != 400 {
			t.Errorf("POST %s = %d %s, want 400", bad, status, body)
		}
	}
}

func TestWebBadSettingsFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), webSettingsFile)
	if err := writeFileAtomic(file, "not settings"); err != nil {
		t.Fatal(err)
	}
	if _, err := newWebHandler("kops", file, false); err == nil || !strings.Contains(err.Error(), "fix or delete") {
		t.Errorf("newWebHandler on a bad file: %v, want an error saying what to do", err)
	}
}

func TestParseWebFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--listen", "127.0.0.1:1", "--side", "new", "--data", "d"}, ""},
		{[]string{"--listen", "0.0.0.0:1", "--side", "new", "--data", "d"}, "only serves on loopback"},
		{[]string{"--listen", "127.0.0.1:1", "--side", "eks", "--data", "d"}, "want old"},
		{[]string{"--listen", "127.0.0.1:1", "--side", "old"}, "--data is required"},
		{[]string{"--listen", "127.0.0.1:1", "--side", "old", "--data", "d", "x"}, "unexpected argument"},
	} {
		o, err := parseWebFlags(tc.args)
		if tc.wantErr == "" {
			if err != nil || o.servedBy() != "eks" || !filepath.IsAbs(o.dataDir) {
				t.Errorf("parseWebFlags(%q) = %+v, %v", tc.args, o, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("parseWebFlags(%q): error %v, want one containing %q", tc.args, err, tc.wantErr)
		}
	}
}

// TestServeWeb runs the command's server: it prints the ready line, serves
// on the port it names and stops when its context ends.
func TestServeWeb(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serveWeb(ctx, webOptions{listen: "127.0.0.1:0", side: "new", dataDir: t.TempDir()}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(line)
	if len(f) != 4 || f[0] != "ready" || f[2] != "web" || f[3] != "eks" {
		t.Fatalf("ready line %q, want \"ready URL web eks\"", line)
	}
	status, _, body := webCall(t, "GET", f[1]+WebControlPath, "")
	var s webSettings
	if status != 200 || json.Unmarshal([]byte(body), &s) != nil || !s.PostRedirect {
		t.Errorf("new side's settings = %d %s, want postRedirect on", status, body)
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serveWeb after cancel: %v", err)
	}
}
