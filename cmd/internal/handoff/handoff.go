// Package handoff passes `ferry logs` to ferry-logs, the same command in a
// binary without the AWS service clients, the runbook and the cockpit.
//
// ferry hands over from a package initialiser, before main: its other
// initialisers (client-go's schemes, the AWS SDK's service schemas and
// endpoint tables) would otherwise run first and leave some 50 MiB
// resident, a floor that survives exec. Go initialises packages in
// dependency order, the earliest import path first among those ready;
// this one imports a few basic packages of the standard library only, so
// it is ready, and runs, before any of them (TestHandoffBeforeHeavyInit in
// cmd/ferry holds that). Keep its imports so.
package handoff

import (
	"os"
	"strings"
	"syscall"
)

// Stamp is set by make build to one value in both binaries it builds. A
// ferry-logs from another build finds a different stamp on arrival and
// gives the command back. Empty (go build, go install): never hand off.
var Stamp = ""

const (
	// EnvInProcess, when set, keeps `ferry logs` in ferry.
	EnvInProcess = "FERRY_LOGS_IN_PROCESS"
	envStamp     = "FERRY_HANDOFF_STAMP" // the sender's Stamp; set: already handed over
	envFrom      = "FERRY_HANDOFF_FROM"  // the sender's path, to give the command back to
	leanName     = "ferry-logs"
)

func init() {
	if Stamp == "" || len(os.Args) < 2 || os.Args[1] != "logs" || os.Getenv(EnvInProcess) != "" || os.Getenv(envStamp) != "" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	// Not path/filepath: it is initialised late (see the package comment).
	lean := exe[:strings.LastIndexByte(exe, '/')+1] + leanName
	if lean == exe {
		return
	}
	if st, err := os.Stat(lean); err != nil || st.Mode()&0o111 == 0 {
		return
	}
	env := append(os.Environ(), envStamp+"="+Stamp, envFrom+"="+exe)
	// Exec returns only when it failed: ferry then runs the command itself.
	_ = syscall.Exec(lean, append([]string{lean}, os.Args[1:]...), env)
}

// Arrived is called first thing by ferry-logs. When ferry handed the
// command over from another build than this binary's, it gives it back
// (ferry runs it in-process) and does not return; otherwise it returns.
func Arrived() {
	from, stamp := os.Getenv(envFrom), os.Getenv(envStamp)
	if stamp == "" || stamp == Stamp || from == "" {
		return
	}
	// Exec returns only when it failed (the sender is gone): ferry-logs
	// then serves the command rather than fail it.
	_ = syscall.Exec(from, append([]string{from}, os.Args[1:]...), append(os.Environ(), EnvInProcess+"=1"))
}
