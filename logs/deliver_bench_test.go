package logs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkStreamRead is the per-line cost of a stream: split the kubelet's
// timestamp, dedupe, sanitize, parse JSON, count and add to the ring.
func BenchmarkStreamRead(b *testing.B) {
	var buf bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		fmt.Fprintf(&buf, "%s {\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"request completed\",\"method\":\"GET\",\"path\":\"/api/v1/orders/%d\",\"status\":200,\"duration_ms\":12,\"request_id\":\"3d940939-856b-4672-a70c-1144e6a9035a\",\"remote_ip\":\"10.1.180.231\",\"bytes\":10447}\n",
			t0.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), t0.Format(time.RFC3339Nano), i)
	}
	data := buf.Bytes()
	s := newSide(Config{}.withDefaults(), Source{Label: "A"}, Selector{}, NewRing(DefaultBufferLines))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		st := &stream{c: Container{"ns", "pod", "app"}, side: s}
		if n, err := st.read(strings.NewReader(string(data))); n != 10000 || err == nil {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/line")
}
