// Command ferry-logs is `ferry logs` in a binary of its own: the same
// command without what else ferry links (the AWS service clients of the
// clone steps, the runbook, the cockpit), whose package initialisers alone
// keep some 50 MiB of ferry resident before it reads a line. ferry hands
// `ferry logs` over to it when the two sit side by side from one `make
// build`; run directly, `ferry-logs SELECTOR` is `ferry logs SELECTOR`.
//
// Build it with -tags ferrylogs (make build does): the tag leaves the old
// account's listing, and with it eight AWS service clients, out of
// engine/plan.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/cmd/internal/handoff"
	"github.com/ferry-dev/ferry/cmd/internal/logscli"
)

func main() {
	handoff.Arrived()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// This binary holds about 2 MiB before a drain (ferry some 9): 28 MiB
	// leaves a drain the same room as ferry's 48.
	logsCmd := logscli.NewCommand(logscli.Options{SoftMemoryLimit: 28 << 20})
	root := &cobra.Command{Use: "ferry", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(logsCmd)
	args := os.Args[1:]
	if len(args) == 0 || args[0] != logsCmd.Name() {
		args = append([]string{logsCmd.Name()}, args...)
	}
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var ex cli.Exit
		if !errors.As(err, &ex) {
			fmt.Fprintln(os.Stderr, "ferry:", err)
		}
		os.Exit(cli.ExitCode(err))
	}
}
