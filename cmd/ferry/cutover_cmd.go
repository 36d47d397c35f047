package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/runbook"
)

type cutoverOptions struct {
	runbookFlags
	output string
}

func newCutoverCmd() *cobra.Command {
	o := cutoverOptions{}
	cmd := &cobra.Command{
		Use:   "cutover",
		Short: "Where the cutover stands: the routers' weights read live, the stages and the gates",
		Long: `Reads every router of the plan's cutover section live (Route53 weighted records, ALB
forward actions), asks every gate once (probes on both sides, the target's ready pods,
error-line rates), and shows each stage's state from the journal with its last marker.
It says whether the weights AWS holds match what the journal says they should be: after
a crash they do, and nothing moves until the operator acts.

Stages are runbook steps (cutover/SERVICE/PERCENT): apply the next one with
` + "`ferry run cutover/SERVICE/PERCENT`" + ` and return all traffic with ` + "`ferry rollback`" + `.

Exit codes: 0 shown; 1 the weights differ from the journal or a gate fails; 2 an error.`,
		Example: `  ferry cutover
  ferry run cutover/orders-api/10
  ferry cutover -o json | jq '.routers'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCutoverStatus(cmd, o) },
	}
	addRunbookFlags(cmd, &o.runbookFlags)
	cmd.Flags().StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	return cmd
}

// cutoverReport is `ferry cutover -o json`.
type cutoverReport struct {
	Service string                 `json:"service"`
	Routers []cutover.RouterStatus `json:"routers"`
	Stages  []stageReport          `json:"stages"`
	Gates   []cutover.GateResult   `json:"gates"`
	// Expected is the weights the journal says traffic should be at;
	// Matches says every router holds them.
	Expected cutover.Weights `json:"expected"`
	Matches  bool            `json:"matches"`
}

type stageReport struct {
	ID      string        `json:"id"`
	Percent int           `json:"percent"`
	Dwell   time.Duration `json:"dwell"`
	Auto    bool          `json:"auto"`
	State   runbook.State `json:"state"`
	Marker  string        `json:"marker,omitempty"`
	Error   string        `json:"error,omitempty"`
}

func runCutoverStatus(cmd *cobra.Command, o cutoverOptions) error {
	if o.output != "table" && o.output != "json" {
		return usageError{fmt.Errorf("--output %q: want table or json", o.output)}
	}
	o.readOnly = true // a status changes nothing and takes no lock
	rs, err := openRunbook(cmd.Context(), o.runbookFlags)
	if err != nil {
		return err
	}
	defer rs.journal.Close()
	rig := rs.cutover
	if rig == nil {
		return usageError{fmt.Errorf("%s has no cutover section; add one (see ferry init's starter plan)", rs.plan.File)}
	}
	cutover.Refresh(cmd.Context(), rig.cfg.Board, rig.cfg.Routers, rig.cfg.Gates)
	rep := reportCutover(rs.runner, rig)
	if o.output == "json" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printCutover(cmd.OutOrStdout(), rep, rs.plan.Source.Label, rs.plan.Target.Label)
	}
	ok := rep.Matches
	for _, g := range rep.Gates {
		ok = ok && g.OK
	}
	if !ok {
		return exitError{Code: exitFindings}
	}
	return nil
}

func reportCutover(r *runbook.Runner, rig *cutoverRig) cutoverReport {
	st := rig.cfg.Board.Snapshot()
	rep := cutoverReport{Service: rig.cfg.Namespace + "/" + rig.cfg.Service, Routers: st.Routers, Gates: st.Gates}
	for _, s := range rig.steps {
		stage := s.(cutover.StageStep)
		state := r.State(s.ID())
		rep.Stages = append(rep.Stages, stageReport{ID: s.ID(), Percent: stage.Percent(), Dwell: stage.Dwell(), Auto: stage.Auto(),
			State: state.State, Marker: state.Marker, Error: state.Error})
	}
	rep.Expected = expectedWeights(rep.Stages)
	rep.Matches = true
	for _, rt := range rep.Routers {
		rep.Matches = rep.Matches && rt.Err == "" && rt.Weights == rep.Expected
	}
	return rep
}

// expectedWeights is where the journal says traffic stands: the last stage
// that moved it and was not rolled back (a stage that failed its gates put
// the weights back, so it does not count).
func expectedWeights(stages []stageReport) cutover.Weights {
	w := cutover.ToTarget(0)
	for _, s := range stages {
		switch s.State {
		case runbook.StateApplied, runbook.StateVerified, runbook.StateInterrupted, runbook.StateApplying:
			w = cutover.ToTarget(s.Percent)
		}
	}
	return w
}

func printCutover(w io.Writer, rep cutoverReport, src, dst string) {
	fmt.Fprintf(w, "cutover of %s, %s -> %s\n\n", rep.Service, src, dst)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ROUTER\t%s/%s\tJOURNAL\n", src, dst)
	for _, r := range rep.Routers {
		if r.Err != "" {
			fmt.Fprintf(tw, "%s\tunreadable: %s\t%s\n", r.Name, r.Err, rep.Expected)
			continue
		}
		match := "matches"
		if r.Weights != rep.Expected {
			match = "DIFFERS: the journal says " + rep.Expected.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Weights, match)
	}
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintln(tw, "STAGE\tDWELL\tAUTO\tSTATE\tLAST MARKER")
	for _, s := range rep.Stages {
		auto := "no"
		if s.Auto {
			auto = "yes"
		}
		note := s.Marker
		if s.Error != "" {
			note = s.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Dwell, auto, s.State, note)
	}
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintln(tw, "GATE\tRESULT\tEVIDENCE")
	for _, g := range rep.Gates {
		verdict := "ok"
		if !g.OK {
			verdict = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Gate, verdict, g.Evidence)
	}
	_ = tw.Flush()
}

func newRollbackCmd() *cobra.Command {
	o := runOptions{}
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Return all of the cutover's traffic to the source",
		Long: `Rolls back every cutover stage that moved traffic, newest first: each router is put
back exactly as it was before the first stage (a target record or target group the
cutover created is removed again), so all traffic goes to the source. Each rollback is
journaled with a marker. Asks like run does (--yes, --confirm NAME when protected).

If another ferry is in the middle of a stage (a dwell can last many minutes) it holds
the runbook lock: after your confirmation, rollback asks it to stop (it stops within a
second or two, journals the stage as stopped at your request and leaves the weights to
this rollback) and waits for the lock: 45s (or --wait, if longer), enough for the
lease of a ferry that died to go stale.

Exit codes: 0 all traffic is back on the source; 2 refused or failed.`,
		Example: `  ferry rollback
  ferry rollback --yes --confirm production`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRollback(cmd, o) },
	}
	addRunbookFlags(cmd, &o.runbookFlags)
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask: the rollback is approved")
	cmd.Flags().StringVar(&o.confirm, "confirm", "", "with --yes on a protected environment: its name, typed out")
	return cmd
}

func runRollback(cmd *cobra.Command, o runOptions) error {
	ctx := cmd.Context()
	rs, err := openRunbook(ctx, o.runbookFlags)
	if err != nil {
		return err
	}
	defer rs.journal.Close()
	if rs.cutover == nil {
		return usageError{fmt.Errorf("%s has no cutover section: there is no traffic to return", rs.plan.File)}
	}
	ids := rollbackOrder(rs.runner, rs.cutover.steps)
	out := cmd.OutOrStdout()
	if len(ids) == 0 {
		fmt.Fprintln(out, "no cutover stage has moved traffic: all of it is on the source already")
		return nil
	}
	stages, err := selectSteps(rs.runner, ids)
	if err != nil {
		return err
	}
	showRollbackPlans(ctx, cmd.ErrOrStderr(), rs.runner, stages)
	if err := confirmWrite(cmd, rs, o, "rollback", ids); err != nil {
		return err
	}
	if err := stopHolder(ctx, cmd.ErrOrStderr(), rs.runner); err != nil {
		return err
	}
	for _, id := range ids {
		if err := undoStep(ctx, rs.runner, id, o, out); err != nil {
			return errLockedHint(fmt.Errorf("rollback %s: %w", id, err))
		}
	}
	return printWeights(ctx, out, rs.cutover)
}

// stopHolder asks whoever holds the runbook lock, if anyone, to stop what
// it applies (the runner then waits for the lock): traffic must not wait
// for another operator's dwell.
func stopHolder(ctx context.Context, w io.Writer, r *runbook.Runner) error {
	who, err := r.RequestStop(ctx, "ferry rollback")
	if err != nil {
		return err
	}
	if who != "" {
		fmt.Fprintf(w, "%s holds the runbook lock; asked it to stop, waiting for it to let go\n", who)
	}
	return nil
}

// rollbackOrder is every stage with undo records (it moved traffic and was
// not rolled back since), newest first.
func rollbackOrder(r *runbook.Runner, steps []runbook.Step) []string {
	var ids []string
	for _, s := range steps {
		if len(r.State(s.ID()).Undo) > 0 {
			ids = append(ids, s.ID())
		}
	}
	slices.Reverse(ids)
	return ids
}

func printWeights(ctx context.Context, w io.Writer, rig *cutoverRig) error {
	var bad []string
	for _, r := range rig.cfg.Routers {
		wt, err := r.Read(ctx)
		if err != nil {
			return fmt.Errorf("read %s after the rollback: %w", r.Name(), err)
		}
		fmt.Fprintf(w, "%s now %s\n", r.Name(), wt)
		if wt != cutover.ToTarget(0) {
			bad = append(bad, r.Name())
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s still send traffic to the target after the rollback; set them by hand", strings.Join(bad, ", "))
	}
	return nil
}
