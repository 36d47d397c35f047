// Package logs streams container logs from both clusters at once: pod
// discovery per cluster, streams that reconnect and resume, a bounded ring
// and views the CLI and the TUI share. It never imports the TUI.
package logs
