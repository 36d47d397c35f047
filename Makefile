# ferry — make targets. The quick start is two commands: `make demo` and
# `make test`. Go from the machine's toolchain; see README.md.

GO       ?= go
BIN      := bin/ferry
LOGSBIN  := bin/ferry-logs
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
# ferry hands `ferry logs` over to the ferry-logs built with it (a binary
# without the AWS clients, half the memory): both carry this stamp.
HANDOFF  := -X github.com/ferry-dev/ferry/cmd/internal/handoff.Stamp=$(shell date +%s%N)
GOFILES  := $(shell find . -name '*.go' -not -path './sandbox/tools/*' 2>/dev/null)

.PHONY: build test demo sandbox-up sandbox-down sandbox-status bench lint clean

build: $(BIN)

$(BIN): $(GOFILES) go.mod go.sum
	$(GO) build -tags ferrylogs -ldflags '$(LDFLAGS) $(HANDOFF)' -o $(LOGSBIN) ./cmd/ferry-logs
	$(GO) build -ldflags '$(LDFLAGS) $(HANDOFF)' -o $(BIN) ./cmd/ferry

# The sandbox's tests run against real servers: start the shared sandbox
# first (building its binaries once, ~15 min cold), run everything with the
# race detector, and stop the sandbox again only if this target started it.
test: build
	@was_up=no; ./$(BIN) sandbox status >/dev/null 2>&1 && was_up=yes; \
	./$(BIN) sandbox up || exit $$?; \
	$(GO) test -race -count=1 ./... && \
	  (cd sandbox/tools/sandboxd && $(GO) test -race -count=1 ./...); rc=$$?; \
	if [ $$was_up = no ]; then ./$(BIN) sandbox down; fi; \
	exit $$rc

# The demo: the sandbox up, then the cockpit on it (q quits; on a terminal
# that is not one, the status table instead). The sandbox stays up for you to
# explore; `make sandbox-down` stops it.
demo: build
	./$(BIN) sandbox up
	@eval "$$(./$(BIN) sandbox env)" && \
	if [ -t 0 ] && [ -t 1 ]; then ./$(BIN); else ./$(BIN) status; fi

sandbox-up: build
	./$(BIN) sandbox up

sandbox-down: build
	./$(BIN) sandbox down

sandbox-status: build
	./$(BIN) sandbox status

# Benchmarks print their figures; each compares against its named baseline
# in the same run, one package after another (-p 1) so they do not compete
# for the cores. The sandbox ones start a private sandbox of their own (the
# shared one stays clean): the inventory's loads 1,000 Deployments per
# cluster (6-9 min on 2 cores), the logs' 100 pods with 10,000-line logs per
# cluster and installs stern v1.33.0 into the cache dir once (4-5 min). The
# log pane's render figures need no sandbox. The DynamoDB and S3 clones
# copy 10k and 100k items, 1k and 10k 1 KiB objects, by ferry's step and by
# a sequential one-request-per-item loop, with every AWS request held 5 ms
# (a same-region round trip; the small sizes also at 0 ms), printing the
# latency, items or objects/s, the speedup and both peak RSS (~23 min on 2
# busy cores, 14 of them the naive loop's 100k items).
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchtime 1x -timeout 60m ./engine/inventory/ ./cmd/ferry/
	$(GO) test -run '^$$' -bench BenchmarkView -benchtime 300x ./tui/logview/
	$(GO) test -p 1 -run '^$$' -bench 'BenchmarkTableCopy|BenchmarkBucketCopy' -benchtime 1x -timeout 60m ./engine/clone/dynamodb/ ./engine/clone/s3/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd sandbox/tools/sandboxd && $(GO) vet ./...

clean:
	rm -rf bin
