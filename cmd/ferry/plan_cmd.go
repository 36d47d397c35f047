package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/runbook"
)

type planOptions struct {
	runbookFlags
	output string
	color  string
}

func newPlanCmd() *cobra.Command {
	o := planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [STEP...]",
		Short: "Show what the runbook's steps would change, computed live, without changing anything",
		Long: `The runbook is generated from the plan file: preflight first, then one clone step per
service the source runs (clone/NAMESPACE/NAME), in dependency order. For each step, plan
computes its change set against the live clusters — for a clone, a server-side dry-run
on the target compared with what runs there — and prints each change (create, update,
delete, or none when the target already matches) with a diff. Secret values show as
hashes. Nothing is written, not even the journal's lock.

With no STEP, every step (or those --namespace / --service select) is planned, along
with its state from the journal.`,
		Example: `  ferry plan
  ferry plan clone/payments/ledger
  ferry plan --service orders-api -o json | jq '.[].changes[] | select(.op!="none")'`,
		RunE: func(cmd *cobra.Command, args []string) error { return runPlan(cmd, o, args) },
	}
	addRunbookFlags(cmd, &o.runbookFlags)
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&o.color, "color", "auto", "colour: auto, always or never")
	return cmd
}

func runPlan(cmd *cobra.Command, o planOptions, ids []string) error {
	if o.output != "text" && o.output != "json" {
		return usageError{fmt.Errorf("--output %q: want text or json", o.output)}
	}
	o.readOnly = true // planning never writes, not even the lock
	rs, err := openRunbook(cmd.Context(), o.runbookFlags)
	if err != nil {
		return err
	}
	defer rs.journal.Close()
	steps, err := selectSteps(rs.runner, ids)
	if err != nil {
		return usageError{err}
	}
	var sets []runbook.ChangeSet
	out := cmd.OutOrStdout()
	color := cli.UseColor(o.color, out)
	for _, st := range steps {
		state := rs.runner.State(st.ID()) // as the journal has it, before this plan
		cs, err := rs.runner.Plan(cmd.Context(), st.ID())
		if err != nil {
			return fmt.Errorf("plan %s: %w", st.ID(), err)
		}
		if o.output == "json" {
			sets = append(sets, cs)
			continue
		}
		printChangeSet(out, st, state, cs, color)
	}
	if o.output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(sets)
	}
	return nil
}

// selectSteps returns the named steps, or every step of the runner.
func selectSteps(r *runbook.Runner, ids []string) ([]runbook.Step, error) {
	all := r.Steps()
	if len(ids) == 0 {
		return all, nil
	}
	byID := map[string]runbook.Step{}
	var names []string
	for _, s := range all {
		byID[s.ID()] = s
		names = append(names, s.ID())
	}
	var out []runbook.Step
	for _, id := range ids {
		s, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("no step %q in this runbook; `ferry plan` lists them: %s", id, strings.Join(names, ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

var opMarks = map[runbook.Op]string{runbook.OpCreate: "+", runbook.OpUpdate: "~", runbook.OpDelete: "-", runbook.OpNone: "="}

func printChangeSet(w io.Writer, st runbook.Step, state runbook.StepState, cs runbook.ChangeSet, color bool) {
	fmt.Fprintf(w, "%s== %s  %s  [%s]%s\n", bold(color), st.ID(), st.Title(), state.State, reset(color))
	counts := map[runbook.Op]int{}
	for _, c := range cs.Changes {
		counts[c.Op]++
		name := c.Name
		if c.Namespace != "" {
			name = c.Namespace + "/" + c.Name
		}
		fmt.Fprintf(w, "  %s %-6s %s %s\n", opMarks[c.Op], c.Op, c.Kind, name)
		switch c.Op {
		case runbook.OpUpdate, runbook.OpDelete:
			printUnified(w, c.Before, c.After, color)
		case runbook.OpCreate:
			printCreated(w, c.After, color)
		}
	}
	for _, n := range cs.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if len(cs.Changes) > 0 {
		fmt.Fprintf(w, "  %d to create, %d to update, %d to delete, %d unchanged\n",
			counts[runbook.OpCreate], counts[runbook.OpUpdate], counts[runbook.OpDelete], counts[runbook.OpNone])
	}
	fmt.Fprintln(w)
}

func printUnified(w io.Writer, before, after string, color bool) {
	text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(before), B: difflib.SplitLines(after), FromFile: "live", ToFile: "after", Context: 2,
	})
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		switch {
		case color && strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++"):
			l = ansiGreen + l + ansiReset
		case color && strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "---"):
			l = ansiRed + l + ansiReset
		}
		fmt.Fprintf(w, "      %s\n", l)
	}
}

// printCreated shows what a create would make, as added lines.
func printCreated(w io.Writer, after string, color bool) {
	for _, l := range strings.Split(strings.TrimRight(after, "\n"), "\n") {
		if l == "" {
			continue
		}
		l = "+ " + l
		if color {
			l = ansiGreen + l + ansiReset
		}
		fmt.Fprintf(w, "      %s\n", l)
	}
}
