package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// webOptions are the parsed flags of "ferry-sandboxd web".
type webOptions struct {
	listen  string // loopback host:port
	side    string // old or new
	dataDir string // absolute; holds the settings across restarts
}

// servedBy names the cluster a side's endpoint stands for: what
// X-Served-By and "served_by" say.
func (o webOptions) servedBy() string {
	if o.side == "new" {
		return "eks"
	}
	return "kops"
}

func parseWebFlags(args []string) (webOptions, error) {
	var o webOptions
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "", "loopback address to serve on, e.g. 127.0.0.1:17442 (required)")
	fs.StringVar(&o.side, "side", "", "which cluster's orders-api this stands for: old (kops) or new (eks) (required)")
	fs.StringVar(&o.dataDir, "data", "", "directory keeping the settings across restarts (required)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkLoopback(o.listen); err != nil {
		return o, err
	}
	if o.side != "old" && o.side != "new" {
		return o, fmt.Errorf("--side %q: want old (the kops cluster) or new (the eks cluster)", o.side)
	}
	if o.dataDir == "" {
		return o, errors.New("--data is required: the directory the settings live in")
	}
	abs, err := filepath.Abs(o.dataDir)
	if err != nil {
		return o, fmt.Errorf("--data %q: %w", o.dataDir, err)
	}
	o.dataDir = abs
	return o, nil
}

// runWeb serves one side's public orders-api endpoint until SIGTERM or
// SIGINT.
func runWeb(args []string) error {
	o, err := parseWebFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the flag set printed the usage
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return serveWeb(ctx, o, os.Stdout)
}

// serveWeb serves until ctx ends, printing "ready URL web kops|eks" to out
// once it listens.
func serveWeb(ctx context.Context, o webOptions, out io.Writer) error {
	if err := os.MkdirAll(o.dataDir, 0o750); err != nil {
		return fmt.Errorf("create --data directory: %w", err)
	}
	h, err := newWebHandler(o.servedBy(), filepath.Join(o.dataDir, webSettingsFile), o.side == "new")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		_, port, _ := net.SplitHostPort(o.listen)
		return fmt.Errorf("port %s is not available (%w): stop what holds it or choose another --listen", port, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "ready http://%s web %s\n", ln.Addr(), o.servedBy())
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", o.listen, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("stop web server: %w", err)
	}
	return nil
}
