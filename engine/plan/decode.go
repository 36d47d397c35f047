package plan

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// decoder fills the raw* types from a node tree. It never stops at a
// problem: each one becomes an Error and decoding carries on, so a plan with
// five mistakes reports five.
type decoder struct {
	file  string
	lines []string // the file's text, for hints no node carries
	errs  Errors
	seen  map[string]entry // field path -> where it was written
	bad   map[string]bool  // field paths already reported, so checks skip them
}

// entry is where a field was written: its key (nil for a list item) and value.
type entry struct{ key, val *node }

func newDecoder(file string, data []byte) *decoder {
	return &decoder{file: file, lines: strings.Split(string(data), "\n"), seen: map[string]entry{}, bad: map[string]bool{}}
}

// errorf records a problem at a node's position.
func (d *decoder) errorf(n *node, path, format string, args ...any) {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.line, n.col
	}
	d.errs = append(d.errs, e)
	d.bad[path] = true
}

// fail records a problem with the field at path.
func (d *decoder) fail(path, format string, args ...any) {
	d.errorf(d.at(path), path, format, args...)
}

// missing reports a required field that is absent or empty, unless the
// field was already reported (a value of the wrong type is not also missing).
func (d *decoder) missing(path, fix string) {
	if !d.bad[path] {
		d.fail(path, "missing; %s", fix)
	}
}

// value is the node written at a path, or nil when it is absent or empty.
func (d *decoder) value(path string) *node {
	if e, ok := d.seen[path]; ok && e.val.kind != nullNode {
		return e.val
	}
	return nil
}

// at is the node to point at for a path: a scalar's value, a section's or
// an empty field's key, else the nearest enclosing field that was written
// (so "missing" errors point at the section that lacks the field).
func (d *decoder) at(path string) *node {
	if e, ok := d.seen[path]; ok {
		// A section is pointed at by its key; a scalar by its value.
		if e.key == nil || e.val.kind == scalarNode {
			return e.val
		}
		return e.key
	}
	for p := parent(path); p != ""; p = parent(p) {
		if e, ok := d.seen[p]; ok {
			if e.key != nil {
				return e.key
			}
			return e.val
		}
	}
	return &node{line: 1, col: 1}
}

// inFileOrder lists a map field's keys in the order they were written, so
// a contradiction is reported at the later of the two rules.
func (d *decoder) inFileOrder(path string, m map[string]string) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		ka, kb := d.seen[path+"["+a+"]"].key, d.seen[path+"["+b+"]"].key
		return cmp.Or(cmp.Compare(ka.line, kb.line), cmp.Compare(ka.col, kb.col))
	})
	return keys
}

// parent strips the last element of a field path: "a.b[2]" -> "a.b" -> "a".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// decode fills v from n. key is the field's name as written in the file
// ("" for a list item), used to phrase fixes; anyScalar lets a string field
// take numbers and booleans too.
func (d *decoder) decode(n *node, path, key string, v reflect.Value, anyScalar bool) {
	if n.kind == nullNode {
		return // an empty value is an absent one; validation decides if it was required
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, path, key, v)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.decode(n, path, key, v.Elem(), anyScalar)
	case reflect.Map:
		d.decodeMap(n, path, key, v)
	case reflect.Slice:
		d.decodeList(n, path, key, v)
	case reflect.String:
		if n.kind != scalarNode || (!anyScalar && n.typ != stringScalar) {
			d.errorf(n, path, "%s", wrongType(v.Kind(), n, key))
			return
		}
		v.SetString(n.text)
	case reflect.Bool:
		if n.kind != scalarNode || n.typ != boolScalar {
			d.errorf(n, path, "%s", wrongType(v.Kind(), n, key))
			return
		}
		v.SetBool(n.text == "true" || n.text == "True" || n.text == "TRUE")
	case reflect.Int:
		i, err := strconv.Atoi(n.text)
		if n.kind != scalarNode || n.typ != numberScalar || err != nil {
			d.errorf(n, path, "%s", wrongType(v.Kind(), n, key))
			return
		}
		v.SetInt(int64(i))
	default:
		panic(fmt.Sprintf("plan: decoder cannot fill %s at %s", v.Type(), path))
	}
}

func (d *decoder) decodeStruct(n *node, path, key string, v reflect.Value) {
	if n.kind != mapNode {
		d.errorf(n, path, "%s", wrongType(reflect.Struct, n, key))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("yaml")
		fields[name] = i
		names = append(names, name)
	}
	first := map[string]*node{}
	for i, k := range n.keys {
		p := join(path, k.text)
		if prev, dup := first[k.text]; dup {
			d.errorf(k, p, "written twice (first at line %d); keep one", prev.line)
			continue
		}
		first[k.text] = k
		fi, ok := fields[k.text]
		if !ok {
			d.errorf(k, p, "unknown field; %s", knownHint(k.text, names))
			continue
		}
		d.seen[p] = entry{key: k, val: n.items[i]}
		f := t.Field(fi)
		d.decode(n.items[i], p, k.text, v.Field(fi), f.Tag.Get("plan") == "scalar")
	}
}

// decodeMap fills a map[string]string. Keys and values take any scalar: an
// unquoted account id is reported by the validator, which knows the fix.
func (d *decoder) decodeMap(n *node, path, key string, v reflect.Value) {
	if n.kind != mapNode {
		d.errorf(n, path, "%s", wrongType(reflect.Map, n, key))
		return
	}
	v.Set(reflect.MakeMap(v.Type()))
	first := map[string]*node{}
	for i, k := range n.keys {
		p := fmt.Sprintf("%s[%s]", path, k.text)
		val := n.items[i]
		if prev, dup := first[k.text]; dup {
			d.errorf(k, p, "two rules for %s (first at line %d); keep one", k.text, prev.line)
			continue
		}
		first[k.text] = k
		d.seen[p] = entry{key: k, val: val}
		if val.kind != scalarNode {
			d.errorf(val, p, "want one value for %s, got %s; write %s: VALUE", k.text, val.describe(), k.text)
			continue
		}
		v.SetMapIndex(reflect.ValueOf(k.text), reflect.ValueOf(val.text))
	}
}

func (d *decoder) decodeList(n *node, path, key string, v reflect.Value) {
	if n.kind != listNode {
		d.errorf(n, path, "%s", wrongType(reflect.Slice, n, key))
		return
	}
	v.Set(reflect.MakeSlice(v.Type(), len(n.items), len(n.items)))
	for i, item := range n.items {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.seen[p] = entry{val: item}
		d.decode(item, p, "", v.Index(i), false)
	}
}

// wrongType explains a value of the wrong type and how to write it.
func wrongType(want reflect.Kind, n *node, key string) string {
	got := n.describe()
	lhs := key + ": "
	if key == "" {
		lhs = "- "
	}
	switch want {
	case reflect.String:
		if n.kind == scalarNode {
			return fmt.Sprintf("want a string, got %s; quote it: %s%q", got, lhs, n.text)
		}
		return fmt.Sprintf("want a single value, got %s; write %sVALUE", got, lhs)
	case reflect.Bool:
		return fmt.Sprintf("want true or false, got %s; write %strue or %sfalse, unquoted", got, lhs, lhs)
	case reflect.Int:
		return fmt.Sprintf("want a whole number, got %s; write it unquoted, e.g. %s200", got, lhs)
	case reflect.Slice:
		if n.kind == scalarNode {
			return fmt.Sprintf("want a list, got %s; write a list, e.g. %s[%s]", got, lhs, n.text)
		}
		return fmt.Sprintf("want a list, got %s; start each item on its own line with \"- \"", got)
	}
	if key == "" {
		return fmt.Sprintf("want a mapping, got %s; write the item's fields after \"- \", e.g. - name: VALUE", got)
	}
	return fmt.Sprintf("want a mapping, got %s; put its fields on indented lines under %s:", got, key)
}

// knownHint suggests the closest known field name, or lists them all.
func knownHint(unknown string, known []string) string {
	if s := suggest(unknown, known); s != "" {
		return "did you mean " + s + "?"
	}
	return "known fields here: " + strings.Join(known, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
