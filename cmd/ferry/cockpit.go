package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/logs"
	"github.com/ferry-dev/ferry/tui"
	"github.com/ferry-dev/ferry/tui/logview"
)

// cockpitOptions are the flags of `ferry` without a subcommand.
type cockpitOptions struct {
	connectFlags
	readOnly bool
	logFile  string
	journal  string
}

func addCockpitFlags(cmd *cobra.Command, o *cockpitOptions) {
	addConnectFlags(cmd, &o.connectFlags)
	cmd.Flags().BoolVar(&o.readOnly, "read-only", false, "open the cockpit without any action that changes a cluster or an account")
	cmd.Flags().StringVar(&o.journal, "journal", "", "the runbook's journal (default: next to the plan, NAME.journal.jsonl)")
	cmd.Flags().StringVar(&o.logFile, "log-file", "", "where the cockpit writes its diagnostics (default: ferry/cockpit.log in the user cache dir)")
}

// runCockpit connects both sides, waits (up to --timeout) until both have
// listed, builds the runbook from what they run and opens the TUI.
func runCockpit(cmd *cobra.Command, o cockpitOptions) error {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	log, closeLog, err := openLogFile(o.logFile)
	if err != nil {
		return usageError{err}
	}
	defer closeLog()
	// The TUI owns the terminal: client-go's klog goes to the log file too.
	klog.SetSlogLogger(log)
	defer klog.ClearLogger()

	fmt.Fprintln(cmd.ErrOrStderr(), "ferry: connecting to both clusters…")
	rs, rbErr := openRunbook(ctx, runbookFlags{connectFlags: o.connectFlags, journal: o.journal, readOnly: o.readOnly})
	var cfg tui.Config
	if rbErr == nil {
		defer rs.journal.Close()
		cfg = cockpitConfig(rs.plan, rs.source, rs.target, rs.inv, o, log)
		cfg.Runbook = rs.runner
		if rs.cutover != nil {
			cfg.Cutover = cockpitCutover{rs.cutover}
		}
	} else {
		// Without its runbook the cockpit still shows the services and logs.
		s, err := openSession(ctx, o.connectFlags)
		if err != nil {
			return err
		}
		log.Warn("runbook unavailable", "err", rbErr)
		cfg = cockpitConfig(s.plan, s.source, s.target, s.inv, o, log)
		cfg.RunbookErr = rbErr.Error()
	}
	log.Info("cockpit starting", "plan", cfg.PlanFile, "read_only", o.readOnly)
	return tui.Run(ctx, cfg)
}

// cockpitConfig is the TUI's view of the session.
func cockpitConfig(p *plan.Plan, src, dst *cluster.Side, inv *inventory.Inventory, o cockpitOptions, log *slog.Logger) tui.Config {
	return tui.Config{
		Environment: p.Environment.Name, Protected: p.Environment.Protected, PlanFile: p.File,
		Source: sideInfo(p.Source, src), Target: sideInfo(p.Target, dst),
		Mapping: p.Mapping, Inventory: inv, Logs: pairLogs(p, src, dst),
		ReadOnly: o.readOnly, NoColor: os.Getenv("NO_COLOR") != "", Log: log,
	}
}

func sideInfo(ps plan.Side, s *cluster.Side) tui.SideInfo {
	info := tui.SideInfo{Label: ps.Label, Color: string(ps.Color), Cluster: ps.Kube.String(),
		Account: s.Identity.Account, Caller: s.Identity.ARN, IdentityErr: s.Identity.Error}
	info.Expires = s.Identity.Expires
	if !s.KubeExpires.IsZero() && (info.Expires.IsZero() || s.KubeExpires.Before(info.Expires)) {
		info.Expires = s.KubeExpires
	}
	return info
}

// pairLogs streams a service pair's pods: the source's under its source
// namespace, the target's under the pair's; a side that does not run the
// service is left out.
func pairLogs(p *plan.Plan, src, dst *cluster.Side) tui.LogStarter {
	return func(ctx context.Context, pair inventory.Pair) (logview.Feed, error) {
		sources := pairSources(p, pair, src, dst, logs.Selector{Init: true, Ephemeral: true, Tail: 500})
		if len(sources) == 0 {
			return nil, fmt.Errorf("%s runs on neither side", pair.Key())
		}
		tail, err := logs.Run(ctx, logs.Config{
			Sources: sources, Follow: true, Fields: true, BufferLines: 20000,
			Templates: logs.NewTemplateStats(logs.TemplateStatsOptions{WarnAndAbove: true}),
		})
		if err != nil {
			return nil, err // not a typed nil inside the interface
		}
		return tail, nil
	}
}

// pairSources are the log sources of a service pair: sel on each side that
// runs it, with that side's namespace (the source's before the mapping) and
// the workload as owner.
func pairSources(p *plan.Plan, pair inventory.Pair, src, dst *cluster.Side, sel logs.Selector) []logs.Source {
	var sources []logs.Source
	add := func(label string, role logs.Side, w *inventory.Workload, ns string, side *cluster.Side) {
		if w == nil {
			return
		}
		s := sel
		s.Namespaces, s.Owner = []string{ns}, &logs.Owner{Kind: ownerKind(w.Kind), Name: pair.Name}
		sources = append(sources, logs.Source{Label: label, Role: role, Client: side.Kube, Selector: s})
	}
	add(p.Source.Label, logs.SideSource, pair.Source, sourceNamespace(p, pair.Namespace), src)
	add(p.Target.Label, logs.SideTarget, pair.Target, pair.Namespace, dst)
	return sources
}

func ownerKind(kind string) string {
	switch kind {
	case "StatefulSet":
		return "statefulset"
	case "DaemonSet":
		return "daemonset"
	}
	return "deployment"
}

// sourceNamespace undoes the plan's namespace mapping.
func sourceNamespace(p *plan.Plan, target string) string {
	for from, to := range p.Mapping.Namespaces {
		if to == target {
			return from
		}
	}
	return target
}

// openLogFile opens (appending) the cockpit's diagnostics log.
func openLogFile(path string) (*slog.Logger, func(), error) {
	if path == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return slog.New(slog.DiscardHandler), func() {}, nil
		}
		path = filepath.Join(dir, "ferry", "cockpit.log")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, fmt.Errorf("--log-file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--log-file %s: %w", path, err)
	}
	var w io.Writer = f
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(h).With("pid", os.Getpid(), "session", time.Now().Format(time.RFC3339)), func() { f.Close() }, nil
}
