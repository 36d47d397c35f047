package s3

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kinds of record Apply saves through Recorder.Save.
const (
	recordBucket  = "bucket"  // before the bucket is created: Rollback deletes it
	recordPart    = "part"    // before a configuration part is replaced: its prior value
	recordIntent  = "intent"  // before a page's objects are copied: the keys, for Rollback
	recordThrough = "through" // after a page: every key up to After is on the target
	recordCopied  = "copied"  // the copy finished: the next apply lists afresh
)

// record is one payload Apply saves. The runbook keeps payloads in its
// 0600 undo store, never in the journal: keys are data.
type record struct {
	Kind    string   `json:"kind"`
	Bucket  string   `json:"bucket"` // on the target
	Created bool     `json:"created,omitempty"`
	Part    string   `json:"part,omitempty"`
	Prior   string   `json:"prior,omitempty"` // the part's value before, "" for none
	Copy    string   `json:"copy,omitempty"`  // which copy a page belongs to
	Keys    []string `json:"keys,omitempty"`  // intent: the keys about to be written
	After   string   `json:"after,omitempty"` // through: the last key done
	Objects int64    `json:"objects,omitempty"`
	Bytes   int64    `json:"bytes,omitempty"` // through: copied by this copy so far
}

// resumePoint is an unfinished copy: its id and the last key done.
type resumePoint struct {
	copy           string
	after          string
	objects, bytes int64
}

// resumeFrom finds the last copy into bucket in the saved records and,
// when it did not finish, the last key it saved as done. Pages finish in
// key order (a page's records are saved only after all of it is copied),
// so every key up to After is on the target.
func resumeFrom(saved []json.RawMessage, bucket string) (resumePoint, bool, error) {
	var cur resumePoint
	finished := false
	for i, raw := range saved {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return resumePoint{}, false, fmt.Errorf("saved record %d is unreadable: %w", i+1, err)
		}
		if r.Bucket != bucket || (r.Kind != recordThrough && r.Kind != recordCopied && r.Kind != recordIntent) {
			continue
		}
		if r.Copy != cur.copy {
			cur, finished = resumePoint{copy: r.Copy}, false
		}
		switch r.Kind {
		case recordCopied:
			finished = true
		case recordThrough:
			cur.after, cur.objects, cur.bytes = r.After, r.Objects, r.Bytes
		}
	}
	if cur.copy == "" || finished {
		return resumePoint{}, false, nil
	}
	return cur, true, nil
}

// resumePoint is the unfinished copy to continue, or a new copy.
func (s *bucketStep) resumePoint(ctx context.Context, rec runbook.Recorder) resumePoint {
	fresh := resumePoint{copy: newCopyID()}
	saved, err := rec.Saved()
	var p resumePoint
	ok := false
	if err == nil {
		p, ok, err = resumeFrom(saved, s.target)
	}
	if err != nil {
		// Listing from the start is slower, never wrong: present objects
		// are skipped.
		rec.Progress(runbook.Progress{Message: fmt.Sprintf("cannot resume the copy into %s (%v): listing from the first key", s.target, err)})
		return fresh
	}
	if !ok {
		return fresh
	}
	return p
}

// save writes one record durably before the write it covers.
func (s *bucketStep) save(rec runbook.Recorder, r record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return s.fail("encode the %s record: %w", r.Kind, err)
	}
	if err := rec.Save(raw); err != nil {
		return s.fail("save the %s record for %s: %w; nothing more was changed, fix the journal's storage and apply again", r.Kind, r.Bucket, err)
	}
	return nil
}

// newCopyID names one copy, so a resume never mixes two copies' pages.
func newCopyID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
