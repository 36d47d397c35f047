package rds

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// poll reads where AWS is with something: state for people, done when it is
// finished.
type poll func(ctx context.Context) (state string, done bool, err error)

// phase is one phase's place in the progress: phase done of total.
type phase struct {
	done, total int
}

// wait polls p until done, reporting each read as progress, waiting Poll
// at first and twice as long each time up to MaxPoll: AWS takes minutes to
// hours, and a status read costs an API call. ctx ends the wait; apply
// again resumes it.
func (c *common) wait(ctx context.Context, rec runbook.Recorder, ph phase, what string, p poll) error {
	start, delay := time.Now(), c.poll
	for {
		state, done, err := p(ctx)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("%s: %s", what, state)
		if waited := time.Since(start).Round(time.Second); waited > 0 {
			msg += fmt.Sprintf(" (waited %s)", waited)
		}
		rec.Progress(runbook.Progress{Done: ph.done, Total: ph.total, Message: msg})
		if done {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return c.fail("stopped waiting for %s: %w; apply again to resume", what, context.Cause(ctx))
		}
		delay = min(2*delay, c.maxPoll)
	}
}

// snapshotReady polls a snapshot until it is available.
func (s *instanceStep) snapshotReady(api snapshotDescriber, account, id string) poll {
	return func(ctx context.Context) (string, bool, error) {
		sn, err := describeSnapshot(ctx, api, id)
		switch {
		case err != nil:
			return "", false, s.fail("account %s: %w", account, err)
		case sn == nil:
			return "", false, s.fail("snapshot %s vanished from account %s while AWS was making it; apply again to make it anew", id, account)
		}
		status := aws.ToString(sn.Status)
		if failedStatus(status) {
			return "", false, s.fail("AWS reports snapshot %s in account %s as %s; delete it there and apply again", id, account, status)
		}
		if status == "available" {
			return "available", true, nil
		}
		return fmt.Sprintf("%s, %d%%", status, aws.ToInt32(sn.PercentProgress)), false, nil
	}
}

// instanceReady polls an instance until it is available.
func (c *common) instanceReady(api instanceDescriber, account, id string) poll {
	return func(ctx context.Context) (string, bool, error) {
		in, err := describeInstance(ctx, api, id)
		switch {
		case err != nil:
			return "", false, c.fail("account %s: %w", account, err)
		case in == nil:
			return "", false, c.fail("DB instance %s is not in account %s (any more); apply again", id, account)
		}
		status := aws.ToString(in.DBInstanceStatus)
		if failedStatus(status) {
			return "", false, c.fail("AWS reports DB instance %s in account %s as %s; see its events in the RDS console, fix the cause, then roll back and apply again", id, account, status)
		}
		return status, status == "available", nil
	}
}

// instanceGone polls an instance in the new account until it no longer
// exists.
func (c *common) instanceGone(api instanceDescriber, id string) poll {
	return func(ctx context.Context) (string, bool, error) {
		in, err := describeInstance(ctx, api, id)
		if err != nil {
			return "", false, c.fail("%s: %w", c.onTarget(), err)
		}
		if in == nil {
			return "deleted", true, nil
		}
		return aws.ToString(in.DBInstanceStatus), false, nil
	}
}

// settled polls gone until it is done or its resource is in a state AWS
// lets it be deleted from: not while it is being created, modified or
// backed up.
func settled(gone poll) poll {
	return func(ctx context.Context) (string, bool, error) {
		status, done, err := gone(ctx)
		if err != nil || done {
			return status, done, err
		}
		return status, status == "available" || status == "stopped" || status == "deleting" || failedStatus(status), nil
	}
}

// visible polls the new account until it sees the shared snapshot.
func (s *instanceStep) visible(arn string) poll {
	return func(ctx context.Context) (string, bool, error) {
		ok, err := sharedWith(ctx, s.cfg.Target, arn)
		if err != nil {
			return "", false, s.fail("%s (account %s): %w", s.cfg.TargetLabel, s.cfg.TargetAccount, err)
		}
		if ok {
			return "shared", true, nil
		}
		return "not visible in account " + s.cfg.TargetAccount + " yet", false, nil
	}
}
