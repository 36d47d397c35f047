package clonetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Calls is a fake AWS client's log of the calls it answered, one entry a
// call that starts with the operation's name ("TagQueue orders team"): a
// unit test's proof of what a step wrote, and that it wrote nothing where
// it must not. It is what OpLog is for a real client. The zero value is
// ready; it is safe for a fake called from several goroutines.
type Calls struct {
	mu    sync.Mutex
	calls []string
}

// Add logs a call.
func (c *Calls) Add(call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}

// Addf logs a call as fmt.Sprintf formats it.
func (c *Calls) Addf(format string, args ...any) { c.Add(fmt.Sprintf(format, args...)) }

// All are the calls logged so far, oldest first.
func (c *Calls) All() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// Writes are the logged calls that change something: all but the reads,
// as OpLog.Writes tells them by their operation's name.
func (c *Calls) Writes() []string {
	var out []string
	for _, call := range c.All() {
		if !isRead(call) {
			out = append(out, call)
		}
	}
	return out
}

// Count is how many calls of operation op were logged.
func (c *Calls) Count(op string) int {
	n := 0
	for _, call := range c.All() {
		if call == op || strings.HasPrefix(call, op+" ") {
			n++
		}
	}
	return n
}
