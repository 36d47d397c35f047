package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/probe"
)

type probeOptions struct {
	connectFlags
	output string
}

func newProbeCmd() *cobra.Command {
	o := probeOptions{}
	cmd := &cobra.Command{
		Use:   "probe [SERVICE]",
		Short: "Ask the plan's HTTP probes of both sides and compare the answers",
		Long: `Runs every probe of the plan's services (or of SERVICE, as NAME or NAMESPACE/NAME)
against the source and the target at the same time, and compares them.

A probe passes when the side answers the expected status (200 unless the plan says
expect:). Redirects are never followed: a POST answered with 301 or 302 fails, named as
such, because a client following it would lose the body — the classic sign of a missing
X-Forwarded-Proto or an ssl-redirect on the new ingress. With both sides answering, ferry
also compares the status, the latency (the target more than 3x and 500ms slower fails),
the JSON fields listed in compare: and, with compareBody: true, the bodies.

A probe with sourceURL and targetURL asks those addresses; one with path: asks each side's
Service through its cluster's apiserver (the services/proxy subresource).

Exit codes: 0 every probe passed; 1 some failed; 2 a usage, plan or connection error.`,
		Example: `  ferry probe
  ferry probe orders-api
  ferry probe orders/orders-api -o json | jq '.[] | select(.ok | not)'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return runProbe(cmd, o, name)
		},
	}
	addConnectFlags(cmd, &o.connectFlags)
	cmd.Flags().StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func runProbe(cmd *cobra.Command, o probeOptions, name string) error {
	if o.output != "table" && o.output != "json" {
		return usageError{fmt.Errorf("--output %q: want table or json", o.output)}
	}
	p, err := plan.Open(o.plan)
	if err != nil {
		return usageError{err}
	}
	svcs, err := selectServices(p, name)
	if err != nil {
		return usageError{err}
	}
	src, dst, err := connectForProbes(cmd.Context(), p, svcs, o.connectFlags)
	if err != nil {
		return err
	}
	var jobs []probeJob
	for _, svc := range svcs {
		js, err := probeJobs(p, svc, src, dst)
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	prober, err := proberFor(src, dst)
	if err != nil {
		return err
	}
	results := runProbes(cmd.Context(), prober, jobs)
	out := cmd.OutOrStdout()
	if o.output == "json" {
		if err := printProbesJSON(out, jobs, results); err != nil {
			return err
		}
	} else {
		printProbes(out, jobs, results)
	}
	for _, r := range results {
		if !r.OK {
			return exitError{Code: exitFindings}
		}
	}
	return nil
}

// selectServices is every service with probes, or the one named.
func selectServices(p *plan.Plan, name string) ([]plan.Service, error) {
	var out []plan.Service
	for _, s := range p.Services {
		if len(s.Probes) > 0 && (name == "" || name == s.Name || name == s.Namespace+"/"+s.Name) {
			out = append(out, s)
		}
	}
	switch {
	case len(out) == 0 && name != "":
		return nil, fmt.Errorf("%s: no such service with probes in %s; add it under services: with probes:", name, p.File)
	case len(out) == 0:
		return nil, fmt.Errorf("%s lists no probes; add probes: to its services", p.File)
	}
	return out, nil
}

// connectForProbes connects both clusters only when a probe asks a Service
// by path; URL probes need no cluster.
func connectForProbes(ctx context.Context, p *plan.Plan, svcs []plan.Service, f connectFlags) (src, dst *cluster.Side, err error) {
	byPath := false
	for _, s := range svcs {
		for _, pr := range s.Probes {
			byPath = byPath || pr.Path != ""
		}
	}
	if !byPath {
		return nil, nil, nil
	}
	if src, err = cluster.Connect(ctx, cli.SideConfig(p.Source, f.kubeconfig)); err != nil {
		return nil, nil, err
	}
	dst, err = cluster.Connect(ctx, cli.SideConfig(p.Target, f.kubeconfig))
	return src, dst, err
}

// runProbes asks every job of both sides, a few at a time.
func runProbes(ctx context.Context, prober *probe.Prober, jobs []probeJob) []probe.PairResult {
	out := make([]probe.PairResult, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = prober.Pair(ctx, j.endpoint, j.src, j.dst)
		})
	}
	wg.Wait()
	return out
}

func printProbes(w io.Writer, jobs []probeJob, results []probe.PairResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPROBE\tSIDE\tSTATUS\tLATENCY\tRESULT")
	for i, r := range results {
		for _, side := range []probe.Result{r.Source, r.Target} {
			verdict := "ok"
			if !side.OK {
				verdict = "FAIL: " + side.Failure
			}
			status := side.StatusText
			if status == "" {
				status = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", jobs[i].service, side.Endpoint, side.Side, status, side.Latency.Round(100*time.Microsecond), verdict)
		}
		for _, c := range r.Comparisons {
			if !c.OK {
				fmt.Fprintf(tw, "%s\t%s\t(both)\t\t\tFAIL: %s: %s\n", jobs[i].service, r.Source.Endpoint, c.What, c.Evidence)
			}
		}
	}
	_ = tw.Flush()
}

func printProbesJSON(w io.Writer, jobs []probeJob, results []probe.PairResult) error {
	type row struct {
		Service string `json:"service"`
		probe.PairResult
	}
	rows := make([]row, len(results))
	for i, r := range results {
		rows[i] = row{Service: jobs[i].service, PairResult: r}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// probeGate passes while every probe of the cutover's service passes on
// both sides; its evidence names each failure, or sums up the passes.
func probeGate(prober *probe.Prober, jobs []probeJob) cutover.Gate {
	return cutover.GateFunc{GateName: "probes", Fn: func(ctx context.Context) (bool, string) {
		if len(jobs) == 0 {
			return false, "the service has no probes in the plan; add probes: to it, or set cutover.gates.probes: false"
		}
		var failed, passed []string
		for _, r := range runProbes(ctx, prober, jobs) {
			for _, side := range []probe.Result{r.Source, r.Target} {
				if !side.OK {
					failed = append(failed, fmt.Sprintf("%s: %s", side.Side, side.Failure))
				}
			}
			for _, c := range r.Comparisons {
				if !c.OK {
					failed = append(failed, fmt.Sprintf("%s %s: %s", r.Source.Endpoint, c.What, c.Evidence))
				}
			}
			if r.OK {
				passed = append(passed, fmt.Sprintf("%s %d/%d", r.Source.Endpoint, r.Source.Status, r.Target.Status))
			}
		}
		if len(failed) > 0 {
			return false, strings.Join(failed, "; ")
		}
		return true, fmt.Sprintf("%d probes pass on both sides (%s)", len(passed), strings.Join(passed, ", "))
	}}
}
