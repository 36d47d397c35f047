package route53

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// undoRecord is what Apply saves before a write, and all Rollback needs to
// undo it, in a later process too.
type undoRecord struct {
	// Zone is the zone's name in the new account, Account that account.
	Zone    string `json:"zone"`
	Account string `json:"account"`
	// CreatedZone says the write creates the zone, with CallerReference:
	// undone by deleting the zone once the clone's records are gone.
	CreatedZone     bool   `json:"createdZone,omitempty"`
	CallerReference string `json:"callerReference,omitempty"`
	// ZoneID and Records describe one change batch: each record set as it
	// was before (absent when nil) and as the batch writes it.
	ZoneID  string      `json:"zoneId,omitempty"`
	Records []undoEntry `json:"records,omitempty"`
}

// UndoTarget is the zone and account the write went to.
func (u undoRecord) UndoTarget() (name, account string) { return u.Zone, u.Account }

type undoEntry struct {
	Key    key                      `json:"key"`
	Before *types.ResourceRecordSet `json:"before,omitempty"`
	After  *types.ResourceRecordSet `json:"after,omitempty"`
}

// Apply creates the target zone when absent, then writes the record sets
// that differ from the mapped source's, batch by batch, saving each
// batch's undo record before sending it. A second Apply writes nothing;
// one cut short resumes where the last batch that went through left off.
// Records that cannot be mapped are left out; Verify names them.
func (s *zoneStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	sd, err := s.read(ctx)
	if err != nil {
		return err
	}
	if err := s.needPublicOrExisting(sd); err != nil {
		return err
	}
	if sd.dst == nil {
		if err := s.createZone(ctx, sd, rec); err != nil {
			return err
		}
		if sd, err = s.read(ctx); err != nil {
			return err
		}
		if sd.dst == nil {
			return s.Fail("zone %s was created in %s but cannot be found by name; apply again", s.NewName, s.TargetLabel)
		}
	}
	edits, _ := diff(sd.want, sd.dstRecs)
	bs, err := batches(edits, s.limits)
	if err != nil {
		return s.Fail("%w", err)
	}
	for i, b := range bs {
		if err := s.send(ctx, rec, sd.dst.id, b); err != nil {
			return s.Fail("batch %d of %d (%s): %w; Route 53 applies a batch whole or not at all: fix what it says and apply again, which sends only what is still missing",
				i+1, len(bs), keysText(b), err)
		}
		rec.Progress(runbook.Progress{Done: i + 1, Total: len(bs), Message: fmt.Sprintf("wrote %d record sets to zone %s in %s", len(b), s.NewName, s.TargetLabel)})
	}
	msg := fmt.Sprintf("zone %s in %s holds the %d mapped record sets", s.NewName, s.TargetLabel, len(sd.want))
	if len(bs) == 0 {
		msg = fmt.Sprintf("unchanged zone %s in %s: its %d mapped record sets were already there", s.NewName, s.TargetLabel, len(sd.want))
	}
	if n := len(sd.unmapped); n > 0 {
		msg += fmt.Sprintf("; %d not copied (see the plan's notes)", n)
	}
	rec.Progress(runbook.Progress{Done: len(bs), Total: len(bs), Message: msg})
	return nil
}

// createZone creates the public target zone. Its CallerReference is the
// one an earlier, interrupted apply saved, if any, so a retried create
// cannot make a second zone.
func (s *zoneStep) createZone(ctx context.Context, sd *sides, rec runbook.Recorder) error {
	ref, err := s.callerReference(rec)
	if err != nil {
		return err
	}
	if err := s.Save(rec, undoRecord{Zone: s.NewName, Account: s.TargetAccount, CreatedZone: true, CallerReference: ref}); err != nil {
		return err
	}
	in := &route53.CreateHostedZoneInput{Name: aws.String(s.NewName), CallerReference: aws.String(ref)}
	if sd.src.comment != "" {
		in.HostedZoneConfig = &types.HostedZoneConfig{Comment: aws.String(sd.src.comment)}
	}
	_, err = s.cfg.Target.CreateHostedZone(ctx, in)
	var exists *types.HostedZoneAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return s.Fail("create zone %s in %s: %w; fix what Route 53 says and apply again", s.NewName, s.TargetLabel, err)
	}
	rec.Progress(runbook.Progress{Message: fmt.Sprintf("created zone %s in %s", s.NewName, s.TargetLabel)})
	return nil
}

// callerReference reuses the reference of a zone creation saved since the
// last rollback, or makes a new one: Route 53 wants one per zone ever
// created, so a rolled-back zone's is never used again.
func (s *zoneStep) callerReference(rec runbook.Recorder) (string, error) {
	saved, err := rec.Saved()
	if err != nil {
		return "", s.Fail("read the undo records saved so far: %w; fix the journal's storage and apply again", err)
	}
	for _, raw := range saved {
		var u undoRecord
		if json.Unmarshal(raw, &u) == nil && u.CreatedZone && u.Zone == s.NewName && u.CallerReference != "" {
			return u.CallerReference, nil
		}
	}
	nonce := make([]byte, 8)
	if _, err := rand.Read(nonce); err != nil {
		return "", s.Fail("make a caller reference: %w", err)
	}
	return "ferry-" + hex.EncodeToString(nonce), nil
}

// send saves the batch's undo record, then writes the batch.
func (s *zoneStep) send(ctx context.Context, rec runbook.Recorder, zoneID string, batch []edit) error {
	u := undoRecord{Zone: s.NewName, Account: s.TargetAccount, ZoneID: zoneID}
	for _, e := range batch {
		u.Records = append(u.Records, undoEntry{Key: e.key, Before: e.before, After: e.after})
	}
	if err := s.Save(rec, u); err != nil {
		return err
	}
	_, err := s.cfg.Target.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch:  &types.ChangeBatch{Comment: aws.String("ferry " + s.ID()), Changes: changes(batch)},
	})
	return err
}
