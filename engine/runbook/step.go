// Package runbook walks a migration one step at a time: each step is
// planned (a change set computed live), applied (idempotent, with
// progress), verified (named checks with evidence) and, when needed,
// rolled back from what the journal recorded. State is never kept in
// memory alone: it is derived from the append-only journal, so a crash
// mid-apply comes back as interrupted. A Lease in the target cluster keeps
// two ferry processes from applying at once.
package runbook

import (
	"context"
	"encoding/json"
	"time"
)

// Step is one unit of the runbook. Kinds (preflight, Kubernetes clone, and
// later AWS clones and cutover) implement it; the Runner does the rest:
// journal, lock, states, confirmation.
type Step interface {
	// ID is stable across runs and unique in a runbook, e.g.
	// "clone/payments/ledger"; the journal is keyed by it.
	ID() string
	// Kind names the step kind, e.g. "preflight", "clone-k8s".
	Kind() string
	// Title is one line for people: "Clone payments/ledger to EKS".
	Title() string
	// Deps are the IDs that must be applied (or verified) first.
	Deps() []string
	// Scope is the namespace and service the step belongs to ("" for
	// runbook-wide steps such as preflight), for filters.
	Scope() (namespace, service string)
	// Plan computes, live and without changing anything, what Apply would
	// do. Secret values never appear in it.
	Plan(ctx context.Context) (ChangeSet, error)
	// Apply makes the change. It must be idempotent: applying twice changes
	// nothing the second time. Before each write it saves, through rec,
	// what Rollback needs to undo that write, so even a crash mid-apply
	// can be rolled back.
	Apply(ctx context.Context, rec Recorder) error
	// Verify checks the step's outcome and says why with evidence.
	Verify(ctx context.Context) ([]Check, error)
	// Rollback undoes what Apply did, from the undo records saved since
	// the last completed rollback, oldest first (the oldest holds the state
	// before the first apply).
	Rollback(ctx context.Context, undo []json.RawMessage, rec Recorder) error
}

// Recorder is how a step reports while it applies or rolls back. Progress
// and Save write to the journal; Save is durable (fsynced) when it
// returns. Saved reads back what the step's applies saved since its last
// completed rollback, oldest first: where an interrupted copy resumes.
type Recorder interface {
	Progress(p Progress)
	Save(undo json.RawMessage) error
	Saved() ([]json.RawMessage, error)
}

// RollbackPlanner is a step that can say, before a rollback, what the
// rollback will delete or restore, from the undo records it would get: the
// change set the rollback's confirmation names. Steps without it get a
// generic one from the Runner.
type RollbackPlanner interface {
	PlanRollback(ctx context.Context, undo []json.RawMessage) (ChangeSet, error)
}

// Marker is implemented by the Recorder the Runner hands to steps: Mark
// journals msg at once as a marker record (a weight change, "cutover: 10%
// to EKS") and shows it as an event. It is a separate interface so step
// tests' recorders need not implement it.
type Marker interface {
	Mark(msg string) error
}

// Op is what a change does to one object or resource.
type Op string

// Change operations.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	OpNone   Op = "none" // already as wanted: applying changes nothing
)

// Change is one intended change with its before and after, rendered as
// YAML (or any text a diff can show), secrets redacted.
type Change struct {
	Op        Op     `json:"op"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Before    string `json:"before,omitempty"`
	After     string `json:"after,omitempty"`
}

// ChangeSet is a step's plan.
type ChangeSet struct {
	Step    string   `json:"step"`
	Changes []Change `json:"changes"`
	// Notes are things the operator should know that are not changes:
	// "messages do not move", "the sandbox cannot do X, planned Y instead".
	Notes []string `json:"notes,omitempty"`
}

// Progress is a step's report while applying.
type Progress struct {
	Done, Total int
	Message     string
}

// Check is one named verification with its evidence.
type Check struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Evidence string `json:"evidence"`
}

// State is where a step is, derived from the journal.
type State string

// Step states.
const (
	StatePending     State = "pending"
	StatePlanned     State = "planned"
	StateApplying    State = "applying"
	StateApplied     State = "applied"
	StateVerified    State = "verified"
	StateFailed      State = "failed"
	StateRolledBack  State = "rolled-back"
	StateSkipped     State = "skipped"
	StateInterrupted State = "interrupted" // an apply or rollback started and never finished
)

// Action is what an operator did to a step.
type Action string

// Actions, as the journal records them.
const (
	ActionPlan     Action = "plan"
	ActionApply    Action = "apply"
	ActionVerify   Action = "verify"
	ActionRollback Action = "rollback"
	ActionSkip     Action = "skip"
)

// Outcome is a journal record's result.
type Outcome string

// Outcomes.
const (
	OutcomeStarted  Outcome = "started"
	OutcomeProgress Outcome = "progress"
	OutcomeUndo     Outcome = "undo" // an undo record saved during apply
	// OutcomeMarker is a moment worth lining up with logs and metrics, such
	// as a traffic weight change; always journaled, never throttled.
	OutcomeMarker Outcome = "marker"
	OutcomeOK     Outcome = "ok"
	OutcomeFailed Outcome = "failed"
)

// Operator is who acted: the OS user and both sides' AWS callers.
type Operator struct {
	User      string `json:"user"`
	SourceARN string `json:"sourceArn,omitempty"`
	TargetARN string `json:"targetArn,omitempty"`
}

// Record is one journal line.
type Record struct {
	Time     time.Time       `json:"time"`
	Operator Operator        `json:"operator"`
	Step     string          `json:"step"`
	Action   Action          `json:"action"`
	Outcome  Outcome         `json:"outcome"`
	Summary  string          `json:"summary,omitempty"` // "3 create, 1 update" or a progress message
	Changes  []Change        `json:"changes,omitempty"` // without Before/After bodies
	Checks   []Check         `json:"checks,omitempty"`
	Undo     json.RawMessage `json:"undo,omitempty"`
	Error    string          `json:"error,omitempty"`

	// Run identifies the ferry process that wrote the record, so a reader
	// can tell an apply still running in a live process from one a crash
	// left open.
	Run string `json:"run,omitempty"`
	// UndoRef points at an undo payload in the undo store next to the
	// journal (OutcomeUndo records). The journal never holds the payload.
	UndoRef *UndoRef `json:"undoRef,omitempty"`
	// Done and Total are a progress record's counters.
	Done  int `json:"done,omitempty"`
	Total int `json:"total,omitempty"`
}

// UndoRef names one undo payload in the undo store and its checksum.
type UndoRef struct {
	File   string `json:"file"`   // base name inside <journal>.undo/
	SHA256 string `json:"sha256"` // hex digest of the payload bytes
}
