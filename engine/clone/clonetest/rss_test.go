package clonetest

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestMeasure: a phase that touches 64 MiB peaks at least that much above
// the resting set, the next phase's peak no longer holds it, and the time
// and fn's error come back. Not parallel: another test's memory would
// count in the peaks.
func TestMeasure(t *testing.T) {
	const size = 64 << 20
	rest, err := Measure(func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	big, err := Measure(func() error {
		b := make([]byte, size)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		runtime.KeepAlive(b)
		time.Sleep(20 * time.Millisecond) // longer than a sample's interval
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if big.PeakMiB < rest.PeakMiB+size>>20*9/10 {
		t.Errorf("peak %.1f MiB touching 64 MiB, resting %.1f MiB: the 64 MiB went unseen", big.PeakMiB, rest.PeakMiB)
	}
	want := errors.New("copy failed")
	after, err := Measure(func() error { time.Sleep(30 * time.Millisecond); return want })
	if !errors.Is(err, want) {
		t.Errorf("error %v, want fn's", err)
	}
	if after.Took < 30*time.Millisecond {
		t.Errorf("took %s for a 30ms phase", after.Took)
	}
	if after.PeakMiB > big.PeakMiB-size>>20/2 {
		t.Errorf("peak %.1f MiB after a 64 MiB phase that peaked at %.1f MiB: the earlier phase still counts", after.PeakMiB, big.PeakMiB)
	}

	var sum Phase
	sum.Add(big)
	sum.Add(after)
	if sum.Took != big.Took+after.Took || sum.PeakMiB != big.PeakMiB {
		t.Errorf("Add: %+v, want the times summed and the higher peak %.1f", sum, big.PeakMiB)
	}
}

// TestRSSMiB: the readings the sampling fallback (a /proc without
// clear_refs) and the kernel's peak rely on.
func TestRSSMiB(t *testing.T) {
	t.Parallel()
	mib, err := rssMiB()
	if err != nil || mib <= 0 {
		t.Errorf("rssMiB = %v, %v; want the resident set", mib, err)
	}
	kib, err := statusKiB("VmRSS")
	if err != nil || kib <= 0 {
		t.Errorf("statusKiB(VmRSS) = %v, %v", kib, err)
	}
	if d := mib - kib/1024; d > 8 || d < -8 {
		t.Errorf("statm says %.1f MiB resident, status %.1f MiB: want the same reading", mib, kib/1024)
	}
	if _, err := statusKiB("NoSuchLine"); err == nil {
		t.Error("statusKiB of a missing line: no error")
	}
}
