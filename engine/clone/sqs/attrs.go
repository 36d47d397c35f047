package sqs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// copied are the attributes the clone carries over, in the order a change
// set shows them. The rest (QueueArn, timestamps, depths) belong to the
// queue itself.
var copied = []string{
	"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
	"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize",
	"ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "RedriveAllowPolicy", "Policy",
	"KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
}

const (
	attrFifo      = "FifoQueue"
	attrRedrive   = "RedrivePolicy"
	attrAllow     = "RedriveAllowPolicy"
	attrPolicy    = "Policy"
	attrKMS       = "KmsMasterKeyId"
	attrSSE       = "SqsManagedSseEnabled"
	attrArn       = "QueueArn"
	attrDepth     = "ApproximateNumberOfMessages"
	attrInFlight  = "ApproximateNumberOfMessagesNotVisible"
	attrDelayed   = "ApproximateNumberOfMessagesDelayed"
	attrDedupByID = "ContentBasedDeduplication"
)

// mapped hold ARNs, account ids or queue names: the mapping applies to
// them. The JSON ones among them compare as documents, not as text.
var (
	mapped     = []string{attrRedrive, attrAllow, attrPolicy, attrKMS}
	jsonValued = []string{attrRedrive, attrAllow, attrPolicy}
	// clearable are removed from a queue by setting them to "".
	clearable = []string{attrRedrive, attrAllow, attrPolicy, attrKMS}
)

// attrs are a queue's copied attributes, normalized: only what is set,
// and "false" where false is what absent means.
type attrs map[string]string

// normalize keeps the copied attributes of a GetQueueAttributes answer.
func normalize(all map[string]string) attrs {
	out := attrs{}
	for _, k := range copied {
		if v := all[k]; v != "" {
			out[k] = v
		}
	}
	for _, k := range []string{attrFifo, attrDedupByID} {
		if out[k] == "false" {
			delete(out, k)
		}
	}
	// With a KMS key, SQS-managed encryption is off by definition; setting
	// both is refused.
	if out[attrKMS] != "" {
		delete(out, attrSSE)
	}
	return out
}

// wanted is the source's attributes as the target should hold them.
func wanted(m rewrite.Mapping, source attrs) attrs {
	out := maps.Clone(source)
	for _, k := range mapped {
		if v, ok := out[k]; ok {
			out[k] = rewrite.String(m, v)
		}
	}
	return out
}

// diff is what to set on a queue holding have so that it holds want: the
// differing attributes with their new values ("" clears one) and, apart,
// those SQS cannot change after creation.
func diff(want, have attrs) (set attrs, immutable []string) {
	set = attrs{}
	for _, k := range copied {
		w, inWant := want[k]
		if sameValue(k, w, have[k]) {
			continue
		}
		switch {
		case k == attrFifo:
			immutable = append(immutable, k)
		case inWant:
			set[k] = w
		case slices.Contains(clearable, k):
			set[k] = ""
		}
	}
	return set, immutable
}

// sameValue compares two values of attribute k; JSON documents compare
// by content.
func sameValue(k, a, b string) bool {
	if a == b {
		return true
	}
	if !slices.Contains(jsonValued, k) || a == "" || b == "" {
		return false
	}
	return canonical(a) == canonical(b)
}

// canonical is a JSON document with sorted keys and no spacing, and
// maxReceiveCount as a number (SQS accepts "5" and 5 and answers either);
// text that is not JSON is returned as is.
func canonical(doc string) string {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return doc
	}
	if m, ok := v.(map[string]any); ok {
		if n, ok := m["maxReceiveCount"].(string); ok && json.Valid([]byte(n)) {
			m["maxReceiveCount"] = json.Number(n)
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		return doc
	}
	return string(out)
}

// render shows a queue's attributes and tags as YAML-like text for a
// side-by-side diff: sorted, one attribute a line, Policy as an indented
// block.
func render(name string, a attrs, tags map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nattributes:\n", name)
	for _, k := range copied {
		v, ok := a[k]
		if !ok {
			continue
		}
		if k == attrPolicy {
			fmt.Fprintf(&b, "  %s: |\n%s\n", k, indent(v, "    "))
			continue
		}
		if slices.Contains(jsonValued, k) {
			v = canonical(v)
		}
		fmt.Fprintf(&b, "  %s: %s\n", k, v)
	}
	if len(tags) > 0 {
		b.WriteString("tags:\n")
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			fmt.Fprintf(&b, "  %s: %s\n", k, tags[k])
		}
	}
	return b.String()
}

// indent pretty-prints a JSON document with prefix on every line.
func indent(doc, prefix string) string {
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(canonical(doc)), prefix, "  "); err != nil {
		return prefix + doc
	}
	return prefix + out.String()
}
