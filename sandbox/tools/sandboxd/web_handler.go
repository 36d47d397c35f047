package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// WebControlPath reads (GET) and changes (POST) a web endpoint's settings.
const WebControlPath = "/ferry-sandbox/web"

// webSettingsFile keeps the settings in --data, so a restart keeps them.
const webSettingsFile = "web-settings.json"

// maxLatencyMs bounds latencyMs: a probe's timeout is seconds, not minutes.
const maxLatencyMs = 60_000

// webSettings are how the endpoint misbehaves.
type webSettings struct {
	// PostRedirect answers POST /orders with 301 to https: the classic
	// ingress without X-Forwarded-Proto, redirecting what already came
	// through TLS. Clients that follow it turn the POST into a GET.
	PostRedirect bool `json:"postRedirect"`
	// Fail5xx answers 500 to everything but WebControlPath.
	Fail5xx bool `json:"fail5xx"`
	// LatencyMs delays every answer but WebControlPath's.
	LatencyMs int `json:"latencyMs"`
}

// order is one order as orders-api lists it.
type order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// seedOrders are the orders every side lists; accepted ones follow them.
var seedOrders = []order{{"ord-1001", "shipped"}, {"ord-1002", "packed"}, {"ord-1003", "accepted"}}

// maxAccepted bounds the accepted orders kept in memory for GET /orders.
const maxAccepted = 100

// webHandler stands in for one cluster's public orders-api endpoint.
type webHandler struct {
	servedBy string // kops or eks
	file     string

	mu       sync.Mutex
	settings webSettings
	accepted []order
	next     int
}

// newWebHandler loads the settings saved in file; without one, a new side
// starts with the redirect bug and an old side healthy.
func newWebHandler(servedBy, file string, newSide bool) (*webHandler, error) {
	h := &webHandler{servedBy: servedBy, file: file, settings: webSettings{PostRedirect: newSide}}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read web settings: %w", err)
	}
	if err := json.Unmarshal(data, &h.settings); err != nil {
		return nil, fmt.Errorf("web settings %s: %w; fix or delete the file", file, err)
	}
	return h, nil
}

func (h *webHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Served-By", h.servedBy)
	if r.URL.Path == WebControlPath {
		h.control(w, r)
		return
	}
	h.mu.Lock()
	s := h.settings
	h.mu.Unlock()
	if s.LatencyMs > 0 {
		select {
		case <-time.After(time.Duration(s.LatencyMs) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case s.Fail5xx:
		writeWebJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal server error", "served_by": h.servedBy})
	case r.URL.Path == "/healthz" && r.Method == http.MethodGet:
		writeWebJSON(w, http.StatusOK, map[string]string{"status": "ok", "served_by": h.servedBy})
	case r.URL.Path == "/orders" && r.Method == http.MethodGet:
		h.listOrders(w)
	case r.URL.Path == "/orders" && r.Method == http.MethodPost && s.PostRedirect:
		w.Header().Set("Location", "https://"+r.Host+r.URL.RequestURI())
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusMovedPermanently)
		_, _ = io.WriteString(w, "<html><head><title>301 Moved Permanently</title></head><body><center><h1>301 Moved Permanently</h1></center></body></html>\n")
	case r.URL.Path == "/orders" && r.Method == http.MethodPost:
		h.acceptOrder(w, r)
	case r.URL.Path == "/healthz" || r.URL.Path == "/orders":
		w.Header().Set("Allow", "GET, POST")
		writeWebJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": r.Method + " not allowed", "served_by": h.servedBy})
	default:
		writeWebJSON(w, http.StatusNotFound, map[string]string{"error": "no route " + r.URL.Path, "served_by": h.servedBy})
	}
}

func (h *webHandler) listOrders(w http.ResponseWriter) {
	h.mu.Lock()
	orders := append(append([]order{}, seedOrders...), h.accepted...)
	h.mu.Unlock()
	writeWebJSON(w, http.StatusOK, struct {
		Orders   []order `json:"orders"`
		ServedBy string  `json:"served_by"`
	}{orders, h.servedBy})
}

// acceptOrder takes any JSON body (or none) and answers its new id, which
// names the side: a test tells where a POST landed.
func (h *webHandler) acceptOrder(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil || (len(body) > 0 && !json.Valid(body)) {
		writeWebJSON(w, http.StatusBadRequest, map[string]string{"error": "want a JSON order of at most 64 KiB", "served_by": h.servedBy})
		return
	}
	h.mu.Lock()
	h.next++
	o := order{ID: fmt.Sprintf("%s-%06d", h.servedBy, h.next), Status: "accepted"}
	h.accepted = append(h.accepted, o)
	if len(h.accepted) > maxAccepted {
		h.accepted = h.accepted[1:]
	}
	h.mu.Unlock()
	writeWebJSON(w, http.StatusCreated, o)
}

// control: GET answers the settings; POST changes the fields it names,
// saves them, then answers them.
func (h *webHandler) control(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		next := h.settings
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&next); err != nil {
			http.Error(w, `want JSON {"postRedirect":false,"fail5xx":false,"latencyMs":0}: `+err.Error(), http.StatusBadRequest)
			return
		}
		if next.LatencyMs < 0 || next.LatencyMs > maxLatencyMs {
			http.Error(w, fmt.Sprintf("latencyMs %d: want 0 to %d", next.LatencyMs, maxLatencyMs), http.StatusBadRequest)
			return
		}
		if err := writeFileAtomic(h.file, next); err != nil {
			http.Error(w, "save web settings: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.settings = next
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "want GET or POST", http.StatusMethodNotAllowed)
		return
	}
	writeWebJSON(w, http.StatusOK, h.settings)
}

func writeWebJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeFileAtomic saves v as JSON in file through a renamed temporary
// file, so a crash leaves the old settings or the new, never half of them.
func writeFileAtomic(file string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
