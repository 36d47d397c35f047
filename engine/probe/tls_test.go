package probe

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
)

// httptestTLS starts a loopback https server for the test and stops it at
// the end; its certificate names example.com and 127.0.0.1. Handshake
// errors, which some tests cause on purpose, are not logged.
func httptestTLS(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
