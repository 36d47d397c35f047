package dynamodb

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// pageFunc handles one page of a segment: its items and the key to resume
// after (nil on the segment's last page). It runs in the segment's
// goroutine, so the segment scans no further until it returns.
type pageFunc func(ctx context.Context, seg int, items []item, last item) error

// scanJob is a parallel segmented Scan of one table. Each segment has its
// own goroutine and at most one page in memory: Segments pages in all,
// however big the table.
type scanJob struct {
	api      SourceAPI
	table    string
	segments int
	pageSize int
	// from is where each segment starts; nil starts all at the beginning,
	// a done segment is skipped.
	from []segState
	page pageFunc
}

// run scans every segment and returns the first error, cancelling the
// other segments.
func (j scanJob) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for seg := range j.segments {
		var start item
		if j.from != nil {
			if j.from[seg].done {
				continue
			}
			start = j.from[seg].after
		}
		wg.Go(func() {
			if err := j.segment(ctx, seg, start); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// segment scans one segment from start to its end.
func (j scanJob) segment(ctx context.Context, seg int, start item) error {
	for {
		out, err := j.api.Scan(ctx, &dynamodb.ScanInput{
			TableName: aws.String(j.table), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(int32(j.segments)),
			Limit: aws.Int32(int32(j.pageSize)), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("scan segment %d of %d of table %s: %w", seg, j.segments, j.table, err)
		}
		if err := j.page(ctx, seg, out.Items, out.LastEvaluatedKey); err != nil {
			return err
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		start = out.LastEvaluatedKey
	}
}
