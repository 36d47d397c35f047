package route53

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// limits are what one ChangeResourceRecordSets request may hold: Change
// elements, ResourceRecord elements and characters of values, an UPSERT's
// records and characters counting twice.
type limits struct {
	changes, records, chars int
}

// apiLimits are Route 53's.
var apiLimits = limits{changes: 1000, records: 1000, chars: 32000}

// edit is one record set written: after replaces before (nil when the
// target has none), or, in a rollback, before comes back.
type edit struct {
	key    key
	before *types.ResourceRecordSet
	after  *types.ResourceRecordSet // nil: the record set is deleted
}

// action is the Change an edit sends: UPSERT, or DELETE of what is there.
func (e edit) change() types.Change {
	if e.after == nil {
		return types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: e.before}
	}
	return types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: e.after}
}

// weight is what an edit's change counts against the limits.
func (e edit) weight() limits {
	c := e.change()
	recs, chars := max(1, len(c.ResourceRecordSet.ResourceRecords)), valueChars(*c.ResourceRecordSet)
	if c.Action == types.ChangeActionUpsert {
		recs, chars = 2*recs, 2*chars
	}
	return limits{changes: 1, records: recs, chars: chars}
}

func (l limits) add(o limits) limits {
	return limits{changes: l.changes + o.changes, records: l.records + o.records, chars: l.chars + o.chars}
}

func (l limits) within(max limits) bool {
	return l.changes <= max.changes && l.records <= max.records && l.chars <= max.chars
}

// diff is an edit for every wanted record set the target lacks or holds
// otherwise, in key order. A target record set that conflicts with a
// wanted one (a plain record where the source has a routing policy's, or
// the reverse) is never overwritten: the wanted one is reported instead.
func diff(want, have []types.ResourceRecordSet) (edits []edit, conflicts []unmapped) {
	byKey := index(have)
	for i := range want {
		w := &want[i]
		k := keyOf(*w)
		if h, ok := byKey[k]; ok {
			if !sameRecord(h, *w) {
				edits = append(edits, edit{key: k, before: &h, after: w})
			}
			continue
		}
		if c, ok := conflicting(k, have); ok {
			conflicts = append(conflicts, unmapped{key: k, why: fmt.Sprintf("%s in the new zone conflicts with it "+
				"(a plain record and a routing policy's cannot share a name and type); delete one of them there", c)})
			continue
		}
		edits = append(edits, edit{key: k, after: w})
	}
	return edits, conflicts
}

// conflicting finds a record set of have that Route 53 would not let k
// stand beside.
func conflicting(k key, have []types.ResourceRecordSet) (key, bool) {
	for _, h := range have {
		hk := keyOf(h)
		if hk.group() == k.group() && (hk.SetID == "") != (k.SetID == "") {
			return hk, true
		}
	}
	return key{}, false
}

// batches splits edits into requests within lim. The edits of one name and
// type (a weighted set's members) always travel together, so a routing
// policy changes all at once.
func batches(edits []edit, lim limits) ([][]edit, error) {
	var out [][]edit
	var cur []edit
	var used limits
	for start := 0; start < len(edits); {
		end := start + 1
		for end < len(edits) && edits[end].key.group() == edits[start].key.group() {
			end++
		}
		grp, w := edits[start:end], limits{}
		for _, e := range grp {
			w = w.add(e.weight())
		}
		if !w.within(lim) {
			return nil, fmt.Errorf("the records %s alone exceed one Route 53 change batch (%d changes, %d records, %d characters of values; the limit is %d, %d, %d)",
				grp[0].key.group(), w.changes, w.records, w.chars, lim.changes, lim.records, lim.chars)
		}
		if !used.add(w).within(lim) {
			out, cur, used = append(out, cur), nil, limits{}
		}
		cur, used = append(cur, grp...), used.add(w)
		start = end
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// sortEdits orders edits by key, deletes of a name and type before the
// upserts that may replace them.
func sortEdits(edits []edit) {
	slices.SortStableFunc(edits, func(a, b edit) int {
		if c := compareKeys(a.key.group(), b.key.group()); c != 0 {
			return c
		}
		if (a.after == nil) != (b.after == nil) {
			if a.after == nil {
				return -1
			}
			return 1
		}
		return compareKeys(a.key, b.key)
	})
}

// changes is a batch as Route 53 takes it.
func changes(batch []edit) []types.Change {
	out := make([]types.Change, len(batch))
	for i, e := range batch {
		out[i] = e.change()
	}
	return out
}

// keysText names the records of a batch, the first few of them, for
// messages.
func keysText(batch []edit) string {
	names := make([]string, len(batch))
	for i, e := range batch {
		names[i] = e.key.String()
	}
	return capped(names)
}
