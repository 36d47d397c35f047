package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferry-dev/ferry/engine/runbook"
)

type runOptions struct {
	runbookFlags
	yes     bool
	confirm string
	dryRun  bool
	reason  string
}

// stepAction is one of the runbook actions the CLI offers.
type stepAction struct {
	use, short, long, example string
	writes                    bool // asks for confirmation; needs the lock
	do                        func(ctx context.Context, r *runbook.Runner, id string, o runOptions, w io.Writer) error
}

func newRunCmds() []*cobra.Command {
	return []*cobra.Command{
		newStepCmd(stepAction{use: "run STEP...", short: "Apply runbook steps, then verify them",
			long: `Apply each STEP in order (preflight, clone/NAMESPACE/NAME, ...; ` + "`ferry plan`" + ` lists them),
then verify it. Applying is idempotent: a step applied twice changes nothing the second
time. Before each write ferry records in the journal's undo store what it replaces, so
` + "`ferry undo STEP`" + ` can restore it, even after a crash. While applying, ferry holds a
Lease in the target cluster; a second ferry refuses (or waits, --wait).

ferry asks before it writes: y on a terminal, or the environment's name when the plan
marks it protected. Scripts pass --yes (and --confirm NAME for a protected one).
--dry-run shows the plan instead and writes nothing.

Exit codes: 0 applied and verified; 1 applied but a check failed; 2 refused or failed.`,
			example: `  ferry run preflight clone/payments/ledger
  ferry run clone/orders/invoice-renderer --yes
  ferry run clone/payments/ledger --dry-run`,
			writes: true, do: applyAndVerify}),
		newStepCmd(stepAction{use: "verify STEP...", short: "Run runbook steps' checks and show their evidence",
			long:    "Verify each STEP: named checks with pass or fail and the evidence, journaled. Changes nothing.\n\nExit codes: 0 every check passed; 1 a check failed; 2 an error.",
			example: "  ferry verify clone/payments/ledger", do: verifyStep}),
		newStepCmd(stepAction{use: "undo STEP...", short: "Roll runbook steps back to what the target had before they were applied",
			long: `Roll each STEP back from the undo records its applies saved: objects that existed
before are restored exactly, objects the step created are deleted. Asks like run does.`,
			example: "  ferry undo clone/payments/ledger --yes", writes: true, do: undoStep}),
		newStepCmd(stepAction{use: "skip STEP...", short: "Mark runbook steps as skipped, with a reason, in the journal",
			example: `  ferry skip clone/orders/invoice-renderer --reason "retired, not migrated"`, writes: true, do: skipStep}),
	}
}

func newStepCmd(a stepAction) *cobra.Command {
	o := runOptions{}
	cmd := &cobra.Command{
		Use: a.use, Short: a.short, Long: a.long, Example: a.example,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("name the steps, e.g. preflight clone/payments/ledger; `ferry plan` lists them")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runStepAction(cmd, a, o, args) },
	}
	addRunbookFlags(cmd, &o.runbookFlags)
	if a.writes {
		cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask: the change is approved")
		cmd.Flags().StringVar(&o.confirm, "confirm", "", "with --yes on a protected environment: its name, typed out")
	}
	if strings.HasPrefix(a.use, "run") {
		cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "show the plan and write nothing")
	}
	if strings.HasPrefix(a.use, "skip") {
		cmd.Flags().StringVar(&o.reason, "reason", "", "why the step is skipped (required)")
	}
	return cmd
}

func runStepAction(cmd *cobra.Command, a stepAction, o runOptions, ids []string) error {
	ctx := cmd.Context()
	if strings.HasPrefix(a.use, "skip") && strings.TrimSpace(o.reason) == "" {
		return usageError{fmt.Errorf("--reason is required: the journal says why a step was skipped")}
	}
	if o.dryRun {
		return runPlan(cmd, planOptions{runbookFlags: o.runbookFlags, output: "text", color: "auto"}, ids)
	}
	rs, err := openRunbook(ctx, o.runbookFlags)
	if err != nil {
		return err
	}
	defer rs.journal.Close()
	steps, err := selectSteps(rs.runner, ids)
	if err != nil {
		return usageError{err}
	}
	if a.writes && !o.readOnly {
		if strings.HasPrefix(a.use, "undo") {
			showRollbackPlans(ctx, cmd.ErrOrStderr(), rs.runner, steps)
		}
		if err := confirmWrite(cmd, rs, o, strings.Fields(a.use)[0], ids); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	failed := false
	for _, st := range steps {
		err := a.do(ctx, rs.runner, st.ID(), o, out)
		if err == errChecksFailed {
			failed = true
			continue
		}
		if err != nil {
			return errLockedHint(fmt.Errorf("%s %s: %w", strings.Fields(a.use)[0], st.ID(), err))
		}
	}
	if failed {
		return exitError{Code: exitFindings}
	}
	return nil
}

// showRollbackPlans names, before the confirmation, what each rollback
// will delete or restore in the new account.
func showRollbackPlans(ctx context.Context, w io.Writer, r *runbook.Runner, steps []runbook.Step) {
	for _, st := range steps {
		cs, err := r.PlanRollback(ctx, st.ID())
		if err != nil {
			fmt.Fprintf(w, "== %s: %v\n\n", st.ID(), err)
			continue
		}
		printChangeSet(w, st, r.State(st.ID()), cs, false)
	}
}

// writesTo names where the steps write: the target, or, for cutover
// stages alone, the routers (which may live in either account).
func writesTo(rs *runbookSession, ids []string) string {
	target := fmt.Sprintf("%s (account %s)", rs.plan.Target.Label, rs.target.Identity.Account)
	if rs.cutover == nil {
		return target
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "cutover/") {
			return target
		}
	}
	var names []string
	for _, r := range rs.cutover.cfg.Routers {
		names = append(names, r.Name())
	}
	return "the cutover's routers (" + strings.Join(names, ", ") + ")"
}

// confirmWrite asks before a write: --yes (with --confirm NAME when the
// environment is protected), else a typed answer on a terminal.
func confirmWrite(cmd *cobra.Command, rs *runbookSession, o runOptions, verb string, ids []string) error {
	env := rs.plan.Environment
	if o.yes {
		if env.Protected && o.confirm != env.Name {
			return usageError{fmt.Errorf("environment %q is protected: add --confirm %s to %s with --yes", env.Name, env.Name, verb)}
		}
		return nil
	}
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return usageError{fmt.Errorf("%s changes %s: confirm with --yes (no terminal to ask on)", verb, rs.plan.Target.Label)}
	}
	want := "y"
	if env.Protected {
		want = env.Name
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s %s on %s, environment %s.\nType %q to go on: ",
		verb, strings.Join(ids, ", "), writesTo(rs, ids), env.Name, want)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(answer) != want {
		return usageError{fmt.Errorf("not confirmed: nothing was changed")}
	}
	return nil
}
