package clonetest

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// OpLog records the AWS operations of the clients it is an option of, once
// per operation however often the retryer sends it: a test's proof of what
// a step wrote, and that it wrote nothing where it must not. The zero value
// is ready; it is safe for clients used from several goroutines.
type OpLog struct {
	mu  sync.Mutex
	ops []string
}

// Config is cfg with every operation of the clients made from it recorded
// in l, whatever the service: the SDK copies a config's APIOptions into
// each client.
func (l *OpLog) Config(cfg aws.Config) aws.Config {
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), l.record)
	return cfg
}

// record adds the recording middleware to a client's stack. It sits in the
// Initialize step, which runs once per operation, before the retry loop.
func (l *OpLog) record(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("ferry-test-oplog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			l.mu.Lock()
			l.ops = append(l.ops, awsmiddleware.GetOperationName(ctx))
			l.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// Len is how many operations were recorded so far: a mark to pass to
// Writes for only what comes after it.
func (l *OpLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ops)
}

// Writes are the recorded operations from the from'th on that change
// something: all but reads, whose names start Get, List or Describe in
// every AWS API.
func (l *OpLog) Writes(from int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, op := range l.ops[from:] {
		if !isRead(op) {
			out = append(out, op)
		}
	}
	return out
}

func isRead(op string) bool {
	for _, prefix := range []string{"Get", "List", "Describe", "Head", "Scan", "Query"} {
		if strings.HasPrefix(op, prefix) {
			return true
		}
	}
	return false
}
