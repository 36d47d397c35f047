package main

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// maxAWSLatencyMs bounds the latency faultsFront adds: ten times a
// cross-continent round trip, far beyond any a test needs to model.
const maxAWSLatencyMs = 10_000

// maxWatchedBody is the largest request body read before the wait; see
// readBody.
const maxWatchedBody = 1 << 20

// wait holds r for the latency set now, as a round trip to AWS would, and
// reports whether it may be served: false when r's client gives up first.
// No latency, no wait: the request goes on at once, whatever its context.
func (in *injector) wait(r *http.Request) bool {
	in.mu.Lock()
	d := time.Duration(in.settings.LatencyMs) * time.Millisecond
	in.mu.Unlock()
	if d <= 0 {
		return true
	}
	if !readBody(r) {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// readBody reads a body of up to maxWatchedBody into memory and hands that
// on: net/http only watches for the client hanging up, which ends the
// request's context, once the handler has read the body to its end. A
// larger or unsized body (S3 parts) streams as before, and its request
// waits out the latency even if the client leaves. False: the body could
// not be read, the client is gone.
func readBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength <= 0 || r.ContentLength > maxWatchedBody {
		return true
	}
	b, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return true
}
