package main

import "github.com/ferry-dev/ferry/cmd/internal/cli"

// Exit codes ferry's commands share.
const (
	exitOK       = cli.ExitOK
	exitFindings = cli.ExitFindings
	exitUsage    = cli.ExitUsage
)

// exitError ends ferry with a specific exit code after the command has
// already said what went wrong.
type exitError = cli.Exit

// usageError marks a bad flag or plan; main prints it and exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int { return cli.ExitCode(err) }
