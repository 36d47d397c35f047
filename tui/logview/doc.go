// Package logview is the cockpit's log pane: one service's lines from both
// clusters, split or merged by time, pulled from a logs.Ring on a tick.
package logview
