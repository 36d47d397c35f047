package secrets

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// digest is a value's sha256 and size: all of a value that plans, undo
// records and evidence ever show.
type digest struct {
	Sum  string `json:"sha256"`
	Size int    `json:"size"`
}

func digestOf(v []byte) digest {
	sum := sha256.Sum256(v)
	return digest{Sum: hex.EncodeToString(sum[:]), Size: len(v)}
}

// String is "<redacted: sha256 1a2b3c4d… (19 bytes)>".
func (d digest) String() string {
	return fmt.Sprintf("<redacted: sha256 %s… (%d bytes)>", d.Sum[:8], d.Size)
}

// mapValue passes a value through the mapping. Binary values that are not
// text are copied as they are: a rewrite could corrupt them.
func mapValue(m rewrite.Mapping, v []byte) []byte {
	if !utf8.Valid(v) {
		return v
	}
	return []byte(rewrite.String(m, string(v)))
}

// valueFindings says where in a value old account ids are, without
// showing any of the value: a JSON value by field path ("$.queueUrl"),
// any other as a whole.
func valueFindings(where string, v []byte, old []string) []string {
	var doc any
	if json.Unmarshal(v, &doc) == nil {
		switch doc.(type) {
		case map[string]any, []any:
			var out []string
			walkJSON(doc, "$", func(path, s string) {
				if ids := accountsIn(s, old); len(ids) > 0 {
					out = append(out, fmt.Sprintf("%s %s: old account %s", where, path, strings.Join(ids, ", ")))
				}
			})
			return out
		}
	}
	if ids := accountsIn(string(v), old); len(ids) > 0 {
		return []string{fmt.Sprintf("%s: old account %s", where, strings.Join(ids, ", "))}
	}
	return nil
}

// accountsIn is the old account ids that occur in s as whole tokens.
func accountsIn(s string, old []string) []string {
	var out []string
	for _, a := range old {
		if len(rewrite.Locators(s, []string{a})) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// walkJSON calls fn with the path of every string in a JSON document.
func walkJSON(node any, path string, fn func(path, s string)) {
	switch n := node.(type) {
	case string:
		fn(path, n)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(n)) {
			walkJSON(n[k], path+"."+k, fn)
		}
	case []any:
		for i, e := range n {
			walkJSON(e, path+"["+strconv.Itoa(i)+"]", fn)
		}
	}
}

// quiet withholds an AWS error's message when it quotes a value the call
// sent, as validation errors do ("Value '...' at 'value' failed to
// satisfy constraint"); the error code stays.
func quiet(err error, values ...[]byte) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, v := range values {
		if len(v) > 0 && (strings.Contains(msg, string(v)) || strings.Contains(msg, base64.StdEncoding.EncodeToString(v))) {
			code := "an error"
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) {
				code = apiErr.ErrorCode()
			}
			return fmt.Errorf("%s (the service's message quoted the value and is withheld)", code)
		}
	}
	return err
}

// minMasked is the shortest value vault masks: masking shorter ones
// ("true", "8080") would garble messages, and quiet already keeps every
// value out of the errors that could quote it.
const minMasked = 8

// vault holds the values one call of a step handles, to mask them in the
// error it returns: a second line of defence behind quiet.
type vault struct{ values []string }

func (v *vault) keep(vals ...[]byte) {
	for _, b := range vals {
		if len(b) >= minMasked {
			v.values = append(v.values, string(b))
		}
	}
}

// mask returns err with every kept value (and its base64 form) replaced by
// "[redacted]". The result no longer wraps err: unwrapping would give the
// unmasked text back.
func (v *vault) mask(err error) error {
	if err == nil {
		return nil
	}
	msg := runbook.MaskValues(v.values...)(err.Error())
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}
