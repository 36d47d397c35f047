package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// journalPath is where a plan's journal lives: --journal, else next to the
// plan file as NAME.journal.jsonl.
func journalPath(flag string, p *plan.Plan) string {
	if flag != "" {
		return flag
	}
	base := strings.TrimSuffix(p.File, filepath.Ext(p.File))
	return base + ".journal.jsonl"
}

type journalOptions struct {
	planFlag string
	journal  string
	step     string
	output   string
	progress bool
}

func newJournalCmd() *cobra.Command {
	o := journalOptions{}
	cmd := &cobra.Command{
		Use:   "journal",
		Short: "Show the runbook's audit trail: who did what to which step, when, and how it ended",
		Long: `Every plan, apply, verify, rollback and skip is a line in the journal, an append-only
JSONL file next to the plan (NAME.journal.jsonl; --journal elsewhere), fsynced before
ferry goes on. Secret values never reach it, and what a rollback needs is kept in a
0600 undo store beside it (NAME.journal.jsonl.undo/), referenced by hash.

A line a crash cut short is reported (file and byte offset) and skipped, never fatal.`,
		Example: `  ferry journal
  ferry journal --step clone/payments/ledger
  ferry journal -o json | jq 'select(.outcome=="failed")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runJournal(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.planFlag, "plan", "", "plan file (default: $FERRY_PLAN, else ./ferry.yaml)")
	f.StringVar(&o.journal, "journal", "", "journal file (default: next to the plan)")
	f.StringVar(&o.step, "step", "", "only this step's records")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json (one record per line)")
	f.BoolVar(&o.progress, "progress", false, "include progress records")
	return cmd
}

func runJournal(cmd *cobra.Command, o journalOptions) error {
	if o.output != "text" && o.output != "json" {
		return usageError{fmt.Errorf("--output %q: want text or json", o.output)}
	}
	path := o.journal
	if path == "" {
		p, err := plan.Open(o.planFlag)
		if err != nil {
			return usageError{err}
		}
		path = journalPath("", p)
	}
	log, err := runbook.ReadJournal(path)
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	for _, d := range log.Damage {
		fmt.Fprintln(cmd.ErrOrStderr(), "ferry journal:", d.String())
	}
	var recs []runbook.Record
	for _, r := range log.Records {
		if (o.step == "" || r.Step == o.step) && (o.progress || r.Outcome != runbook.OutcomeProgress) {
			recs = append(recs, r)
		}
	}
	if o.output == "json" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	return printJournal(cmd.OutOrStdout(), recs)
}

func printJournal(w io.Writer, recs []runbook.Record) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tOPERATOR\tSTEP\tACTION\tOUTCOME\tDETAIL")
	for _, r := range recs {
		detail := r.Summary
		if r.UndoRef != nil {
			detail = "undo saved: " + r.UndoRef.File
		}
		if r.Error != "" {
			detail = strings.TrimSpace(detail + " " + r.Error)
		}
		for _, c := range r.Checks {
			if !c.OK {
				detail += fmt.Sprintf(" [%s: %s]", c.Name, c.Evidence)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Time.Local().Format(time.DateTime), r.Operator.User,
			r.Step, r.Action, r.Outcome, detail)
	}
	return tw.Flush()
}
