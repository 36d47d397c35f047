package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Apply creates the table on the target when it is absent (saving that it
// did first, so Rollback knows to delete it), or updates what differs and
// can be updated; then copies the items. A second Apply finds the table as
// wanted and puts the same items again, which changes nothing.
func (s *tableStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	v, err := s.read(ctx)
	if err != nil {
		return err
	}
	if s.native(v) {
		return s.fail("it is %s, above the native threshold of %s: the export/import path is planned but this build does not run it; "+
			"export and import it by hand, or raise the threshold to copy it by Scan", sizeText(v.src.bytes(), v.src.items()), sizeText(s.cfg.NativeThreshold, 1))
	}
	if len(v.diff.fixed) > 0 {
		return s.fail("table %s on %s differs in ways no update can fix (%s); delete it there, or map the table to another name, and apply again",
			v.want.Name, s.cfg.TargetLabel, strings.Join(v.diff.fixed, "; "))
	}
	switch {
	case !v.dst.exists:
		err = s.create(ctx, v, rec)
	case !v.diff.empty():
		err = s.update(ctx, v, rec)
	}
	if err != nil {
		return err
	}
	return s.copyItems(ctx, v, rec)
}

// create makes the table, waits until it is ACTIVE, and turns TTL on.
func (s *tableStep) create(ctx context.Context, v view, rec runbook.Recorder) error {
	if err := s.saveTable(rec, record{Kind: recordTable, Table: v.want.Name, Created: true}); err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Message: "creating table " + v.want.Name})
	if _, err := s.cfg.Target.CreateTable(ctx, v.want.createInput()); err != nil {
		return s.fail("create %s on %s: %w; plan again to see what is there now", v.want.Name, s.cfg.TargetLabel, err)
	}
	if err := s.waitActive(ctx, v.want.Name, rec); err != nil {
		return err
	}
	return s.setTTL(ctx, ttlCalls(v.want.Name, "", v.want.TTL))
}

// update makes the differences go, one UpdateTable call at a time (each
// waits for the table to be ACTIVE again, as DynamoDB requires).
func (s *tableStep) update(ctx context.Context, v view, rec runbook.Recorder) error {
	prior := v.dst.spec
	if err := s.saveTable(rec, record{Kind: recordTable, Table: v.want.Name, Prior: &prior}); err != nil {
		return err
	}
	rec.Progress(runbook.Progress{Message: fmt.Sprintf("updating table %s: %s", v.want.Name, strings.Join(v.diff.changes, ", "))})
	for _, in := range v.diff.calls {
		if _, err := s.cfg.Target.UpdateTable(ctx, in); err != nil {
			return s.fail("update %s on %s: %w; plan again to see what is left to change", v.want.Name, s.cfg.TargetLabel, err)
		}
		if err := s.waitActive(ctx, v.want.Name, rec); err != nil {
			return err
		}
	}
	if err := s.setTTL(ctx, v.diff.ttl); err != nil {
		return err
	}
	return s.tag(ctx, aws.ToString(v.dst.desc.TableArn), v.diff.tags)
}

func (s *tableStep) saveTable(rec runbook.Recorder, r record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return s.fail("encode the undo record: %w", err)
	}
	if err := rec.Save(raw); err != nil {
		return s.fail("save the undo record of %s before changing it: %w; nothing was changed, fix the journal's storage and apply again", r.Table, err)
	}
	return nil
}

func (s *tableStep) setTTL(ctx context.Context, calls []*dynamodb.UpdateTimeToLiveInput) error {
	for _, in := range calls {
		if _, err := s.cfg.Target.UpdateTimeToLive(ctx, in); err != nil {
			return s.fail("set TTL on %s (%s): %w; DynamoDB allows one TTL change per table per hour, apply again later",
				aws.ToString(in.TableName), aws.ToString(in.TimeToLiveSpecification.AttributeName), err)
		}
	}
	return nil
}

func (s *tableStep) tag(ctx context.Context, arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	in := &dynamodb.TagResourceInput{ResourceArn: aws.String(arn)}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if _, err := s.cfg.Target.TagResource(ctx, in); err != nil {
		return s.fail("tag %s: %w; apply again", arn, err)
	}
	return nil
}

// waitActive polls until the table and its global indexes are ACTIVE.
func (s *tableStep) waitActive(ctx context.Context, table string, rec runbook.Recorder) error {
	start := time.Now()
	for {
		out, err := s.cfg.Target.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return s.fail("wait for %s to become ACTIVE: %w; apply again", table, err)
		}
		status := pendingStatus(out.Table)
		if status == "" {
			return nil
		}
		waited := time.Since(start)
		if waited > s.cfg.ActiveTimeout {
			return s.fail("%s is still %s after %s; check it in the AWS console, then apply again", table, status, waited.Round(time.Second))
		}
		rec.Progress(runbook.Progress{Message: fmt.Sprintf("waiting for table %s: %s (%s)", table, status, waited.Round(time.Second))})
		if err := sleep(ctx, s.cfg.Poll); err != nil {
			return s.fail("wait for %s to become ACTIVE: %w", table, err)
		}
	}
}

// pendingStatus says what is not ACTIVE yet, "" when everything is.
func pendingStatus(d *types.TableDescription) string {
	if d.TableStatus != types.TableStatusActive {
		return "table " + string(d.TableStatus)
	}
	for _, g := range d.GlobalSecondaryIndexes {
		if g.IndexStatus != "" && g.IndexStatus != types.IndexStatusActive {
			return "index " + aws.ToString(g.IndexName) + " " + string(g.IndexStatus)
		}
	}
	return ""
}
