package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// FaultsPath reads (GET) and replaces (POST) an account's fault settings at
// runtime, so a test turns faults on and off on a running sandbox.
const FaultsPath = "/ferry-sandbox/faults"

// seedAccessKeyID is the key the seed signs with (sdkConfig). Its requests
// are never faulted: a restart must not fail its seed because a test asked
// for faults.
const seedAccessKeyID = "FERRYSANDBOX"

// faultSettings are the shares of AWS requests answered with an error
// instead of being served, and how long every AWS request waits first.
type faultSettings struct {
	Throttle float64 `json:"throttle"` // the protocol's throttling error
	Error5xx float64 `json:"error5xx"` // 500 or 503
	// LatencyMs models the round trip to AWS that loopback lacks, so that
	// parallel and sequential clients compare as they would against AWS.
	LatencyMs int `json:"latencyMs"`
}

func (s faultSettings) validate() error {
	for _, v := range []struct {
		name  string
		share float64
	}{{"throttle", s.Throttle}, {"error5xx", s.Error5xx}} {
		if !(v.share >= 0 && v.share <= 1) { // also refuses NaN
			return fmt.Errorf("%s share %v: want a fraction between 0 and 1", v.name, v.share)
		}
	}
	if s.Throttle+s.Error5xx > 1 {
		return fmt.Errorf("throttle %v + error5xx %v exceed 1: at most every request can fail", s.Throttle, s.Error5xx)
	}
	if s.LatencyMs < 0 || s.LatencyMs > maxAWSLatencyMs {
		return fmt.Errorf("latency %d ms: want 0 to %d", s.LatencyMs, maxAWSLatencyMs)
	}
	return nil
}

// faultCounts are what the injector saw since the process started.
type faultCounts struct {
	Requests int64 `json:"requests"` // AWS requests, faulted or not
	Throttle int64 `json:"throttle"`
	Error5xx int64 `json:"error5xx"`
}

// faultStatus is what FaultsPath answers.
type faultStatus struct {
	faultSettings
	Counts faultCounts `json:"counts"`
}

// faultFlag is --faults throttle=0.1,5xx=0.05[,latency=MS][,seed=N]: the
// settings an account starts with, and a seed that makes the sequence of
// faults repeatable.
type faultFlag struct {
	settings faultSettings
	seed     uint64
	seeded   bool
}

func (f *faultFlag) String() string {
	if f == nil || (f.settings == faultSettings{}) {
		return ""
	}
	s := fmt.Sprintf("throttle=%v,5xx=%v", f.settings.Throttle, f.settings.Error5xx)
	if f.settings.LatencyMs != 0 {
		s += ",latency=" + strconv.Itoa(f.settings.LatencyMs)
	}
	if f.seeded {
		s += ",seed=" + strconv.FormatUint(f.seed, 10)
	}
	return s
}

// Set parses the flag's value.
func (f *faultFlag) Set(v string) error {
	*f = faultFlag{}
	for _, part := range strings.Split(v, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%q: want key=value, e.g. throttle=0.1,5xx=0.05,latency=5,seed=7", part)
		}
		var err error
		switch key {
		case "throttle":
			f.settings.Throttle, err = strconv.ParseFloat(val, 64)
		case "5xx":
			f.settings.Error5xx, err = strconv.ParseFloat(val, 64)
		case "latency":
			f.settings.LatencyMs, err = strconv.Atoi(val)
		case "seed":
			f.seed, err = strconv.ParseUint(val, 10, 64)
			f.seeded = true
		default:
			return fmt.Errorf("unknown key %q: want throttle, 5xx, latency or seed", key)
		}
		if err != nil {
			return fmt.Errorf("%s=%q: %w", key, val, err)
		}
	}
	return f.settings.validate()
}

// faultKind is what one request gets.
type faultKind int

const (
	faultNone faultKind = iota
	faultThrottle
	faultServer // 500
	faultUnavailable
)

// injector decides, request by request, whether to answer with a fault.
type injector struct {
	mu       sync.Mutex
	settings faultSettings
	counts   faultCounts
	rng      *rand.Rand
}

func newInjector(f faultFlag) *injector {
	seed1, seed2 := f.seed, f.seed
	if !f.seeded {
		seed1, seed2 = rand.Uint64(), rand.Uint64()
	}
	return &injector{settings: f.settings, rng: rand.New(rand.NewPCG(seed1, seed2))}
}

// draw counts one request and picks its fault; a 5xx is a 500 or a 503,
// half and half.
func (in *injector) draw() faultKind {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.counts.Requests++
	p := in.rng.Float64()
	switch s := in.settings; {
	case p < s.Throttle:
		in.counts.Throttle++
		return faultThrottle
	case p < s.Throttle+s.Error5xx/2:
		in.counts.Error5xx++
		return faultServer
	case p < s.Throttle+s.Error5xx:
		in.counts.Error5xx++
		return faultUnavailable
	}
	return faultNone
}

func (in *injector) status() faultStatus {
	in.mu.Lock()
	defer in.mu.Unlock()
	return faultStatus{faultSettings: in.settings, Counts: in.counts}
}

func (in *injector) set(s faultSettings) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.settings = s
}

// faultsFront holds every AWS request for the latency, then answers a share
// of them with throttling or a 5xx, in the protocol's own error format so
// that the SDK's standard retryer recognises and retries them (aws/retry
// DefaultThrottleErrorCodes and DefaultRetryableHTTPStatusCodes). It must be
// the outermost front, so that a faulted request changes nothing behind it.
// FaultsPath controls it; no other /ferry-sandbox/ path, and no request of
// the seed, is ever delayed or faulted.
func faultsFront(f faultFlag) front {
	in := newInjector(f)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == FaultsPath:
				serveFaults(w, r, in)
			case strings.HasPrefix(r.URL.Path, "/ferry-sandbox/") || signedBySeed(r):
				next.ServeHTTP(w, r)
			default:
				if !in.wait(r) {
					return // the client gave up: no one reads an answer
				}
				if kind := in.draw(); kind != faultNone {
					writeFault(w, r, kind)
					return
				}
				next.ServeHTTP(w, r)
			}
		})
	}
}

func signedBySeed(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Authorization"), "Credential="+seedAccessKeyID+"/")
}

// serveFaults: GET answers the settings and counts; POST replaces the
// settings (absent ones are 0) and answers the same.
func serveFaults(w http.ResponseWriter, r *http.Request, in *injector) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var s faultSettings
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			http.Error(w, `want JSON {"throttle":0.1,"error5xx":0.05,"latencyMs":5}: `+err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.validate(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in.set(s)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "want GET or POST", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(in.status())
}
