package dynamodb

import (
	"context"
	"fmt"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kinds of the changes a table clone plans.
const (
	ChangeTable  = "DynamoDBTable"
	ChangeItems  = "DynamoDBItems"
	ChangeExport = "DynamoDBExportImport"
)

// Plan reads both accounts and says what Apply would do: create the table,
// update what differs and can be updated, or nothing; then copy the items,
// or, above the native threshold, export and import them.
func (s *tableStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	v, err := s.read(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	cs := runbook.ChangeSet{Step: s.ID(), Changes: []runbook.Change{s.tableChange(v)}}
	if len(v.diff.fixed) > 0 {
		cs.Notes = append(cs.Notes, fmt.Sprintf("table %s on %s differs in ways no update can fix: %s; Apply refuses until it is deleted there or the mapping names another table",
			v.want.Name, s.cfg.TargetLabel, strings.Join(v.diff.fixed, "; ")))
	}
	if len(v.diff.extra) > 0 {
		cs.Notes = append(cs.Notes, fmt.Sprintf("left as they are on %s (the source has none): %s", s.cfg.TargetLabel, strings.Join(v.diff.extra, ", ")))
	}
	if s.native(v) {
		cs.Changes = append(cs.Changes, s.exportChange(v))
		cs.Notes = append(cs.Notes, s.nativeNote(v))
		return cs, nil
	}
	cs.Changes = append(cs.Changes, s.itemsChange(v))
	cs.Notes = append(cs.Notes, "items are copied verbatim: the mapping renames the table and rewrites its configuration, never the data in it")
	return cs, nil
}

// tableChange is the table's create, update or none.
func (s *tableStep) tableChange(v view) runbook.Change {
	c := runbook.Change{Kind: ChangeTable, Name: v.want.Name, After: v.want.render()}
	switch {
	case !v.dst.exists:
		c.Op = runbook.OpCreate
	case v.diff.empty():
		c.Op, c.Before = runbook.OpNone, v.dst.spec.render()
	default:
		c.Op, c.Before = runbook.OpUpdate, v.dst.spec.render()
	}
	return c
}

// itemsChange is the copy: how many items, how big, how.
func (s *tableStep) itemsChange(v view) runbook.Change {
	c := runbook.Change{Kind: ChangeItems, Name: v.want.Name, Op: runbook.OpCreate}
	n := v.src.items()
	c.After = fmt.Sprintf("copy ≈%d items (%s) from %s by %d parallel Scan segments into BatchWriteItem\n",
		n, sizeText(v.src.bytes(), n), s.cfg.Name, s.cfg.Segments)
	if v.dst.exists {
		c.Before = fmt.Sprintf("≈%d items on %s\n", v.dst.items(), s.cfg.TargetLabel)
		c.Op = runbook.OpUpdate
		if v.dst.items() == n {
			// Counts are estimates; the copy puts every item again, which
			// changes nothing where they are already equal.
			c.Op = runbook.OpNone
		}
	}
	return c
}

// native is true when the table is too big to copy item by item.
func (s *tableStep) native(v view) bool {
	return s.cfg.NativeThreshold > 0 && v.src.bytes() > s.cfg.NativeThreshold
}

func (s *tableStep) exportChange(v view) runbook.Change {
	return runbook.Change{Op: runbook.OpCreate, Kind: ChangeExport, Name: v.want.Name, After: fmt.Sprintf(
		"export %s (%s, ≈%d items) with ExportTableToPointInTime to S3 in the old account, then ImportTable from that export into %s on %s\n",
		s.cfg.Name, sizeText(v.src.bytes(), v.src.items()), v.src.items(), v.want.Name, s.cfg.TargetLabel)}
}

// nativeNote says plainly what the native path needs and that this build
// plans it but does not run it.
func (s *tableStep) nativeNote(v view) string {
	return fmt.Sprintf("table %s is %s, above the native threshold of %s: ferry would export it to S3 with "+
		"ExportTableToPointInTime (point-in-time recovery must be on in the old account), grant the new account read on the export, "+
		"and ImportTable it there, which creates %s with the same keys and indexes (TTL, stream and tags are set afterwards), tracking both jobs until they finish. "+
		"This build only plans that path: Apply refuses rather than copying %s item by item, and the sandbox's emulator (kumo) implements neither "+
		"ExportTableToPointInTime nor ImportTable. Run the export/import by hand, or raise the threshold to copy by Scan",
		s.cfg.Name, sizeText(v.src.bytes(), v.src.items()), sizeText(s.cfg.NativeThreshold, 1), v.want.Name, sizeText(v.src.bytes(), v.src.items()))
}

// sizeText is a byte count for people; DynamoDB's figure can be 0 for a
// table with items (refreshed every six hours; never by the emulator).
func sizeText(b, items int64) string {
	if b == 0 && items > 0 {
		return "size not reported"
	}
	return humanize.IBytes(uint64(max(b, 0)))
}
