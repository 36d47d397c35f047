package dynamodb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// batchSize is BatchWriteItem's limit of write requests per call.
const batchSize = 25

// putAll writes items to table, batchSize at a time.
func (s *tableStep) putAll(ctx context.Context, table string, items []item) error {
	for i := 0; i < len(items); i += batchSize {
		if err := s.putBatch(ctx, table, items[i:min(i+batchSize, len(items))]); err != nil {
			return err
		}
	}
	return nil
}

// putBatch writes one batch, resending what DynamoDB leaves unprocessed
// (throttling, a partition's limit) after a capped, jittered, growing
// delay. Errors of the call itself are the SDK retryer's to retry.
func (s *tableStep) putBatch(ctx context.Context, table string, items []item) error {
	pending := make([]types.WriteRequest, len(items))
	for i, it := range items {
		pending[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	for attempt := 0; ; attempt++ {
		out, err := s.cfg.Target.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: pending}})
		if err != nil {
			return fmt.Errorf("write %d items to table %s: %w", len(pending), table, err)
		}
		if pending = out.UnprocessedItems[table]; len(pending) == 0 {
			return nil
		}
		if attempt+1 >= s.cfg.Retry.Attempts {
			return fmt.Errorf("write items to table %s: %d of a batch still unprocessed after %d attempts; "+
				"the table's write capacity is exhausted: raise it (or switch it to on-demand) and apply again, the copy resumes",
				table, len(pending), attempt+1)
		}
		if err := sleep(ctx, s.cfg.Retry.delay(attempt)); err != nil {
			return err
		}
	}
}

// delay is the wait before resend attempt+1: uniformly random below
// min(Cap, Base*2^attempt) ("full jitter"), so segments throttled together
// do not come back together.
func (r Retry) delay(attempt int) time.Duration {
	ceil := r.Cap
	if attempt < 30 && r.Base<<attempt < r.Cap {
		ceil = r.Base << attempt
	}
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
