package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// syncBuffer lets the test read what a running command has written so far.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStatusWatchOnSandbox: --watch prints the table again when a cluster
// changes.
func TestStatusWatchOnSandbox(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &syncBuffer{}
	cmd := newRootCmd()
	cmd.SetOut(out)
	cmd.SetArgs([]string{"status", "--watch"})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	waitOutput(t, out, "feature-flags", 30*time.Second)
	// No need to change the shared sandbox: the crash-looping service on eks
	// changes status every few seconds, and each change reprints the table.
	waitOutput(t, out, "\n# ", 60*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch ended with %v", err)
	}
}

func waitOutput(t *testing.T, out *syncBuffer, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q after %s:\n%s", want, d, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStatusYAMLOnSandbox: -o yaml parses and carries both identities.
func TestStatusYAMLOnSandbox(t *testing.T) {
	env := sandboxtest.Get(t)
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
	out, err := run(t, "status", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc statusDoc
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Environment != "sandbox" || doc.Source.Account != "111111111111" || doc.Target.Account != "222222222222" || len(doc.Pairs) != 8 {
		t.Errorf("yaml doc: env %q, accounts %s/%s, %d pairs", doc.Environment, doc.Source.Account, doc.Target.Account, len(doc.Pairs))
	}
}
