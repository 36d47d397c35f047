// Package dynamodb holds the runbook step that clones one DynamoDB table
// from the old AWS account to the new one: the table's settings (key
// schema, attribute definitions, global and local secondary indexes with
// their projections, billing mode and capacity, stream, TTL, tags) are read
// from the source, passed through the plan's mapping and created or updated
// on the target; items are then copied by a parallel segmented Scan into
// BatchWriteItem, resumable page by page after a crash. Tables above a size
// threshold are planned for AWS's own bulk path (export to S3 + import).
//
// Items are copied verbatim: the mapping applies to the table's name and
// configuration, never to the data in it.
package dynamodb

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of a DynamoDB table clone.
const Kind = "clone-dynamodb"

// PreflightStep is the step every clone depends on.
const PreflightStep = "preflight"

// Defaults for the zero values of TableConfig.
const (
	DefaultSegments = 4
	// DefaultPageSize is the Scan Limit. Every page costs a Scan round trip
	// and a saved resume point (a file and fsyncs in the undo store), and
	// verifying is nothing but pages, so small pages make the copy and its
	// check pay per item; AWS ends a page at 1 MB anyway, so the Limit only
	// bounds memory (Segments pages at once) for items under ~500 bytes. A
	// crash re-copies at most one page a segment.
	DefaultPageSize        = 2000
	DefaultNativeThreshold = 10 << 30 // 10 GiB: about an hour and a half of Scan/BatchWriteItem
	DefaultActiveTimeout   = 10 * time.Minute
)

// SourceAPI is the DynamoDB calls the step makes in the old account; it
// only ever reads there. *dynamodb.Client satisfies it.
type SourceAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// TargetAPI is the DynamoDB calls the step makes in the new account.
// *dynamodb.Client satisfies it.
type TargetAPI interface {
	SourceAPI
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
	DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	TagResource(ctx context.Context, in *dynamodb.TagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Retry bounds the resending of items BatchWriteItem leaves unprocessed:
// capped exponential backoff with full jitter.
type Retry struct {
	Base     time.Duration // first delay's ceiling; 50ms when 0
	Cap      time.Duration // largest delay; 5s when 0
	Attempts int           // BatchWriteItem calls per batch; 10 when 0
}

// TableConfig is what a table clone step needs.
type TableConfig struct {
	// Name is the table in the old account; its name in the new one comes
	// from Mapping.Names.
	Name string
	// Source and Target reach the old and the new account.
	Source SourceAPI
	Target TargetAPI
	// Mapping is the plan's mapping table.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the new account, e.g. "acme-platform".
	TargetLabel string
	// Segments is how many parallel Scan segments copy and verify the items,
	// and so how many pages are in memory at once (DefaultSegments when 0).
	Segments int
	// PageSize is the Scan Limit, items per page (DefaultPageSize when 0).
	PageSize int
	// NativeThreshold is the table size in bytes above which the plan is
	// AWS's export to S3 + import instead of Scan/BatchWriteItem
	// (DefaultNativeThreshold when 0; negative: never).
	NativeThreshold int64
	// Retry bounds resending unprocessed items.
	Retry Retry
	// ActiveTimeout bounds the wait for a new table to become ACTIVE
	// (DefaultActiveTimeout when 0); Poll is the wait's interval (2s when 0).
	ActiveTimeout, Poll time.Duration
	// Deps are steps to run first besides PreflightStep.
	Deps []string
}

// tableStep clones one table. It keeps no state between calls: every
// method reads both accounts again.
type tableStep struct {
	cfg TableConfig
}

// NewTableStep returns the runbook step that clones one DynamoDB table.
func NewTableStep(cfg TableConfig) runbook.Step {
	if cfg.TargetLabel == "" {
		cfg.TargetLabel = "the new account"
	}
	if cfg.Segments <= 0 {
		cfg.Segments = DefaultSegments
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.NativeThreshold == 0 {
		cfg.NativeThreshold = DefaultNativeThreshold
	}
	if cfg.ActiveTimeout <= 0 {
		cfg.ActiveTimeout = DefaultActiveTimeout
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	cfg.Retry = cfg.Retry.withDefaults()
	return &tableStep{cfg: cfg}
}

// ID is "aws/dynamodb/<source table name>".
func (s *tableStep) ID() string { return "aws/dynamodb/" + s.cfg.Name }

// Kind is "clone-dynamodb".
func (s *tableStep) Kind() string { return Kind }

// Title names the table and the target.
func (s *tableStep) Title() string {
	if to := s.targetName(); to != s.cfg.Name {
		return fmt.Sprintf("Clone DynamoDB table %s to %s as %s", s.cfg.Name, s.cfg.TargetLabel, to)
	}
	return fmt.Sprintf("Clone DynamoDB table %s to %s", s.cfg.Name, s.cfg.TargetLabel)
}

// Deps is preflight and the configured extra steps.
func (s *tableStep) Deps() []string {
	return append([]string{PreflightStep}, s.cfg.Deps...)
}

// Scope is runbook-wide: a table belongs to no one namespace.
func (s *tableStep) Scope() (namespace, service string) { return "", "" }

// targetName is the table's name in the new account.
func (s *tableStep) targetName() string { return mapName(s.cfg.Mapping, s.cfg.Name) }

// fail wraps an error with the table's name.
func (s *tableStep) fail(format string, args ...any) error {
	return fmt.Errorf("clone table %s: "+format, append([]any{s.cfg.Name}, args...)...)
}

func (r Retry) withDefaults() Retry {
	if r.Base <= 0 {
		r.Base = 50 * time.Millisecond
	}
	if r.Cap <= 0 {
		r.Cap = 5 * time.Second
	}
	if r.Attempts <= 0 {
		r.Attempts = 10
	}
	return r
}
