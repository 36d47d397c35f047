// Package tui is ferry's cockpit: bubbletea models over the engine's and the
// logs library's snapshots.
package tui
