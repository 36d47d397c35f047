package main

import (
	"errors"
	"strconv"
)

// Exit codes ferry's commands share.
const (
	exitOK       = 0
	exitFindings = 1 // --fail-on matched: drift or references found
	exitUsage    = 2 // bad flags, a bad plan, a failure to do the job
)

// exitError ends ferry with a specific exit code after the command has
// already said what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit status " + strconv.Itoa(e.code) }

// usageError marks a bad flag or plan; main prints it and exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	return exitUsage
}
