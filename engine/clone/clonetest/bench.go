package clonetest

import (
	"context"
	"testing"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// RoundTripMs is the latency the clone benchmarks give every AWS request,
// in milliseconds: a same-region round trip to AWS, at the low end of the
// usual 5-20 ms. Loopback has none, which hides what a parallel copy gains
// over a sequential one; more would flatter the parallel copy further.
const RoundTripMs = 5

// The sandbox's AWS emulator (kumo) snapshots a changed account to disk
// every KUMO_PERSIST_FLUSH_INTERVAL_MS, 100 ms as ferry-sandboxd sets it
// unless it is set already, by marshalling the whole account under the
// lock every write takes. With 10,000 items in a table a PutItem then
// waits ~100 ms instead of ~1 ms, and more as the account grows: the
// emulator's cost, which AWS does not have, would swamp both copies. A
// benchmark's private sandbox is thrown away after, so it snapshots once
// an hour, make bench's timeout: never during a run (the sandbox stops it
// with SIGKILL rather than wait).
const (
	snapshotEnv     = "KUMO_PERSIST_FLUSH_INTERVAL_MS"
	benchSnapshotMS = "3600000"
)

// BenchSandbox is a private sandbox for a clone benchmark
// (sandboxtest.Isolated) whose emulator snapshots its accounts rarely. The
// package's TestMain must call sandboxtest.Main.
func BenchSandbox(b *testing.B) *sandboxtest.Env {
	b.Helper()
	b.Setenv(snapshotEnv, benchSnapshotMS)
	return sandboxtest.Isolated(b)
}

// SetLatency has both accounts of env hold every AWS request ms
// milliseconds before serving it (sandbox.AWSFaults.LatencyMs), without
// faults, until the next SetLatency or the end of tb, which sets 0 again.
// Both sides of a comparison run under the same latency.
func SetLatency(tb testing.TB, env *sandboxtest.Env, ms int) {
	tb.Helper()
	cfg := env.SB.Config()
	set := func(ctx context.Context, ms int) error {
		for _, side := range sides {
			if _, err := cfg.SetAWSFaults(ctx, sandboxtest.Side(tb, side), sandbox.AWSFaults{LatencyMs: ms}); err != nil {
				return err
			}
		}
		return nil
	}
	if err := set(tb.Context(), ms); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		// Not tb's context: it has ended by the time cleanups run.
		if err := set(context.Background(), 0); err != nil {
			tb.Error(err)
		}
	})
}
