package tui

import (
	"context"
	"log/slog"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/cutover"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/tui/logview"
)

// Inventory is what the cockpit reads services from; *inventory.Inventory
// satisfies it, tests pass a fake.
type Inventory interface {
	Snapshot() inventory.Snapshot
	Changed() <-chan struct{}
	Objects(key string) (source, target []*unstructured.Unstructured)
}

// SideInfo is one side of the migration as the header shows it. It is
// filled once by cmd/ferry from the plan and the connection.
type SideInfo struct {
	Label   string // the plan's label, e.g. "KOPS"
	Color   string // "#rrggbb" or an ANSI 256-colour number; "" for the default
	Cluster string // kube context, or "eks:NAME (REGION)"
	Account string // AWS account id ferry is acting in
	Caller  string // caller ARN
	// Expires is when the side's credential lapses (the sooner of the AWS
	// credentials and the cluster token); zero when it does not.
	Expires time.Time
	// IdentityErr is why the identity could not be read, "" when it was.
	IdentityErr string
}

// LogStarter starts streaming one service's logs from both clusters; a
// *logs.Tail is the real feed. It streams until ctx ends; the cockpit
// cancels it when the logs screen closes.
type LogStarter func(ctx context.Context, pair inventory.Pair) (logview.Feed, error)

// Runbook is what the runbook screen drives; *runbook.Runner satisfies it.
type Runbook interface {
	Snapshot() runbook.Snapshot
	Changed() <-chan struct{}
	Plan(ctx context.Context, id string) (runbook.ChangeSet, error)
	Apply(ctx context.Context, id string) error
	Verify(ctx context.Context, id string) ([]runbook.Check, error)
	Rollback(ctx context.Context, id string) error
	Skip(ctx context.Context, id, reason string) error
	// PlanRollback says what rolling id back would delete or restore,
	// for the rollback's confirmation.
	PlanRollback(ctx context.Context, id string) (runbook.ChangeSet, error)
	// RequestStop stops what keeps this ferry from changing the runbook:
	// its own apply in flight, or the ferry holding the lock, asked to let
	// go (the next change then waits for it). via says from where, for
	// the journal; the answer is who was stopped, "" for nobody.
	RequestStop(ctx context.Context, via string) (string, error)
}

// Cutover is the plan's traffic shift as the cutover screen shows it: the
// live status of its routers and gates, and its stages. The stages are
// runbook steps, so the screen applies and rolls them back through the
// Runbook by ID; Cutover itself only reports. cmd/ferry implements it over
// the *cutover.Board its stages write to and the plan's cutover section.
type Cutover interface {
	// Status is a copy of the board (cutover.Board.Snapshot): each router's
	// weights as last read, the gates' latest results, and the stage this
	// ferry is applying with its phase and dwell. No IO.
	Status() cutover.Status
	// Changed fires, coalesced, after Status changed (cutover.Board.Changed).
	// The cutover screen is its only reader.
	Changed() <-chan struct{}
	// Stages are the cutover's stages in order, without the implicit 0%.
	Stages() []CutoverStage
	// Refresh reads every router and asks every gate now, outside any stage
	// (cutover.Refresh), then updates Status. It does IO (AWS, probes): the
	// screen calls it off the loop, when it opens and every 15 s while no
	// stage applies, and it must return soon after ctx ends.
	Refresh(ctx context.Context)
}

// CutoverStage is one stage of the cutover, as cutover.StageStep says it.
type CutoverStage struct {
	ID      string        // the runbook step, cutover.StepID: "cutover/orders-api/10"
	Percent int           // of the traffic the stage sends to the target
	Dwell   time.Duration // how long it holds with the gates watched
	Auto    bool          // starts without confirmation once the stage before it completes
}

// Config is everything the cockpit needs; cmd/ferry builds it.
type Config struct {
	Environment string // the plan's environment name, shown in the header
	Protected   bool   // the environment is protected
	PlanFile    string
	Source      SideInfo
	Target      SideInfo
	Mapping     rewrite.Mapping
	Inventory   Inventory
	Logs        LogStarter // nil: the logs screen says logs are unavailable
	Runbook     Runbook    // nil: the runbook screen says it is unavailable, and why
	RunbookErr  string     // why there is no Runbook, e.g. the journal could not be read
	Cutover     Cutover    // nil: the plan has no cutover section, and the cutover screen says how to add one
	ReadOnly    bool
	NoColor     bool
	Log         *slog.Logger     // diagnostics; nil discards them
	Now         func() time.Time // nil: time.Now; tests pin it for golden screens
}
