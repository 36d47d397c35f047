package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// sortColumn is what the services can be sorted by; the sort key cycles
// through them in this order.
type sortColumn int

const (
	sortName sortColumn = iota
	sortState
	sortDrift
	sortRefs
	sortRestarts
	sortColumns // the count, not a column
)

var sortNames = [sortColumns]string{"name", "state", "drift", "refs", "restarts"}

func (c sortColumn) String() string { return sortNames[c] }

// rowQuery is what selects and orders the rows: the / filter, the :ns
// namespace and the sort.
type rowQuery struct {
	text      string // case-insensitive substring of namespace/name or the state word
	namespace string // exact; "" means every namespace
	sort      sortColumn
	desc      bool
}

// sideCells is one side of a row, ready to print.
type sideCells struct {
	ready    string // "ready/desired", "-" when the side does not run it
	tag      string
	restarts string
	warn     bool // warning events or containers stuck waiting
}

// row is one service pair as the services table shows it.
type row struct {
	key, namespace, name string
	source, target       sideCells
	drift, refs          int
	state                string // the pair's inventory state, for colour
	word                 string // the state in the plan's side labels
	restarts             int32  // the larger side's, for sorting
}

// serviceRows is the services table's pure renderer: the snapshot's pairs
// that match q, as rows, in q's order. src and dst are the side labels the
// state words use.
func serviceRows(snap inventory.Snapshot, src, dst string, q rowQuery) []row {
	text := strings.ToLower(q.text)
	rows := make([]row, 0, len(snap.Pairs))
	for _, p := range snap.Pairs {
		if q.namespace != "" && p.Namespace != q.namespace {
			continue
		}
		r := pairRow(p, src, dst)
		if text != "" && !strings.Contains(strings.ToLower(r.key+" "+r.word), text) {
			continue
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		c := compareRows(a, b, q.sort)
		if q.desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.key, b.key))
	})
	return rows
}

func pairRow(p inventory.Pair, src, dst string) row {
	r := row{
		key: p.Key(), namespace: p.Namespace, name: p.Name,
		source: workloadCells(p.Source), target: workloadCells(p.Target),
		drift: len(p.Drift), refs: len(p.References),
		state: p.State, word: p.Describe(src, dst),
	}
	for _, w := range []*inventory.Workload{p.Source, p.Target} {
		if w != nil {
			r.restarts = max(r.restarts, w.Restarts)
		}
	}
	return r
}

func workloadCells(w *inventory.Workload) sideCells {
	if w == nil {
		return sideCells{ready: "-", tag: "-", restarts: "-"}
	}
	return sideCells{
		ready:    strconv.Itoa(int(w.Ready)) + "/" + strconv.Itoa(int(w.Desired)),
		tag:      imageTags(w.Images),
		restarts: strconv.Itoa(int(w.Restarts)),
		warn:     len(w.Warnings) > 0 || len(w.Waiting) > 0,
	}
}

// imageTags lists the distinct tags of a side's images, in container order:
// sidecars mostly share a tag, and one tag reads better than "1.2,1.2".
func imageTags(images []inventory.Image) string {
	var tags []string
	for _, img := range images {
		t := img.Tag
		if t == "" && img.Digest != "" {
			t = "@" + shortDigest(img.Digest)
		}
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		return "-"
	}
	return strings.Join(tags, ",")
}

func shortDigest(d string) string {
	_, hex, ok := strings.Cut(d, ":")
	if !ok {
		hex = d
	}
	return hex[:min(len(hex), 12)]
}

// stateRank orders states by how soon an operator should look: failures
// first, settled pairs last.
var stateRank = map[string]int{
	inventory.StateFailingTarget: 0,
	inventory.StateFailingSource: 1,
	inventory.StateUnknown:       2,
	inventory.StateDrifted:       3,
	inventory.StateRollingOut:    4,
	inventory.StateOnlySource:    5,
	inventory.StateOnlyTarget:    6,
	inventory.StateInSync:        7,
}

func compareRows(a, b row, by sortColumn) int {
	switch by {
	case sortState:
		return cmp.Compare(rank(a.state), rank(b.state))
	case sortDrift:
		// The most drift first reads naturally; S reverses it.
		return cmp.Compare(b.drift, a.drift)
	case sortRefs:
		return cmp.Compare(b.refs, a.refs)
	case sortRestarts:
		return cmp.Compare(b.restarts, a.restarts)
	}
	return cmp.Compare(a.key, b.key)
}

func rank(state string) int {
	if r, ok := stateRank[state]; ok {
		return r
	}
	return len(stateRank)
}
