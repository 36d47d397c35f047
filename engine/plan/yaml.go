package plan

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// This file is the only one that knows the YAML library. It turns the text
// into a small tree of nodes that keep their line and column, and the rest of
// the package works on that tree.
//
// The library is github.com/goccy/go-yaml, not gopkg.in/yaml.v3 (or its
// go.yaml.in successor), because a plan error must always name a line:
// go-yaml reports every syntax error with line and column, while yaml.v3
// reports a line for some (none for errors on line 1) and never a column.
// Its parser can also keep duplicate keys, so they are reported together with
// every other error, each with its field path, instead of stopping the load.

// kind is what a node holds.
type kind int

const (
	nullNode kind = iota // absent value: "key:" or "key: ~"
	scalarNode
	mapNode
	listNode
)

// scalarType is the type YAML reads a plain scalar as. Only its difference
// from a string matters: an unquoted account id is a number to most YAML
// tools, which drop leading zeros.
type scalarType int

const (
	stringScalar scalarType = iota
	numberScalar
	boolScalar
)

// node is a YAML value with its position. A map keeps its keys and values in
// file order, duplicates included.
type node struct {
	kind      kind
	line, col int
	text      string     // a scalar's value (unquoted); a key's name
	typ       scalarType // how YAML reads the scalar
	quoted    bool       // written in quotes (or with an explicit !!str tag)
	keys      []*node    // mapNode: the keys
	items     []*node    // mapNode: the values, parallel to keys; listNode: the items
}

// describe names the node's type for error messages.
func (n *node) describe() string {
	switch {
	case n.kind == mapNode:
		return "a mapping"
	case n.kind == listNode:
		return "a list"
	case n.kind == nullNode:
		return "nothing"
	case n.typ == numberScalar:
		return "the number " + n.text
	case n.typ == boolScalar:
		return "the boolean " + n.text
	}
	return fmt.Sprintf("the string %q", n.text)
}

// parseYAML reads one YAML document into a node tree. The root is nil for an
// empty document. A syntax error comes back as *Error with its position.
func parseYAML(file string, data []byte) (*node, error) {
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, syntaxError(file, err)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc.Body == nil || doc.Body.Type() == ast.CommentType {
			continue
		}
		if body != nil {
			n := (&converter{anchors: map[string]*node{}}).convert(doc.Body)
			return nil, &Error{File: file, Line: n.line, Col: n.col,
				Msg: "a second YAML document (after ---); keep one plan per file"}
		}
		body = doc.Body
	}
	if body == nil {
		return nil, nil
	}
	c := converter{anchors: map[string]*node{}}
	return c.convert(body), nil
}

// syntaxError gives the library's syntax error ferry's shape.
func syntaxError(file string, err error) *Error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		pos := ye.GetToken().Position
		return &Error{File: file, Line: pos.Line, Col: pos.Column,
			Msg: "invalid YAML: " + ye.GetMessage() + "; check the indentation and quoting on this line or the one above"}
	}
	return &Error{File: file, Line: 1, Col: 1, Msg: "invalid YAML: " + err.Error()}
}

// converter turns the library's AST into nodes, resolving aliases.
type converter struct {
	anchors map[string]*node
}

func (c *converter) convert(a ast.Node) *node {
	if inner, ok := c.unwrap(a); ok {
		return inner
	}
	n := &node{}
	if a == nil {
		return n
	}
	if tk := a.GetToken(); tk != nil {
		n.line, n.col = tk.Position.Line, tk.Position.Column
	}
	switch v := a.(type) {
	case *ast.MappingNode:
		n.kind = mapNode
		for _, mv := range v.Values {
			c.addEntry(n, mv)
		}
		if len(n.keys) > 0 && !v.IsFlowStyle {
			// The library places a block mapping at its first ':'; a
			// reader looks for its first key.
			n.line, n.col = n.keys[0].line, n.keys[0].col
		}
	case *ast.MappingValueNode:
		n.kind = mapNode
		c.addEntry(n, v)
		n.line, n.col = n.keys[0].line, n.keys[0].col
	case *ast.SequenceNode:
		n.kind = listNode
		for _, item := range v.Values {
			n.items = append(n.items, c.convert(item))
		}
	case *ast.NullNode:
		n.kind = nullNode
	default:
		c.scalar(n, a)
	}
	return n
}

// unwrap sees through the nodes that only decorate a value: anchors,
// aliases (to the anchored value), tags and explicit "? key" markers.
func (c *converter) unwrap(a ast.Node) (*node, bool) {
	switch v := a.(type) {
	case *ast.AnchorNode:
		inner := c.convert(v.Value)
		c.anchors[v.Name.String()] = inner
		return inner, true
	case *ast.AliasNode:
		target, ok := c.anchors[v.Value.String()]
		return target, ok
	case *ast.TagNode:
		inner := c.convert(v.Value)
		if v.Start != nil && v.Start.Value == "!!str" && inner.kind == scalarNode {
			inner.typ, inner.quoted = stringScalar, true
		}
		return inner, true
	case *ast.MappingKeyNode:
		return c.convert(v.Value), true
	}
	return nil, false
}

func (c *converter) addEntry(n *node, mv *ast.MappingValueNode) {
	key := c.convert(mv.Key)
	if key.kind != scalarNode {
		key.text = mv.Key.String()
	}
	n.keys = append(n.keys, key)
	n.items = append(n.items, c.convert(mv.Value))
}

// scalar fills a scalar node, keeping the text as written: the YAML reading
// of numbers is exactly what ferry must not trust for account ids.
func (c *converter) scalar(n *node, a ast.Node) {
	n.kind = scalarNode
	switch v := a.(type) {
	case *ast.StringNode:
		n.text = v.Value
		n.quoted = v.Token.Type == token.SingleQuoteType || v.Token.Type == token.DoubleQuoteType
		if !n.quoted && looksNumeric(v.Value) {
			// go-yaml keeps 0123 and 1e12 as strings; YAML 1.2 and most tools
			// read them as numbers, so ferry treats them as numbers too.
			n.typ = numberScalar
		}
	case *ast.LiteralNode:
		n.text, n.quoted = v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		n.text, n.typ = a.GetToken().Value, numberScalar
	case *ast.BoolNode:
		n.text, n.typ = a.GetToken().Value, boolScalar
	default:
		n.text = a.String()
	}
}

// yaml12Number is YAML 1.2's core schema for decimal ints and floats.
var yaml12Number = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// looksNumeric reports whether a plain scalar is a number to YAML 1.2 (with
// leading zeros or an exponent, which go-yaml leaves as strings).
func looksNumeric(s string) bool { return yaml12Number.MatchString(s) }
