// Command ferry is a terminal cockpit for migrating services from one
// Kubernetes cluster to another — above all from KOPS in an old AWS account
// to EKS in a new one.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	_ "github.com/ferry-dev/ferry/cmd/internal/handoff" // before any other initialiser: see the package
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := startProfile()
	err := newRootCmd().ExecuteContext(ctx)
	stopProfile()
	if err != nil {
		var ex exitError
		if !errors.As(err, &ex) {
			fmt.Fprintln(os.Stderr, "ferry:", err)
		}
		os.Exit(exitCode(err))
	}
}

// startProfile writes a CPU profile to $FERRY_CPUPROFILE and a heap profile
// to $FERRY_MEMPROFILE (taken at exit), for measuring ferry where a flag
// would clutter --help. It returns the function that finishes them.
func startProfile() func() {
	cpu, mem := os.Getenv("FERRY_CPUPROFILE"), os.Getenv("FERRY_MEMPROFILE")
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err == nil && pprof.StartCPUProfile(f) != nil {
			f.Close()
			f = nil
		}
	}
	return func() {
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
		if mem != "" {
			if m, err := os.Create(mem); err == nil {
				runtime.GC()
				_ = pprof.Lookup("allocs").WriteTo(m, 0)
				m.Close()
			}
		}
	}
}
