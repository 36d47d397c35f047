package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sivchari/kumo"
)

// account is one running emulated AWS account: an in-process kumo server
// behind the translating proxy, which serves the public address.
type account struct {
	// URL is the public base URL, http://127.0.0.1:PORT.
	URL string

	kumo   *kumo.Server
	server *http.Server
	served chan error
	ready  atomic.Bool // seeded: ReadyPath answers 200
}

// ReadyPath answers 200 once the account is seeded and 503 before, so the
// sandbox waits for a usable account rather than an open port.
const ReadyPath = "/ferry-sandbox/ready"

// handler answers ReadyPath itself and hands everything else to the proxy.
func (a *account) handler(proxy http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != ReadyPath {
			proxy.ServeHTTP(w, r)
			return
		}
		if !a.ready.Load() {
			http.Error(w, "seeding", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// front handles some requests itself, for what kumo cannot answer, and
// passes the rest to next (the translating proxy in front of kumo).
type front func(next http.Handler) http.Handler

// startAccount serves account id on listen (port 0 picks a free one), with
// fronts answering what they handle before the proxy sees it. kumo's state
// lives in package-level services, so every account started in one process
// shares it: one account per process.
func startAccount(id, listen string, fronts ...front) (*account, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		_, port, _ := net.SplitHostPort(listen)
		return nil, fmt.Errorf("port %s is not available (%w): stop what holds it or choose another --listen", port, err)
	}
	k := kumo.NewServer()
	public := "http://" + ln.Addr().String()
	proxy, err := newAccountProxy(k.URL, translator{
		account:   id,
		publicURL: public,
		kumoURLs:  []string{kumoBaseURL, k.URL},
	})
	if err != nil {
		k.Close()
		_ = ln.Close()
		return nil, err
	}
	var h http.Handler = proxy
	for _, f := range fronts {
		h = f(h)
	}
	a := &account{URL: public, kumo: k, served: make(chan error, 1)}
	a.server = &http.Server{Handler: a.handler(h), ReadHeaderTimeout: 10 * time.Second}
	go func() { a.served <- a.server.Serve(ln) }()
	return a, nil
}

// Close stops serving, waits grace for kumo to persist what it was last
// told, then stops kumo. In-flight requests get a few seconds; SQS long
// polls are cut short rather than awaited.
func (a *account) Close(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := a.server.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = a.server.Close()
	}
	time.Sleep(grace)
	// Closing the proxy cancelled its requests to kumo, so this does not
	// wait on them.
	a.kumo.Close()
	if serveErr := <-a.served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("stop account server: %w", err)
	}
	return nil
}
