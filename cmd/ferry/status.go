package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/inventory"
)

type statusOptions struct {
	connectFlags
	output string
	watch  bool
	failOn string
}

func newStatusCmd() *cobra.Command {
	o := statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Every service side by side on the source and the target, with drift and old-account references",
		Long: `One row per service pair (Deployments, StatefulSets and DaemonSets of the plan's
namespaces, paired by namespace/name after the mapping): each side's ready/desired
replicas, image tag and restarts, then the number of drift findings, the number of
old-account references left on the target, and a state:

  only on SOURCE   the service has not been cloned yet
  in sync          both sides run it and nothing differs but what the mapping explains
  drifted          both run it and something else differs (ferry diff SERVICE shows what)
  failing on X     pods crash-loop, cannot pull, or the rollout stalled on X
  rolling out on X a rollout is in progress on X
  unknown          the other side has not answered since ferry started

Exit codes: 0 ok; 1 when --fail-on matched; 2 a usage, plan or connection error.`,
		Example: `  eval "$(ferry sandbox env)"; ferry status
  ferry status -o json | jq '.pairs[] | select(.state=="drifted") | .name'
  ferry status --fail-on references    # for CI: exit 1 while old-account references remain
  ferry status --watch`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runStatus(cmd, o) },
	}
	addConnectFlags(cmd, &o.connectFlags)
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, json or yaml")
	f.BoolVarP(&o.watch, "watch", "w", false, "keep running and print the table again on every change")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when findings exist: drift, references or any")
	return cmd
}

func addConnectFlags(cmd *cobra.Command, f *connectFlags) {
	cli.AddConnectFlags(cmd, &f.plan, &f.kubeconfig, &f.timeout)
}

func runStatus(cmd *cobra.Command, o statusOptions) error {
	switch o.output {
	case "table", "json", "yaml":
	default:
		return usageError{fmt.Errorf("--output %q: want table, json or yaml", o.output)}
	}
	switch o.failOn {
	case "", "drift", "references", "any":
	default:
		return usageError{fmt.Errorf("--fail-on %q: want drift, references or any", o.failOn)}
	}
	s, err := openSession(cmd.Context(), o.connectFlags)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	snap := s.inv.Snapshot()
	if err := printSnapshot(out, s, snap, o.output); err != nil {
		return err
	}
	for o.watch {
		select {
		case <-cmd.Context().Done():
			return nil
		case <-s.inv.Changed():
		}
		snap = s.inv.Snapshot()
		fmt.Fprintf(out, "\n# %s\n", snap.Built.Format(time.TimeOnly))
		if err := printSnapshot(out, s, snap, o.output); err != nil {
			return err
		}
	}
	if failed(snap, o.failOn) {
		return exitError{Code: exitFindings}
	}
	return nil
}

func failed(snap inventory.Snapshot, on string) bool {
	for _, p := range snap.Pairs {
		if (on == "drift" || on == "any") && len(p.Drift) > 0 {
			return true
		}
		if (on == "references" || on == "any") && len(p.References) > 0 {
			return true
		}
	}
	return false
}

// statusDoc is the -o json/yaml shape: the plan's environment, both sides'
// identity and health, and the pairs.
type statusDoc struct {
	Environment string           `json:"environment"`
	Source      sideDoc          `json:"source"`
	Target      sideDoc          `json:"target"`
	Pairs       []inventory.Pair `json:"pairs"`
	Generation  uint64           `json:"generation"`
}

type sideDoc struct {
	inventory.SideState
	Account string `json:"account,omitempty"`
	Caller  string `json:"caller,omitempty"`
}

func printSnapshot(w io.Writer, s *session, snap inventory.Snapshot, format string) error {
	doc := statusDoc{Environment: s.plan.Environment.Name, Pairs: snap.Pairs, Generation: snap.Generation,
		Source: sideDoc{snap.Source, s.source.Identity.Account, s.source.Identity.ARN},
		Target: sideDoc{snap.Target, s.target.Identity.Account, s.target.Identity.ARN}}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case "yaml":
		data, err := yaml.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	return printTable(w, doc)
}

func printTable(w io.Writer, d statusDoc) error {
	src, dst := d.Source.Name, d.Target.Name
	fmt.Fprintf(w, "environment %s   %s: %s %s   %s: %s %s\n", d.Environment,
		src, d.Source.Health, d.Source.Account, dst, d.Target.Health, d.Target.Account)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NAMESPACE\tSERVICE\t%[1]s READY\t%[1]s TAG\t%[1]s RESTARTS\t%[2]s READY\t%[2]s TAG\t%[2]s RESTARTS\tDRIFT\tREFS\tSTATE\n", src, dst)
	for _, p := range d.Pairs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", p.Namespace, p.Name, sideCells(p.Source), sideCells(p.Target),
			len(p.Drift), len(p.References), p.Describe(src, dst))
	}
	return tw.Flush()
}

// sideCells renders one side's READY, TAG and RESTARTS cells.
func sideCells(w *inventory.Workload) string {
	if w == nil {
		return "-\t-\t-"
	}
	var tags []string
	for _, img := range w.Images {
		tags = append(tags, img.Tag)
	}
	warn := ""
	if len(w.Warnings) > 0 || len(w.Waiting) > 0 {
		warn = " !"
	}
	return fmt.Sprintf("%d/%d%s\t%s\t%d", w.Ready, w.Desired, warn, strings.Join(tags, ","), w.Restarts)
}
