package probe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// jsonFields reads the values at paths from a JSON body, as canonical JSON
// text. A path the body lacks is left out of fields; failure says why no
// path could be read at all. Parser errors are not repeated: they quote
// the body, which may hold anything.
func jsonFields(body []byte, truncated bool, paths []string, contentType string) (fields map[string]string, failure string) {
	if len(paths) == 0 {
		return nil, ""
	}
	if truncated {
		return nil, "the body is longer than the body cap; raise the cap to compare JSON fields"
	}
	var p fastjson.Parser
	root, err := p.ParseBytes(body)
	if err != nil {
		media, _, _ := mime.ParseMediaType(contentType)
		if media == "" {
			media = "no Content-Type"
		}
		return nil, fmt.Sprintf("the body is not JSON (%s)", media)
	}
	fields = map[string]string{}
	for _, path := range paths {
		if v := root.Get(strings.Split(path, ".")...); v != nil {
			fields[path] = canonical(v)
		}
	}
	return fields, ""
}

// canonical renders v with object keys sorted, so two serializers that
// order keys differently agree; numbers keep their text.
func canonical(v *fastjson.Value) string {
	raw := v.MarshalTo(nil)
	if t := v.Type(); t != fastjson.TypeObject && t != fastjson.TypeArray {
		return string(raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return string(raw) // fastjson accepted it; keep its rendering
	}
	out, err := json.Marshal(x)
	if err != nil {
		return string(raw)
	}
	return string(out)
}

// clip shortens a value for a one-line evidence.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
