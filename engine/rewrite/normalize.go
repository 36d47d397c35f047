package rewrite

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Normalize returns a copy of obj without what the API server writes
// (identity, bookkeeping, status, allocated addresses) and without API
// defaults, so two clusters' copies of the same spec compare equal even when
// one of them spelled a default out. The rows it applies are in noiseTable
// (defaults.go), in order; afterwards every null value goes, since in the
// Kubernetes API null and absent mean the same.
//
// Secret data and stringData values become "sha256:<first 12 hex>" of the
// decoded value, here and nowhere later, so nothing downstream of Normalize
// ever holds a secret value. Normalize is idempotent.
func Normalize(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if obj == nil {
		return nil
	}
	out := obj.DeepCopy()
	root := out.Object
	kind := out.GetKind()
	for _, r := range rowsFor(kind) {
		visit(root, root, r.steps, r.act)
	}
	PruneNil(root)
	return out
}

// compiledRow is a noiseTable row's path for one kind, split once.
type compiledRow struct {
	steps []string
	act   action
}

// compiledRows caches rowsFor by kind: building the paths per object was
// most of Normalize's time (make bench).
var compiledRows sync.Map

func rowsFor(kind string) []compiledRow {
	if v, ok := compiledRows.Load(kind); ok {
		return v.([]compiledRow)
	}
	var out []compiledRow
	for _, row := range noiseTable {
		if !row.appliesTo(kind) {
			continue
		}
		for _, prefix := range row.scope.prefixes(kind) {
			out = append(out, compiledRow{splitPath(joinPath(prefix, row.path)), row.act})
		}
	}
	compiledRows.Store(kind, out)
	return out
}

// action removes or rewrites parent[key]; root is the whole object for the
// few rows that need context (the ServiceAccount's name, the Ingress spec).
type action func(root, parent map[string]any, key string)

func splitPath(p string) []string {
	var steps []string
	for _, s := range strings.Split(p, ".") {
		if name, ok := strings.CutSuffix(s, "[*]"); ok {
			steps = append(steps, name, "[*]")
			continue
		}
		steps = append(steps, s)
	}
	return steps
}

func joinPath(prefix, p string) string {
	switch {
	case prefix == "":
		return p
	case p == "":
		return prefix
	}
	return prefix + "." + p
}

// visit walks steps down from node and runs act on the last step's parent
// map; "[*]" fans out over list elements. Missing steps end the walk.
func visit(root map[string]any, node any, steps []string, act action) {
	switch n := node.(type) {
	case map[string]any:
		if steps[0] == "[*]" {
			return
		}
		if len(steps) == 1 {
			if _, ok := n[steps[0]]; ok {
				act(root, n, steps[0])
			}
			return
		}
		visit(root, n[steps[0]], steps[1:], act)
	case []any:
		if steps[0] != "[*]" || len(steps) == 1 {
			return
		}
		for _, e := range n {
			visit(root, e, steps[1:], act)
		}
	}
}

// PruneNil deletes null values from a decoded object, at every depth:
// an explicit null and an absent field mean the same to the API.
func PruneNil(node any) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if v == nil {
				delete(n, k)
				continue
			}
			PruneNil(v)
		}
	case []any:
		for _, e := range n {
			PruneNil(e)
		}
	}
}

// hashPrefix marks a secret value that has been replaced by its digest.
const hashPrefix = "sha256:"

var hashed = regexp.MustCompile(`^sha256:[0-9a-f]{12}$`)

// secretHash is the only form in which ferry shows a secret value: enough
// of the digest to tell two values apart, nothing to recover one.
func secretHash(plain []byte) string {
	sum := sha256.Sum256(plain)
	return hashPrefix + hex.EncodeToString(sum[:])[:12]
}

// hashData replaces every base64 value of a Secret's data by its hash.
// Values that are not base64 are hashed as they are: they are still secret.
func hashData(_, parent map[string]any, key string) {
	data, ok := parent[key].(map[string]any)
	if !ok {
		return
	}
	for k, v := range data {
		s, _ := v.(string)
		if hashed.MatchString(s) {
			continue
		}
		plain, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			plain = []byte(s)
		}
		data[k] = secretHash(plain)
	}
}

// mergeStringData folds stringData into data, hashed, as the API server
// does on write (stringData wins), so a manifest and a live Secret compare.
func mergeStringData(root, parent map[string]any, key string) {
	sd, _ := parent[key].(map[string]any)
	delete(parent, key)
	if len(sd) == 0 {
		return
	}
	data, _ := root["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
		root["data"] = data
	}
	for k, v := range sd {
		s, _ := v.(string)
		data[k] = secretHash([]byte(s))
	}
}
