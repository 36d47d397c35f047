package main

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// stored is one record set kumo holds: the API's view of it and the name
// kumo keys it by.
type stored struct {
	rec  rrset
	kumo string
}

// inputError is Route53's InvalidInput: a change that is malformed whatever
// the zone holds.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// planBatch checks a change batch against the zone's record sets, change by
// change as Route53 applies it, and returns the changes as kumo must get
// them (names carrying the set identifier). kumo applies a batch one change
// at a time and keeps what it applied before a failure, so every check is
// made here first and a batch that reaches kumo cannot fail: the batch is
// all or nothing. A non-empty messages means InvalidChangeBatch, with one
// message per refused change, as Route53 reports them.
func planBatch(current map[rrKey]stored, changes []rrChange) (out []rrChange, messages []string, err error) {
	state := make(map[rrKey]stored, len(current))
	for k, v := range current {
		state[k] = v
	}
	for _, c := range changes {
		if err := checkInput(c); err != nil {
			return nil, nil, err
		}
		r := c.ResourceRecordSet
		r.Name = canonicalName(r.Name)
		k := rrKey{name: r.Name, typ: r.Type, set: r.SetIdentifier}
		old, exists := state[k]
		target := kumoName(k)
		if exists {
			target = old.kumo // as kumo stores it, however that was written
		}
		var msg string
		switch c.Action {
		case "CREATE":
			if exists {
				msg = fmt.Sprintf("Tried to create resource record set [%s] but it already exists", k)
			} else {
				msg = mixedPolicies(state, k)
			}
		case "DELETE":
			if !exists {
				msg = fmt.Sprintf("Tried to delete resource record set [%s] but it was not found", k)
			} else if !sameRecordSet(old.rec, r) {
				msg = fmt.Sprintf("Tried to delete resource record set [%s] but the values provided do not match the current values", k)
			}
		case "UPSERT":
			msg = mixedPolicies(state, k)
		}
		if msg != "" {
			messages = append(messages, msg)
			continue
		}
		if c.Action == "DELETE" {
			delete(state, k)
		} else {
			state[k] = stored{rec: r, kumo: target}
		}
		r.Name = target
		out = append(out, rrChange{Action: c.Action, ResourceRecordSet: r})
	}
	return out, messages, nil
}

// mixedPolicies refuses a record set whose name and type another set holds
// with the other kind of routing: a simple record and weighted ones cannot
// share a name and type.
func mixedPolicies(state map[rrKey]stored, k rrKey) string {
	for other := range state {
		if other.name != k.name || other.typ != k.typ || (other.set == "") == (k.set == "") {
			continue
		}
		if k.set == "" {
			return fmt.Sprintf("RRSet with DNS name %s, type %s cannot be created as other RRSets exist with the same name and type with a SetIdentifier", k.name, k.typ)
		}
		return fmt.Sprintf("RRSet with DNS name %s, type %s, SetIdentifier %s cannot be created as a non-weighted set exists with the same name and type", k.name, k.typ, k.set)
	}
	return ""
}

// checkInput refuses what Route53 refuses before looking at the zone.
func checkInput(c rrChange) error {
	r := c.ResourceRecordSet
	switch {
	case c.Action != "CREATE" && c.Action != "DELETE" && c.Action != "UPSERT":
		return &inputError{fmt.Sprintf("Invalid change action %q: want CREATE, DELETE or UPSERT", c.Action)}
	case r.Name == "" || r.Type == "":
		return &inputError{"Every ResourceRecordSet needs a Name and a Type"}
	case strings.ContainsAny(r.Name, " \t\r\n"):
		return &inputError{fmt.Sprintf("Name %q holds whitespace: escape it as \\040", r.Name)}
	case r.Weight != nil && r.SetIdentifier == "":
		return &inputError{fmt.Sprintf("Missing field 'SetIdentifier' in the weighted record set %s %s", r.Name, r.Type)}
	case r.Weight != nil && (*r.Weight < 0 || *r.Weight > 255):
		return &inputError{fmt.Sprintf("Weight %d of %s %s %s: want 0 to 255", *r.Weight, r.Name, r.Type, r.SetIdentifier)}
	case r.SetIdentifier != "" && r.Weight == nil && r.Region == "" && r.Failover == "" && r.MultiValueAnswer == nil:
		// GeoLocation and CIDR routing would be lost: kumo keeps neither.
		return &inputError{fmt.Sprintf("Record set %s %s has SetIdentifier %q but no Weight, Region, Failover or MultiValueAnswer; the sandbox keeps no other routing policy",
			r.Name, r.Type, r.SetIdentifier)}
	}
	return nil
}

// sameRecordSet reports whether a DELETE names the record set as it is:
// Route53 deletes only on an exact match of every value.
func sameRecordSet(a, b rrset) bool {
	return reflect.DeepEqual(normalRecordSet(a), normalRecordSet(b))
}

func normalRecordSet(r rrset) rrset {
	r.Name = canonicalName(r.Name)
	values := slices.Clone(r.ResourceRecords)
	slices.SortFunc(values, func(x, y rrValue) int { return strings.Compare(x.Value, y.Value) })
	if len(values) == 0 {
		values = nil
	}
	r.ResourceRecords = values
	if r.AliasTarget != nil {
		a := *r.AliasTarget
		a.DNSName = canonicalName(a.DNSName)
		r.AliasTarget = &a
	}
	return r
}
