package logs

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTemplateMasks(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"int", "processed 42 items", "processed <n> items"},
		{"float", "load 0.75 of 1.5", "load <n> of <n>"},
		{"unit suffix", "rss 250MB", "rss <n>MB"},
		{"negative", "offset -12", "offset -<n>"},
		{"path segment", "GET /api/v1/customers/64058/invoices", "GET /api/v1/customers/<n>/invoices"},
		{"file name", "NoSuchKey: invoices/8812.pdf", "NoSuchKey: invoices/<n>.pdf"},
		{"hex 0x", "addr=0x18 pc=0x4a2f3c", "addr=<hex> pc=<hex>"},
		{"hex run", "acked receipt 3f9a2b7c1d0e3f9a2b7c1d0e", "acked receipt <n>"},
		{"hex run all decimal", "acked receipt 395287104303", "acked receipt <n>"},
		{"hex in path", "/api/v1/carts/a1b2c3d4e5f6/items", "/api/v1/carts/<n>/items"},
		{"uuid", "message 1b4e28ba-2fa1-41d2-883f-0016d3cca427 moved", "message <uuid> moved"},
		{"uuid starting with letters", "id fbcdeabc-2fa1-41d2-883f-0016d3cca427", "id <uuid>"},
		{"ipv4", "client: 10.1.218.216, server: _", "client: <ip>, server: _"},
		{"ipv4 port", "dial tcp 10.1.218.216:5672: connect: connection refused", "dial tcp <ip>: connect: connection refused"},
		{"ipv4 ports", "read tcp 10.0.3.4:41234->10.2.9.9:8080: reset", "read tcp <ip>-><ip>: reset"},
		{"ipv6", "dial tcp fe80::1: refused", "dial tcp <ip>: refused"},
		{"ipv6 loopback", "listen ::1 ok", "listen <ip> ok"},
		{"ipv6 bracket port", "dial [2001:db8::8a2e:370:7334]:443 ok", "dial <ip> ok"},
		{"ipv6 full", "from 2001:db8:0:0:0:ff00:42:8329", "from <ip>"},
		{"durations", "took 12ms then 1.5s then 3m20s then 250µs", "took <dur> then <dur> then <dur> then <dur>"},
		{"rfc3339", "at 2025-11-25T23:04:05.123Z done", "at <ts> done"},
		{"rfc3339 offset", "at 2025-11-25T23:04:05+01:00", "at <ts>"},
		{"date only", "since 2025-11-25", "since <ts>"},
		{"nginx error time", "2025/11/25 23:04:05 [error] 7#7: *123 connect() failed", "<ts> [error] <n>#<n>: *<n> connect() failed"},
		{"nginx access time", `10.0.0.1 - - [25/Nov/2025:23:04:05 +0000] "GET /healthz HTTP/1.1" 200`, `<ip> - - [<ts>] "GET /healthz HTTP/<n>" <n>`},
		{"clock", "retry at 23:04:05.250", "retry at <ts>"},
		{"pod name", "pod checkout-api-7d9f8b6c5-x2x9z ready", "pod checkout-api-<id> ready"},
		{"token", "token AbC9dE8fG7hI6jK5lM4 rejected", "token <id> rejected"},
		{"id key", "request_id=abc trace_id=\"x y\" requestId=q", "request_id=<id> trace_id=\"<id>\" requestId=<id>"},
		{"id key after dash", "x-request-id=QWERTY", "x-request-id=<id>"},
		{"email", "invite sent to ana.lopez+test@example.co.uk ok", "invite sent to <email> ok"},
		{"key value", "level=warn attempt=4 backoff=1600ms queue=default keys=3 version=1.3.5",
			"level=warn attempt=<n> backoff=<dur> queue=default keys=<n> version=<n>"},
		{"arn keeps region, masks account", "arn:aws:sqs:us-east-1:111111111111:refunds", "arn:aws:sqs:us-east-1:<n>:refunds"},
		{"queue url", "https://sqs.us-east-1.amazonaws.com/222222222222/refunds", "https://sqs.us-east-1.amazonaws.com/<n>/refunds"},
		{"zone", "node in us-east-1a", "node in us-east-1a"},
		{"go version", "go=go1.26.8", "go=go1.<n>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Template(tt.in); got != tt.want {
				t.Errorf("Template(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTemplateKeeps: words that carry the meaning must survive, digits
// inside a word that starts with a letter included.
func TestTemplateKeeps(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"GET POST PUT DELETE checkout-api fulfillment-worker refund-worker orders-fulfillment-dlq",
		"v1 ec2 s3 k8s sha256 x86_64 utf8 base64-encoded http2 sha256WithRSAEncryption",
		"connect: connection refused; context deadline exceeded",
		"std::vector Foo::Bar dead::beef deadline facade decade",
		"ConditionalCheckFailedException: The conditional request failed",
		`pq: duplicate key value violates unique constraint "orders_pkey"`,
		"valid=true uuid=none pid=PID",
		"kube-probe Go-http-client (X11; Linux x86_64)",
		"ünïcödé wörds — and emoji 🚀 stay",
		"", "-", "=", "@", "a@b", "[", "::", "[::", "arn:", "id=",
	} {
		if got := Template(in); got != in {
			t.Errorf("Template(%q) = %q, want it unchanged", in, got)
		}
	}
}

// sandboxTemplates are log lines from sandboxd's profiles
// (sandbox/tools/sandboxd/logs_profiles.go), with its placeholders.
var sandboxTemplates = []string{
	`level=error msg="connect to broker failed" err="dial tcp {ip}:5672: connect: connection refused" attempt={small} backoff={ms}ms`,
	`level=fatal msg="giving up on broker" err="dial tcp {ip}:5672: connect: connection refused" attempts=5`,
	`level=info msg="starting worker" version=1.{small}.{small} pid=1 go=go1.26.8`,
	"ERROR publish refund {n} to https://sqs.us-east-1.amazonaws.com/111111111111/refunds failed: AccessDenied: cross-account access denied (request id {uuid})",
	"INFO  [worker-{small}] processed message {uuid} in {ms}ms",
	"INFO  [worker-{small}] acked receipt {hex}{hex}",
	"WARN  [worker-{small}] retrying job {n} (attempt {small}) in {ms}ms: throttled",
	"ERROR [worker-{small}] job {n} failed after {ms}ms: ThrottlingException: Rate exceeded (RequestID {uuid})",
	"ERROR [worker-{small}] job {n} failed after {ms}ms: NoSuchKey: The specified key does not exist: invoices/{n}.pdf",
	"read tcp {ip}:{n}->{ip}:8080: read: connection reset by peer",
	`{time} [error] {small}#{small}: *{n} connect() failed (111: Connection refused) while connecting to upstream, client: {ip}, server: _, request: "GET /api/v1/orders/{n} HTTP/1.1", upstream: "http://{ip}:8080/"`,
	`{ip} - - [{nginxtime}] "POST /api/v1/carts/{hex}/items HTTP/1.1" {status} {n} "-" "python-requests/2.32.3" 0.0{ms}`,
	"main.(*consumer).handle(0x0, {0xc000{hex}, 0x{small}})",
	"{ip}:5432 is ready after {ms}ms",
}

// fillSandbox imitates sandboxd's lineGen.fill with its own generator.
func fillSandbox(tmpl string, rng *rand.Rand) string {
	r := strings.NewReplacer(
		"{uuid}", fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), 0x8000|rng.IntN(1<<14), rng.Uint64()&0xffffffffffff),
		"{n}", strconv.Itoa(rng.IntN(100000)),
		"{ms}", strconv.Itoa(1+rng.IntN(3000)),
		"{ip}", fmt.Sprintf("10.%d.%d.%d", rng.IntN(4), rng.IntN(256), 1+rng.IntN(254)),
		"{hex}", fmt.Sprintf("%012x", rng.Uint64()&0xffffffffffff),
		"{small}", strconv.Itoa(1+rng.IntN(9)),
		"{status}", strconv.Itoa([]int{200, 201, 304, 404, 500}[rng.IntN(5)]),
		"{time}", fmt.Sprintf("2025/%02d/%02d %02d:%02d:%02d", 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60)),
		"{nginxtime}", fmt.Sprintf("%02d/Nov/2025:%02d:%02d:%02d +0000", 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60)),
	)
	return r.Replace(tmpl)
}

// TestTemplateStable: lines that differ only in their variables share a
// template, and distinct messages do not.
func TestTemplateStable(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for i, tmpl := range sandboxTemplates {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			want := Template(fillSandbox(tmpl, rng))
			for range 500 {
				line := fillSandbox(tmpl, rng)
				if got := Template(line); got != want {
					t.Fatalf("unstable template for %q\n got %q\nwant %q", line, got, want)
				}
			}
		})
		got := Template(fillSandbox(tmpl, rand.New(rand.NewPCG(7, 7))))
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q share the template %q", tmpl, other, got)
		}
		seen[got] = tmpl
	}
}

func TestTemplateFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		keys []string
		want string
	}{
		{"request failed", []string{"status", "error", "method", "error"}, "request failed {error method status}"},
		{"job 42 done", nil, "job <n> done"},
	}
	for _, tt := range tests {
		keys := append([]string(nil), tt.keys...)
		if got := TemplateFields(tt.msg, tt.keys); got != tt.want {
			t.Errorf("TemplateFields(%q, %v) = %q, want %q", tt.msg, tt.keys, got, tt.want)
		}
		if strings.Join(keys, ",") != strings.Join(tt.keys, ",") {
			t.Errorf("TemplateFields reordered the caller's keys: %v", tt.keys)
		}
	}
}

// TestTemplateHostile: long and odd inputs end quickly and never panic.
func TestTemplateHostile(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		strings.Repeat("1", 1<<16), strings.Repeat("1.", 1<<15), strings.Repeat("a:", 1<<15),
		strings.Repeat("::", 1<<15), strings.Repeat("a1-", 1<<15), strings.Repeat("x@", 1<<15),
		strings.Repeat("id=", 1<<15), strings.Repeat("[", 1<<16), "\xff\xfe1\x00" + strings.Repeat("9", 99),
		"2025-11-25T", "2025/11/", "25/Nov/2025:", "1.2.3.", "0x", "12µ", "12\xc2",
	} {
		_ = Template(in) // must not panic or hang; -timeout catches a blow-up
	}
}

func BenchmarkTemplate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	lines := make([]string, 1024)
	var bytes int
	for i := range lines {
		lines[i] = fillSandbox(sandboxTemplates[i%len(sandboxTemplates)], rng)
		bytes += len(lines[i])
	}
	b.SetBytes(int64(bytes / len(lines)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		_ = Template(lines[i%len(lines)])
	}
	// CPU time, not wall time, is the figure to compare: on a shared
	// machine the wall clock measures the neighbours too.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "lines/cpu-s")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
