package logscli

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/logs"
)

// logsOptions are `ferry logs` flags, raw and then parsed (complete).
type logsOptions struct {
	plan       string
	kubeconfig string
	timeout    time.Duration
	memLimit   int64 // the drain's soft memory limit, from Options
	side       string
	namespaces []string
	selector   string
	container  string
	initC      bool
	ephemeral  bool
	previous   bool
	states     []string
	since      time.Duration
	tail       int64
	noFollow   bool
	include    string
	exclude    string
	highlight  string
	errorRe    string
	maxStreams int
	output     string
	color      string
	timestamps bool
	window     time.Duration
	buffer     int
	newOnTgt   time.Duration

	// parsed
	filter         logs.Filter
	errPattern     *regexp.Regexp
	labelSel       labels.Selector
	containerRe    *regexp.Regexp
	colorOn        bool
	multiNamespace bool
}

// Options are what the binary that carries `ferry logs` tunes.
type Options struct {
	// SoftMemoryLimit caps the Go heap of a drain of one cluster; both get
	// 8 MiB more, and GOMEMLIMIT, when set, wins. What a drain holds is
	// bounded (the ring and the merge window), so the limit keeps garbage
	// from piling up between collections: set it some 24 MiB above what
	// the binary holds before reading a line.
	SoftMemoryLimit int64
}

// NewCommand is `ferry logs`, for ferry's root command and for ferry-logs.
func NewCommand(opts Options) *cobra.Command {
	o := logsOptions{memLimit: opts.SoftMemoryLimit}
	cmd := &cobra.Command{
		Use:   "logs SELECTOR",
		Short: "Stream a service's container logs from both clusters at once, merged by time",
		Long: `Stream container logs from the source and the target cluster at once, merged in
timestamp order, each line prefixed with its side and pod.

SELECTOR is one of
  NAME or NAMESPACE/NAME   a service (Deployment, StatefulSet or DaemonSet) of the
                           plan's namespaces, found on each side under its mapped
                           namespace; a side that does not run it is skipped
  KIND/NAME                a workload, e.g. deployment/checkout-api, sts/ledger
  REGEX                    pods whose name matches (with -l, "." takes all)

New pods are followed as they appear (a rollout on the target), deleted pods'
streams end, and a stream that breaks (apiserver restart, container restart)
reconnects and resumes from its last line with no gap and no duplicate.
At most --max-log-requests streams run per cluster; the rest wait their turn
(ferry says how many) instead of failing.

Lines are held for --merge-window before printing so that lines from streams
that arrive a little late still print in time order. Log text is untrusted:
control characters and escape sequences are removed before printing.

Output: side and pod coloured on a terminal, plain when piped or NO_COLOR is
set; -o json prints one object per line (time, side, namespace, pod, container,
level, msg, text, fields). Ctrl-C stops cleanly after printing what was read.`,
		Example: `  ferry logs checkout-api                       # both clusters, following
  ferry logs shop/checkout-api --side target -i 'error|panic'
  ferry logs deployment/refund-worker --no-follow --tail 100
  ferry logs refund-worker --previous           # the crashed containers' last run
  ferry logs checkout-api -o json | jq 'select(.level=="error")'
  ferry logs checkout-api --no-follow --only-on-target 1h   # errors new on the target`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(cmd, args[0]); err != nil {
				return err
			}
			return runLogs(cmd, o, args[0])
		},
	}
	cli.AddConnectFlags(cmd, &o.plan, &o.kubeconfig, &o.timeout)
	f := cmd.Flags()
	f.StringVar(&o.side, "side", "both", "which cluster: source, target or both")
	f.StringSliceVarP(&o.namespaces, "namespace", "n", nil, "namespaces on the source (mapped for the target); default: the plan's")
	f.StringVarP(&o.selector, "selector", "l", "", "label selector, e.g. app=checkout-api")
	f.StringVarP(&o.container, "container", "c", "", "container names to stream (regex); default: all")
	f.BoolVar(&o.initC, "init-containers", true, "include init containers")
	f.BoolVar(&o.ephemeral, "ephemeral-containers", true, "include ephemeral (debug) containers")
	f.BoolVarP(&o.previous, "previous", "p", false, "the previous (crashed) run of each container; implies --no-follow")
	f.StringSliceVar(&o.states, "container-state", nil, "only containers in these states: running, waiting, terminated")
	f.DurationVarP(&o.since, "since", "s", 0, "only lines newer than this, e.g. 10m (default: all)")
	f.Int64Var(&o.tail, "tail", -1, "lines of history per container (-1: all; 0: only lines from the last second on)")
	f.BoolVar(&o.noFollow, "no-follow", false, "print what is logged so far and exit")
	f.StringVarP(&o.include, "include", "i", "", "only lines matching this regex")
	f.StringVarP(&o.exclude, "exclude", "e", "", "drop lines matching this regex")
	f.StringVarP(&o.highlight, "highlight", "H", "", "highlight matches of this regex")
	f.StringVar(&o.errorRe, "error-pattern", "", "also count lines matching this regex as errors (level error/fatal always do)")
	f.IntVar(&o.maxStreams, "max-log-requests", logs.DefaultMaxStreams, "concurrent streams per cluster; the rest wait their turn")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	f.StringVar(&o.color, "color", "auto", "colour: auto, always or never")
	f.BoolVarP(&o.timestamps, "timestamps", "t", false, "print each line's timestamp")
	f.DurationVar(&o.window, "merge-window", 250*time.Millisecond, "how long a line waits for older lines from other streams")
	f.IntVar(&o.buffer, "buffer", 4096, "lines held between the clusters and the output")
	f.DurationVar(&o.newOnTgt, "only-on-target", 0, "at exit, list messages the target logged within this window that the source never did, e.g. 1h")
	return cmd
}

// complete turns flags into typed values, naming the flag on error.
func (o *logsOptions) complete(cmd *cobra.Command, selector string) error {
	var err error
	switch o.side {
	case "both", "source", "target":
	default:
		return fmt.Errorf("--side %q: want source, target or both", o.side)
	}
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("--output %q: want text or json", o.output)
	}
	if o.color != "auto" && o.color != "always" && o.color != "never" {
		return fmt.Errorf("--color %q: want auto, always or never", o.color)
	}
	if o.maxStreams < 1 {
		return fmt.Errorf("--max-log-requests %d: want at least 1", o.maxStreams)
	}
	for _, s := range o.states {
		if s != "running" && s != "waiting" && s != "terminated" {
			return fmt.Errorf("--container-state %q: want running, waiting or terminated", s)
		}
	}
	re := func(flag, s string) *regexp.Regexp {
		if s == "" || err != nil {
			return nil
		}
		r, e := regexp.Compile(s)
		if e != nil {
			err = fmt.Errorf("--%s %q: %w", flag, s, e)
		}
		return r
	}
	o.filter = logs.Filter{Include: re("include", o.include), Exclude: re("exclude", o.exclude), Highlight: re("highlight", o.highlight)}
	o.errPattern = re("error-pattern", o.errorRe)
	o.containerRe = re("container", o.container)
	if err != nil {
		return err
	}
	if o.selector != "" {
		if o.labelSel, err = labels.Parse(o.selector); err != nil {
			return fmt.Errorf("--selector %q: %w", o.selector, err)
		}
	}
	if strings.TrimSpace(selector) == "" {
		return fmt.Errorf("SELECTOR is empty: give a service name, KIND/NAME or a pod regex")
	}
	o.colorOn = o.output == "text" && cli.UseColor(o.color, cmd.OutOrStdout())
	return nil
}
