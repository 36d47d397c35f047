package dynamodb

import (
	"encoding/json"
	"fmt"
)

// Kinds of record Apply saves through Recorder.Save.
const (
	recordTable  = "table"  // before the table is created or updated: Rollback's input
	recordPage   = "page"   // after a segment's page is written: where to resume
	recordCopied = "copied" // the copy finished: the next apply copies afresh
)

// record is one payload Apply saves. The runbook keeps payloads in its
// 0600 undo store, never in the journal: resume keys are item keys, data.
type record struct {
	Kind     string     `json:"kind"`
	Table    string     `json:"table"` // on the target
	Created  bool       `json:"created,omitempty"`
	Prior    *tableSpec `json:"prior,omitempty"` // the settings an update replaced
	Copy     string     `json:"copy,omitempty"`  // which copy a page belongs to
	Segments int        `json:"segments,omitempty"`
	Segment  int        `json:"segment"`
	After    wireKey    `json:"after,omitempty"` // resume after this key
	Done     bool       `json:"done,omitempty"`  // the segment has no more pages
	Items    int64      `json:"items,omitempty"` // written by the segment in this copy so far
}

// segState is where one segment of a copy stands.
type segState struct {
	after item
	done  bool
	items int64
}

// resumePoint is an unfinished copy's segments.
type resumePoint struct {
	copy string
	segs []segState
}

// resumeFrom finds the last copy of table in the saved records and, when
// it did not finish and used as many segments, where each segment stopped.
// A segment's LastEvaluatedKey only means something with the same
// TotalSegments, so another segment count starts over.
func resumeFrom(saved []json.RawMessage, table string, segments int) (resumePoint, bool, error) {
	var cur resumePoint
	finished := false
	for i, raw := range saved {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return resumePoint{}, false, fmt.Errorf("saved record %d is unreadable: %w", i+1, err)
		}
		if r.Table != table || (r.Kind != recordPage && r.Kind != recordCopied) {
			continue
		}
		if r.Copy != cur.copy {
			cur, finished = resumePoint{copy: r.Copy, segs: make([]segState, r.Segments)}, false
		}
		if r.Kind == recordCopied {
			finished = true
			continue
		}
		if r.Segment < 0 || r.Segment >= len(cur.segs) {
			return resumePoint{}, false, fmt.Errorf("saved record %d names segment %d of %d", i+1, r.Segment, len(cur.segs))
		}
		after, err := fromWire(r.After)
		if err != nil {
			return resumePoint{}, false, fmt.Errorf("saved record %d: %w", i+1, err)
		}
		cur.segs[r.Segment] = segState{after: after, done: r.Done, items: r.Items}
	}
	if cur.copy == "" || finished || len(cur.segs) != segments {
		return resumePoint{}, false, nil
	}
	return cur, true, nil
}
