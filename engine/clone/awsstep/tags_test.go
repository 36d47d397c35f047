package awsstep

import (
	"maps"
	"slices"
	"testing"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

func TestMapTags(t *testing.T) {
	t.Parallel()
	m := rewrite.Mapping{Accounts: map[string]string{oldAcct: newAcct}}
	got := MapTags(m, map[string]string{"role": "arn:aws:iam::" + oldAcct + ":role/app", "team": "orders"})
	if want := map[string]string{"role": "arn:aws:iam::" + newAcct + ":role/app", "team": "orders"}; !maps.Equal(got, want) {
		t.Errorf("MapTags = %v, want %v", got, want)
	}
}

// TestTagRoundTrip: the diff an apply writes, the undo records of two
// applies (the second seeing the first's writes), and the restore that
// puts the tags back as they were before either.
func TestTagRoundTrip(t *testing.T) {
	t.Parallel()
	before := map[string]string{"team": "orders", "stale": "1", "same": "x"}
	want := map[string]string{"team": "platform", "new": "1", "same": "x"}
	set, remove := TagDiff(want, before)
	if !maps.Equal(set, map[string]string{"team": "platform", "new": "1"}) || !slices.Equal(remove, []string{"stale"}) {
		t.Fatalf("TagDiff = %v, %q", set, remove)
	}
	prior, added := PriorTags(before, set, remove)
	if !maps.Equal(prior, map[string]string{"team": "orders", "stale": "1"}) || !slices.Equal(added, []string{"new"}) {
		t.Fatalf("PriorTags = %v, %q", prior, added)
	}

	var u TagUndo
	if s, r := u.Restore(want); len(s)+len(r) != 0 || len(u.Keys()) != 0 {
		t.Errorf("the zero TagUndo restores %v, %q, keys %q", s, r, u.Keys())
	}
	u.Add(prior, added)
	// A second apply saw the first's writes: team=platform, new=1; it
	// adds another tag and changes new again.
	u.Add(map[string]string{"team": "platform", "new": "1"}, []string{"later"})
	cur := map[string]string{"team": "other", "new": "2", "same": "x", "later": "y"}
	set, remove = u.Restore(cur)
	if !maps.Equal(set, map[string]string{"team": "orders", "stale": "1"}) || !slices.Equal(remove, []string{"later", "new"}) {
		t.Errorf("Restore = %v, %q; want the tags as before the first apply", set, remove)
	}
	if k := u.Keys(); !slices.Equal(k, []string{"later", "new", "stale", "team"}) {
		t.Errorf("Keys = %q", k)
	}
	if set, remove = u.Restore(before); len(set)+len(remove) != 0 {
		t.Errorf("Restore of tags already as before = %v, %q", set, remove)
	}
}
