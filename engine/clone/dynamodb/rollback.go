package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Rollback deletes the table on the target when the clone created it, and
// only then: a table that was there before keeps its items and settings
// (the clone only added to it). It never calls the old account. The
// oldest table record decides, as it describes the state before the first
// apply; page records (resume points) are skipped.
func (s *tableStep) Rollback(ctx context.Context, undo []json.RawMessage, rec runbook.Recorder) error {
	first, err := s.firstTableRecord(undo)
	if err != nil {
		return err
	}
	switch {
	case first == nil:
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf(
			"the clone created no table on %s: nothing to delete (items it copied into a table that was there stay)", s.cfg.TargetLabel)})
		return nil
	case !first.Created:
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: fmt.Sprintf(
			"table %s existed on %s before the clone: left in place with its items (the clone's updates and copied items stay)", first.Table, s.cfg.TargetLabel)})
		return nil
	}
	msg, err := s.deleteTable(ctx, first.Table)
	if err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: msg})
	return nil
}

// firstTableRecord is the oldest table record, nil when there is none. A
// record for another table is refused: it was not saved by this step.
func (s *tableStep) firstTableRecord(undo []json.RawMessage) (*record, error) {
	want := s.targetName()
	for i, raw := range undo {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, s.fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		if r.Table != want {
			return nil, s.fail("undo record %d names table %q, not %s; it was not written by this step", i+1, r.Table, want)
		}
		if r.Kind == recordTable {
			return &r, nil
		}
	}
	return nil, nil
}

// deleteTable deletes table on the target, after checking its ARN names no
// old account: a target client pointed at the old account by mistake must
// not delete the source.
func (s *tableStep) deleteTable(ctx context.Context, table string) (string, error) {
	out, err := s.cfg.Target.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if notFound(err) {
		return fmt.Sprintf("table %s is already gone from %s", table, s.cfg.TargetLabel), nil
	}
	if err != nil {
		return "", s.fail("read %s on %s before deleting it: %w; roll back again", table, s.cfg.TargetLabel, err)
	}
	arn := aws.ToString(out.Table.TableArn)
	for old := range s.cfg.Mapping.Accounts {
		if strings.Contains(arn, ":"+old+":") {
			return "", s.fail("refusing to delete %s: its ARN %s is in the old account %s; the target's AWS profile points at the wrong account, fix it and roll back again", table, arn, old)
		}
	}
	if _, err := s.cfg.Target.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil && !notFound(err) {
		return "", s.fail("delete %s, which the clone created, on %s: %w; delete it by hand or roll back again", table, s.cfg.TargetLabel, err)
	}
	return fmt.Sprintf("deleted table %s, which the clone created, from %s", table, s.cfg.TargetLabel), nil
}
