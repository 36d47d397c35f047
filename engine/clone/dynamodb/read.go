package dynamodb

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableState is a table as one account has it now.
type tableState struct {
	exists bool
	desc   *types.TableDescription
	spec   tableSpec
}

// items is DescribeTable's item count: an estimate DynamoDB refreshes about
// every six hours.
func (t tableState) items() int64 {
	if t.desc == nil {
		return 0
	}
	return aws.ToInt64(t.desc.ItemCount)
}

// bytes is DescribeTable's size estimate.
func (t tableState) bytes() int64 {
	if t.desc == nil {
		return 0
	}
	return aws.ToInt64(t.desc.TableSizeBytes)
}

// view is both sides read just now and what stands between them.
type view struct {
	src, dst tableState
	want     tableSpec // the source's spec, mapped
	diff     tableDiff // empty when dst does not exist
}

// read describes the source table and its counterpart on the target.
func (s *tableStep) read(ctx context.Context) (view, error) {
	src, err := describe(ctx, s.cfg.Source, s.cfg.Name)
	if err != nil {
		return view{}, s.fail("read it in the old account: %w", err)
	}
	if !src.exists {
		return view{}, s.fail("no such table in the old account; check the name in the plan's resources")
	}
	v := view{src: src, want: mapSpec(s.cfg.Mapping, src.spec)}
	if v.dst, err = describe(ctx, s.cfg.Target, v.want.Name); err != nil {
		return view{}, s.fail("read %s on %s: %w", v.want.Name, s.cfg.TargetLabel, err)
	}
	if v.dst.exists {
		v.diff = diffSpecs(v.want, v.dst.spec)
	}
	return v, nil
}

// describe reads a table's settings, TTL and tags; a missing table is no
// error.
func describe(ctx context.Context, api SourceAPI, name string) (tableState, error) {
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if notFound(err) {
		return tableState{}, nil
	}
	if err != nil {
		return tableState{}, fmt.Errorf("describe table %s: %w", name, err)
	}
	ttl, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return tableState{}, fmt.Errorf("describe the TTL of table %s: %w", name, err)
	}
	tags, err := listTags(ctx, api, aws.ToString(out.Table.TableArn))
	if err != nil {
		return tableState{}, fmt.Errorf("list the tags of table %s: %w", name, err)
	}
	return tableState{exists: true, desc: out.Table, spec: specOf(out.Table, ttlAttribute(ttl.TimeToLiveDescription), tags)}, nil
}

// ttlAttribute is the attribute TTL is on, "" when off (or on its way off).
func ttlAttribute(d *types.TimeToLiveDescription) string {
	if d == nil {
		return ""
	}
	switch d.TimeToLiveStatus {
	case types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling:
		return aws.ToString(d.AttributeName)
	}
	return ""
}

func listTags(ctx context.Context, api SourceAPI, arn string) (map[string]string, error) {
	var tags map[string]string
	var next *string
	for {
		out, err := api.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn), NextToken: next})
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			if tags == nil {
				tags = map[string]string{}
			}
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if next = out.NextToken; next == nil || *next == "" {
			return tags, nil
		}
	}
}

func notFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}
