package clone

import (
	"encoding/base64"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// masked replaces a secret value in messages.
const masked = "[redacted]"

// minSecret is the shortest value masked: shorter ones ("1", "on") would
// mask ordinary words in every message and are no secret worth the name.
const minSecret = 4

// redactor masks the values of the Secrets a step handles, in plain and in
// base64, in every message the step lets out. Change sets never hold
// values in the first place (rewrite.Normalize hashes them); this is for
// what the API server quotes back in an error.
type redactor struct {
	values []string // longest first
}

// newRedactor collects the values of the Secrets among objs.
func newRedactor(objs []*unstructured.Unstructured) redactor {
	return redactor{}.with(objs)
}

// with adds the values of the Secrets among objs.
func (r redactor) with(objs []*unstructured.Unstructured) redactor {
	vals := slices.Clone(r.values)
	for _, o := range objs {
		if o.GetKind() != "Secret" {
			continue
		}
		data, _, _ := unstructured.NestedStringMap(o.Object, "data")
		for _, v := range data {
			if plain, err := base64.StdEncoding.DecodeString(v); err == nil {
				vals = append(vals, string(plain))
			}
			vals = append(vals, v)
		}
		sd, _, _ := unstructured.NestedStringMap(o.Object, "stringData")
		for _, v := range sd {
			vals = append(vals, v, base64.StdEncoding.EncodeToString([]byte(v)))
		}
	}
	vals = slices.DeleteFunc(vals, func(v string) bool { return len(v) < minSecret })
	slices.SortFunc(vals, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return redactor{values: slices.Compact(vals)}
}

// text masks every known value in s.
func (r redactor) text(s string) string {
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, masked)
	}
	return s
}

// err masks an error's text and keeps the chain for errors.Is and As.
func (r redactor) err(err error) error {
	if err == nil {
		return nil
	}
	msg := r.text(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError is an error whose text had secret values masked.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
