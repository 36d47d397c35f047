package probe

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// serve starts a loopback server for the test and stops it at the end.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// sideOf is a side named name at srv's address.
func sideOf(t *testing.T, name string, srv *httptest.Server) Side {
	t.Helper()
	return Side{Name: name, BaseURL: mustURL(t, srv.URL)}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// status answers code with body.
func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// jsonBody answers 200 with a JSON body.
func jsonBody(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s = %q, want it to contain %q", what, got, w)
		}
	}
}

// comparison finds the comparison named what.
func comparison(t *testing.T, pr PairResult, what string) Comparison {
	t.Helper()
	for _, c := range pr.Comparisons {
		if c.What == what {
			return c
		}
	}
	t.Fatalf("no %q comparison in %+v", what, pr.Comparisons)
	return Comparison{}
}
