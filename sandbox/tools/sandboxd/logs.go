package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// logsFlags is the raw command line of `ferry-sandboxd logs`.
type logsFlags struct {
	kubeconfig string
	context    string
	cfg        logsConfig
}

// runLogs writes container logs for the pods of one cluster's kwok node and
// keeps kwok's Logs objects pointing at them, until SIGTERM or SIGINT.
func runLogs(args []string) error {
	f, err := parseLogsFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	restCfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: f.kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: f.context},
	).ClientConfig()
	if err != nil {
		return fmt.Errorf("load kubeconfig %s context %q: %w", f.kubeconfig, f.context, err)
	}
	// One Logs object per pod at startup: the default 5 QPS would make a
	// restart of the writer crawl through the scenario's pods.
	restCfg.QPS, restCfg.Burst = 50, 100
	kube, dyn, err := newClients(restCfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.cfg.dir, 0o755); err != nil {
		return fmt.Errorf("create log dir: %w", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := waitForLogsCRD(ctx, kube.Discovery(), f.cfg.log); err != nil {
		return nil // interrupted while waiting: a clean stop
	}
	err = newLogsController(kube, dyn, f.cfg).run(ctx, func() { fmt.Println("ready") })
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func parseLogsFlags(args []string) (logsFlags, error) {
	var f logsFlags
	fs := flag.NewFlagSet("logs", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: ferry-sandboxd logs --kubeconfig FILE --context CTX --dir DIR [--seed N] [--rate-scale F] [--grace D]")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig `file` of the cluster (required)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context to use, e.g. kops or eks (required)")
	fs.StringVar(&f.cfg.dir, "dir", "", "`directory` for the log files, DIR/<namespace>/<pod>/<container>.log (required)")
	fs.Uint64Var(&f.cfg.seed, "seed", 1, "seed of the generated content; same seed and pod name, same lines")
	fs.Float64Var(&f.cfg.rateScale, "rate-scale", 1, "multiplies every pod's sandbox.ferry.dev/log-rate")
	fs.DurationVar(&f.cfg.grace, "grace", 30*time.Second, "how long a deleted pod's files stay for readers to finish")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case f.kubeconfig == "" || f.context == "" || f.cfg.dir == "":
		return f, errors.New("--kubeconfig, --context and --dir are required")
	case f.cfg.rateScale < 0 || math.IsInf(f.cfg.rateScale, 0) || math.IsNaN(f.cfg.rateScale):
		return f, fmt.Errorf("--rate-scale %v: want a finite number >= 0", f.cfg.rateScale)
	case f.cfg.grace < 0:
		return f, fmt.Errorf("--grace %v: want a duration >= 0", f.cfg.grace)
	}
	dir, err := filepath.Abs(f.cfg.dir)
	if err != nil {
		return f, fmt.Errorf("--dir: %w", err)
	}
	f.cfg.dir = dir
	f.cfg.resync = 10 * time.Minute
	f.cfg.log = slog.New(slog.NewTextHandler(os.Stderr, nil)).With("cmd", "logs", "context", f.context)
	return f, nil
}

func newClients(cfg *rest.Config) (kubernetes.Interface, dynamic.Interface, error) {
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("dynamic client: %w", err)
	}
	return kube, dyn, nil
}

// waitForLogsCRD blocks until the apiserver serves kwok's Logs resource.
// The sandbox installs the CRD while this process may already be starting,
// and an informer on a missing resource would only log list errors forever.
func waitForLogsCRD(ctx context.Context, disc discovery.DiscoveryInterface, log *slog.Logger) error {
	logged := false
	for {
		list, err := disc.ServerResourcesForGroupVersion(logsGVR.GroupVersion().String())
		if err == nil {
			for _, r := range list.APIResources {
				if r.Name == logsGVR.Resource {
					return nil
				}
			}
		}
		if !logged {
			log.Info("waiting for the Logs CRD (logs.kwok.x-k8s.io) to be installed", "err", err)
			logged = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
