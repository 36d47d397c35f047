package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

type diffOptions struct {
	connectFlags
	output string
	width  int
	color  string
}

func newDiffCmd() *cobra.Command {
	o := diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff SERVICE",
		Short: "Show a service's objects on both sides, normalized, side by side",
		Long: `Show every object of a service (workload, Service, Ingress, ConfigMaps, Secrets,
ServiceAccount, HPA) on the source (left, as it is) and the target (right), both
normalized: server fields and API defaults dropped, Secret values replaced by
hashes. Row markers:

  (blank)  the same on both sides
  ~        differs only as the plan's mapping says it should (account, registry,
           classes, kube2iam -> IRSA): expected, not drift
  !        differs: drift
  <  >     only on the source / only on the target

On a terminal drift is coloured and expected rows dimmed; plain when piped or
NO_COLOR is set. SERVICE is NAMESPACE/NAME, or NAME when it is unique.`,
		Example: `  ferry diff payments/ledger
  ferry diff orders-api -o json | jq '.[].lines[] | select(.kind!="same")'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runDiff(cmd, o, args[0]) },
	}
	addConnectFlags(cmd, &o.connectFlags)
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().IntVar(&o.width, "width", 0, "total width of the two columns (default: the terminal's, else 160)")
	cmd.Flags().StringVar(&o.color, "color", "auto", "colour: auto, always or never")
	return cmd
}

func runDiff(cmd *cobra.Command, o diffOptions, service string) error {
	if o.output != "text" && o.output != "json" {
		return usageError{fmt.Errorf("--output %q: want text or json", o.output)}
	}
	s, err := openSession(cmd.Context(), o.connectFlags)
	if err != nil {
		return err
	}
	key, err := findPair(s.inv.Snapshot(), service)
	if err != nil {
		return err
	}
	src, dst := s.inv.Objects(key)
	width := o.width
	if width <= 0 {
		width = terminalWidth()
	}
	diffs, err := rewrite.Diffs(s.plan.Mapping, src, dst, width)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if o.output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(diffs)
	}
	return printDiffs(out, diffs, width, cli.UseColor(o.color, out), s.plan.Source.Label, s.plan.Target.Label)
}

// findPair resolves NAMESPACE/NAME or a unique NAME to a pair key.
func findPair(snap inventory.Snapshot, service string) (string, error) {
	if _, ok := snap.Pair(service); ok {
		return service, nil
	}
	var matches []string
	for _, p := range snap.Pairs {
		if p.Name == service {
			matches = append(matches, p.Key())
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", usageError{fmt.Errorf("no service %q in the plan's namespaces; `ferry status` lists them", service)}
	}
	return "", usageError{fmt.Errorf("service %q is in several namespaces (%s); name one as NAMESPACE/NAME", service, strings.Join(matches, ", "))}
}

func terminalWidth() int {
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 40 {
		return w
	}
	return 160
}

const (
	ansiReset = cli.ANSIReset
	ansiDim   = cli.ANSIDim
	ansiRed   = cli.ANSIRed
	ansiGreen = cli.ANSIGreen
	ansiBold  = cli.ANSIBold
)

func printDiffs(w io.Writer, diffs []rewrite.ObjectDiff, width int, color bool, src, dst string) error {
	col := (width - 5) / 2
	for _, d := range diffs {
		title := fmt.Sprintf("== %s %s ", d.Kind, d.Name)
		fmt.Fprintf(w, "%s%s%s\n", bold(color), title+strings.Repeat("=", max(0, width-len(title))), reset(color))
		fmt.Fprintf(w, "  %-*s   %s\n", col, src, dst)
		for _, l := range d.Lines {
			mark, style := diffMark(l)
			if !color {
				style = ""
			}
			fmt.Fprintf(w, "%s%s %-*s %s %s%s\n", style, mark, col, clip(l.Left, col), mark, clip(l.Right, col), reset(color && style != ""))
		}
	}
	return nil
}

func diffMark(l rewrite.DiffLine) (string, string) {
	switch {
	case l.Kind == rewrite.Same:
		return " ", ""
	case l.Expected:
		return "~", ansiDim
	case l.Kind == rewrite.Removed:
		return "<", ansiRed
	case l.Kind == rewrite.Added:
		return ">", ansiGreen
	}
	return "!", ansiRed + ansiBold
}

func clip(s string, n int) string {
	if n <= 1 || len([]rune(s)) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func bold(on bool) string {
	if on {
		return ansiBold
	}
	return ""
}

func reset(on bool) string {
	if on {
		return ansiReset
	}
	return ""
}
