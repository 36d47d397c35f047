// Package cli holds what ferry's two binaries share on the command line:
// the flags that name a plan and a kubeconfig, colour, and exit codes.
// ferry-logs links it, so it stays light: no AWS service clients.
package cli

import (
	"errors"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/plan"
)

// Exit codes ferry's commands share.
const (
	ExitOK       = 0
	ExitFindings = 1 // --fail-on matched: drift or references found
	ExitUsage    = 2 // bad flags, a bad plan, a failure to do the job
)

// Exit ends the command with Code after it has already said what went
// wrong; main prints nothing more.
type Exit struct{ Code int }

func (e Exit) Error() string { return "exit status " + strconv.Itoa(e.Code) }

// ExitCode is the exit code of a command's error: an Exit's own, else
// ExitUsage.
func ExitCode(err error) int {
	var ex Exit
	if errors.As(err, &ex) {
		return ex.Code
	}
	return ExitUsage
}

// AddConnectFlags adds the flags every command that reads clusters takes.
func AddConnectFlags(cmd *cobra.Command, planPath, kubeconfig *string, timeout *time.Duration) {
	cmd.Flags().StringVar(planPath, "plan", "", "plan file (default: $FERRY_PLAN, else ./ferry.yaml)")
	cmd.Flags().StringVar(kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	cmd.Flags().DurationVar(timeout, "timeout", 30*time.Second, "how long to wait for both clusters to list")
}

// SideConfig turns a plan side into a connection config.
func SideConfig(s plan.Side, kubeconfig string) cluster.Config {
	return cluster.Config{
		Name: s.Label, Kubeconfig: kubeconfig,
		Context: s.Kube.Context, EKSCluster: s.Kube.EKSCluster, EKSRegion: s.Kube.EKSRegion,
		AWSProfile: s.AWS.Profile, AWSRegion: s.AWS.Region, Account: s.AWS.Account,
	}
}

// MapNamespaces is the target's names of source namespaces, by the plan's
// namespace mapping.
func MapNamespaces(p *plan.Plan, ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n
		if m, ok := p.Mapping.Namespaces[n]; ok {
			out[i] = m
		}
	}
	return out
}

// UseColor says whether to colour output for --color MODE: always, never,
// or auto (a terminal, and NO_COLOR unset).
func UseColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	f, ok := w.(*os.File)
	return ok && os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(f.Fd()))
}

// ANSI colours ferry prints with.
const (
	ANSIReset = "\x1b[0m"
	ANSIDim   = "\x1b[2m"
	ANSIRed   = "\x1b[31m"
	ANSIGreen = "\x1b[32m"
	ANSIBold  = "\x1b[1m"
)
