package main

import (
	"fmt"
	"strconv"
	"time"
)

// Template vocabulary: {uuid} {n} {ms} {ip} {hex} {small} {broker} {version}
// (see lineGen.value).
// Every template carries variable parts so that reducing lines to templates
// by masking numbers, ids and addresses has something to do.
var (
	httpPaths = []string{
		"/api/v1/orders/{n}", "/api/v1/orders", "/api/v1/payments/{uuid}",
		"/api/v1/carts/{hex}/items", "/api/v1/customers/{n}/invoices",
		"/healthz", "/readyz", "/metrics",
	}
	httpMethods  = []string{"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"}
	httpOK       = []int{200, 200, 200, 200, 201, 204, 304, 404}
	http5xx      = []int{500, 502, 503, 504}
	userAgents   = []string{"kube-probe/1.37", "Go-http-client/1.1", "curl/8.5.0", "python-requests/2.32.3", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"}
	workerQueues = []string{"default", "critical", "batch", "events"}

	upstreamErrors = []string{
		"context deadline exceeded",
		"dial tcp {ip}:5432: connect: connection refused",
		`pq: duplicate key value violates unique constraint "orders_pkey"`,
		"upstream returned 503 after {ms}ms",
		"read tcp {ip}:{n}->{ip}:8080: read: connection reset by peer",
	}
	jobErrors = []string{
		"ConditionalCheckFailedException: The conditional request failed",
		`RequestError: send request failed caused by: Post "https://sqs.us-east-1.amazonaws.com/": dial tcp {ip}:443: i/o timeout`,
		"ThrottlingException: Rate exceeded (RequestID {uuid})",
		"invalid payload for job {n}: unexpected end of JSON input",
		"NoSuchKey: The specified key does not exist: invoices/{n}.pdf",
	}
	workerPlainLines = map[string][]string{
		"debug": {"DEBUG [poller] long poll returned 0 messages after 20s", "DEBUG [worker-{small}] heartbeat inflight={small} rss_mb={ms}"},
		"info": {
			"INFO  [worker-{small}] processed message {uuid} in {ms}ms",
			"INFO  [worker-{small}] job {n} done: {small} items, {ms}ms",
			"INFO  [poller] received {small} messages, inflight={small}",
			"INFO  [worker-{small}] acked receipt {hex}{hex}",
		},
		"warn": {
			"WARN  [worker-{small}] retrying job {n} (attempt {small}) in {ms}ms: throttled",
			"WARN  [worker-{small}] extended visibility timeout of message {uuid} to 60s",
		},
		"error": {
			"ERROR [worker-{small}] job {n} failed after {ms}ms: ",
			"ERROR [worker-{small}] message {uuid} moved to dead-letter queue after 5 attempts: ",
		},
	}
	crashStartup = []string{
		`level=info msg="starting worker" version={version} pid=1 go=go1.26.8`,
		`level=info msg="loaded config" path=/etc/app/config.yaml keys={small}`,
		`level=info msg="metrics listening" addr=0.0.0.0:9090`,
		`level=info msg="connecting to broker" addr={broker}`,
	}
	crashFatal = []string{
		`level=fatal msg="giving up on broker" err="dial tcp {broker}: connect: connection refused" attempts=5`,
		"panic: runtime error: invalid memory address or nil pointer dereference\n" +
			"[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x4a2f3c]\n\n" +
			"goroutine 1 [running]:\nmain.(*consumer).handle(0x0, {0xc000{hex}, 0x{small}})\n" +
			"\t/src/internal/consumer/consumer.go:{n} +0x1c\nmain.main()\n\t/src/cmd/worker/main.go:{n} +0x2a5",
	}
	initLines = []string{
		"waiting for {ip}:5432 to accept connections",
		"{ip}:5432 is ready after {ms}ms",
		"applied {small} migrations in {ms}ms",
		"rendered /etc/app/config.yaml ({n} bytes)",
		"init done",
	}
)

// crashRetries is how many failed attempts a crashloop run logs before dying.
const crashRetries = 5

func (g *lineGen) httpJSON(now time.Time, level string) genLine {
	method, path := g.request()
	req := []field{{"method", method}, {"path", path}}
	tail := []field{{"request_id", g.uuid()}, {"remote_ip", g.fill("{ip}")}}
	var text string
	switch level {
	case "debug":
		text = jsonLine(now, level, g.pick([]string{"cache hit", "cache miss"}), field{"key", g.fill("session:{hex}")}, field{"took_ms", g.millis()})
	case "warn":
		fs := append(append(req, field{"status", 200}, field{"duration_ms", 1000 + g.rng.IntN(4000)}), tail...)
		text = jsonLine(now, level, "slow request", fs...)
	case "error":
		fs := append(append(req, field{"status", http5xx[g.rng.IntN(len(http5xx))]}, field{"duration_ms", g.millis()}), tail...)
		fs = append(fs, field{"error", g.fill(g.pick(upstreamErrors))})
		text = jsonLine(now, level, "request failed", fs...)
	default:
		if g.rng.IntN(8) == 0 {
			text = jsonLine(now, level, "db pool stats", field{"open", g.rng.IntN(20)}, field{"idle", g.rng.IntN(10)}, field{"wait_ms", g.millis()})
			break
		}
		fs := append(append(req, field{"status", httpOK[g.rng.IntN(len(httpOK))]}, field{"duration_ms", g.millis()}), tail...)
		text = jsonLine(now, level, "request completed", append(fs, field{"bytes", g.rng.IntN(20000)})...)
	}
	return genLine{stream: streamStdout, text: text}
}

// request picks a method and path; probes and scrapes are always GETs.
func (g *lineGen) request() (method, path string) {
	method, path = g.pick(httpMethods), g.fill(g.pick(httpPaths))
	if path == "/healthz" || path == "/readyz" || path == "/metrics" {
		method = "GET"
	}
	return method, path
}

// httpPlain imitates nginx: access lines on stdout, error-log lines (with
// their own timestamp) on stderr for warn and error.
func (g *lineGen) httpPlain(now time.Time, level string) genLine {
	method, path := g.request()
	request := method + " " + path + " HTTP/1.1"
	errPrefix := nginxErrorPrefix(g, now, level)
	switch level {
	case "warn":
		return genLine{stream: streamStderr, text: errPrefix + g.fill("an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/{small}/{n} while reading upstream, client: {ip}, server: _, request: \"") + request + `"`}
	case "error":
		cause := g.pick([]string{"connect() failed (111: Connection refused) while connecting to upstream", "upstream timed out (110: Connection timed out) while reading response header from upstream"})
		return genLine{stream: streamStderr, text: errPrefix + cause + g.fill(", client: {ip}, server: _, request: \"") + request + g.fill(`", upstream: "http://{ip}:8080/"`)}
	}
	status, agent := httpOK[g.rng.IntN(len(httpOK))], g.pick(userAgents)
	if level == "debug" {
		request, status, agent = "GET /healthz HTTP/1.1", 200, "kube-probe/1.37"
	}
	text := fmt.Sprintf(`%s - - [%s] "%s" %d %d "-" "%s" %.3f`, g.fill("{ip}"), now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		request, status, g.rng.IntN(20000), agent, float64(g.millis())/1000)
	return genLine{stream: streamStdout, text: text}
}

// nginxErrorPrefix starts an nginx error-log line: time, level, pid#tid and
// connection number.
func nginxErrorPrefix(g *lineGen, now time.Time, level string) string {
	return now.UTC().Format("2006/01/02 15:04:05") + " [" + level + "] " + g.fill("{small}#{small}: *{n} ")
}

func (g *lineGen) workerJSON(now time.Time, level string) genLine {
	q := field{"queue", g.queue}
	var text string
	switch level {
	case "debug":
		text = jsonLine(now, level, "polling queue", q, field{"wait_seconds", 20}, field{"messages", g.rng.IntN(3)})
	case "warn":
		text = jsonLine(now, level, "job retry scheduled", q, field{"job_id", g.uuid()}, field{"attempt", 2 + g.rng.IntN(3)}, field{"backoff_ms", g.millis() * 10})
	case "error":
		text = jsonLine(now, level, "job failed", q, field{"job_id", g.uuid()}, field{"attempt", 1 + g.rng.IntN(5)}, field{"error", g.fill(g.pick(jobErrors))})
	default:
		if g.rng.IntN(5) == 0 {
			text = jsonLine(now, level, "batch processed", q, field{"count", 1 + g.rng.IntN(10)}, field{"duration_ms", g.millis() * 5})
			break
		}
		text = jsonLine(now, level, "job completed", q, field{"job_id", g.uuid()}, field{"attempt", 1}, field{"duration_ms", g.millis()})
	}
	return genLine{stream: streamStdout, text: text}
}

func (g *lineGen) workerPlain(level string) genLine {
	text := g.fill(g.pick(workerPlainLines[level]))
	if level == "error" {
		text += g.fill(g.pick(jobErrors))
	}
	stream := streamStdout
	if level == "error" || level == "warn" {
		stream = streamStderr
	}
	return genLine{stream: stream, text: text}
}

// crashloop plays one run of a container that cannot reach its broker:
// startup lines, a few failed attempts, then a fatal line that ends the run.
func (g *lineGen) crashloop() genLine {
	i := g.phase
	g.phase++
	switch {
	case i < len(crashStartup):
		return genLine{stream: streamStdout, text: g.fill(crashStartup[i])}
	case i < len(crashStartup)+crashRetries:
		attempt := i - len(crashStartup) + 1
		return genLine{stream: streamStderr, text: g.fill(`level=error msg="connect to broker failed" err="dial tcp {broker}: connect: connection refused" attempt=`) +
			strconv.Itoa(attempt) + " backoff=" + strconv.Itoa(100<<attempt) + "ms"}
	}
	g.phase = 0
	return genLine{stream: streamStderr, text: g.fill(g.pick(crashFatal)), crash: true}
}

// initLog is the whole log of an init container: it ran once and finished.
func (g *lineGen) initLog() []genLine {
	out := make([]genLine, len(initLines))
	for i, t := range initLines {
		out[i] = genLine{stream: streamStdout, text: g.fill(t)}
	}
	return out
}
