package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Names of the checks Verify returns.
const (
	CheckSettings   = "table settings"
	CheckCount      = "item count"
	CheckSample     = "sample checksum"
	CheckReferences = "no old-account references"
)

// sampleBuckets: the checksum covers the items whose key hashes into
// bucket 0 of this many, about one in sixteen, the same items on both sides.
const sampleBuckets = 16

// Verify checks the clone on the target: the table exists with the source's
// settings (mapped), holds as many items as the source (full scans of
// both), the same sampled items hash alike on both sides, and nothing in
// the table's description, TTL or tags names the old account.
func (s *tableStep) Verify(ctx context.Context) ([]runbook.Check, error) {
	v, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if !v.dst.exists {
		return []runbook.Check{{Name: CheckSettings, Evidence: fmt.Sprintf("table %s does not exist on %s", v.want.Name, s.cfg.TargetLabel)}}, nil
	}
	src, err := s.tally(ctx, s.cfg.Source, s.cfg.Name, v.src.spec.Keys)
	if err != nil {
		return nil, s.fail("count the items in the old account: %w", err)
	}
	dst, err := s.tally(ctx, s.cfg.Target, v.want.Name, v.want.Keys)
	if err != nil {
		return nil, s.fail("count the items of %s on %s: %w", v.want.Name, s.cfg.TargetLabel, err)
	}
	return []runbook.Check{s.settingsCheck(v), s.countCheck(src, dst), sampleCheck(src, dst), s.referencesCheck(v)}, nil
}

func (s *tableStep) settingsCheck(v view) runbook.Check {
	d := diffSpecs(v.want, v.dst.spec)
	c := runbook.Check{Name: CheckSettings, OK: len(d.fixed) == 0 && len(d.changes) == 0}
	if !c.OK {
		c.Evidence = fmt.Sprintf("%s on %s differs from the source (mapped): %s", v.want.Name, s.cfg.TargetLabel,
			strings.Join(append(d.fixed, d.changes...), "; "))
		return c
	}
	w := v.want
	c.Evidence = fmt.Sprintf("%s on %s as on the source (mapped): key %s, %d global and %d local indexes, %s, stream %s, TTL %s, %d tags",
		w.Name, s.cfg.TargetLabel, keysText(w), len(w.GSIs), len(w.LSIs), capacityText(w), orOff(w.Stream), orOff(w.TTL), len(w.Tags))
	return c
}

func (s *tableStep) countCheck(src, dst tally) runbook.Check {
	return runbook.Check{Name: CheckCount, OK: src.count == dst.count, Evidence: fmt.Sprintf(
		"source %d items, target %d items (full consistent scans, %d segments each)", src.count, dst.count, s.cfg.Segments)}
}

func sampleCheck(src, dst tally) runbook.Check {
	return runbook.Check{Name: CheckSample, OK: src.sampled == dst.sampled && src.sum == dst.sum, Evidence: fmt.Sprintf(
		"items whose key hashes into bucket 0 of %d: source %d items sha256-sum %s, target %d items sha256-sum %s",
		sampleBuckets, src.sampled, src.digest(), dst.sampled, dst.digest())}
}

// referencesCheck scans the target's description, TTL and tags for old
// account ids and old names (stream and index ARNs included).
func (s *tableStep) referencesCheck(v view) runbook.Check {
	raw, _ := json.Marshal(v.dst.desc)
	var desc map[string]any
	_ = json.Unmarshal(raw, &desc)
	tags := map[string]any{}
	for k, val := range v.dst.spec.Tags {
		tags[k] = val
	}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "ferry.dev/v1", "kind": "DynamoDBTable",
		"metadata": map[string]any{"name": v.want.Name}, "description": desc, "ttlAttribute": v.dst.spec.TTL, "tags": tags}}
	refs := rewrite.References(s.cfg.Mapping, []*unstructured.Unstructured{obj})
	c := runbook.Check{Name: CheckReferences, OK: len(refs) == 0}
	if c.OK {
		c.Evidence = fmt.Sprintf("no old account id or old name in the description, TTL or tags of %s", v.want.Name)
		return c
	}
	lines := make([]string, 0, len(refs))
	for _, r := range refs {
		lines = append(lines, fmt.Sprintf("%s %s: %s (%s)", v.want.Name, r.Path, r.Match, r.Why))
	}
	c.Evidence = strings.Join(lines, "\n")
	return c
}

// tally is what one scan of a table found: how many items, and the sample.
type tally struct {
	count, sampled int64
	sum            [4]uint64 // the sampled items' sha256s added up mod 2^256: order does not matter
}

func (t tally) digest() string {
	var b []byte
	for _, w := range t.sum {
		b = append(b, byte(w>>56), byte(w>>48), byte(w>>40), byte(w>>32), byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
	}
	return hex.EncodeToString(b)[:16]
}

func (t *tally) add(o tally) {
	t.count += o.count
	t.sampled += o.sampled
	var carry uint64
	for i := 3; i >= 0; i-- {
		t.sum[i], carry = bits.Add64(t.sum[i], o.sum[i], carry)
	}
}

// tally scans a whole table, segments in parallel, counting every item and
// hashing the sampled ones.
func (s *tableStep) tally(ctx context.Context, api SourceAPI, table string, keys []keyElem) (tally, error) {
	var mu sync.Mutex
	var total tally
	job := scanJob{api: api, table: table, segments: s.cfg.Segments, pageSize: s.cfg.PageSize,
		page: func(_ context.Context, _ int, items []item, _ item) error {
			var t tally
			for _, it := range items {
				t.count++
				if sampled(it, keys) {
					h := sha256.Sum256(canonical(it))
					t.add(tally{sampled: 1, sum: words(h)})
				}
			}
			mu.Lock()
			total.add(t)
			mu.Unlock()
			return nil
		}}
	err := job.run(ctx)
	return total, err
}

// sampled is true for the items whose key hashes into bucket 0.
func sampled(it item, keys []keyElem) bool {
	k := sha256.Sum256(canonical(keyOf(it, keys)))
	return int(k[0])%sampleBuckets == 0
}

func words(h [32]byte) [4]uint64 {
	var w [4]uint64
	for i := range w {
		for _, b := range h[i*8 : i*8+8] {
			w[i] = w[i]<<8 | uint64(b)
		}
	}
	return w
}
