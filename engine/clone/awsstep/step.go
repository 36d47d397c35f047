// Package awsstep is what the runbook steps that clone one AWS resource
// (an SQS queue, an IAM role, a Route 53 zone, a secret, SSM parameters)
// share: their title, dependencies and scope; errors that name the step;
// the refusal of a configuration that could write to the old account;
// undo records saved before a write and checked when read back; Verify's
// checks of an absent resource and of old account ids; and the tag diffs
// of Apply, Verify and Rollback. Each step keeps its own configuration and
// AWS calls; this package holds no client.
package awsstep

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Step is the part of an AWS clone step that only names things and
// guards the accounts. A step embeds it, filled in by its constructor from
// the step's configuration, and so has ID, Kind, Title, Deps and Scope; it
// adds Plan, Apply, Verify and Rollback.
type Step struct {
	// StepID and StepKind are what ID and Kind return.
	StepID, StepKind string
	// Verb and Noun say what the step does to what, as a title starts:
	// "Clone" and "SQS queue" title it "Clone SQS queue orders to EKS" and
	// start its errors "clone SQS queue orders: ".
	Verb, Noun string
	// Resource is the resource's kind in Verify's evidence ("queue": "no
	// queue orders in EKS"), API the service its clients call ("SQS": "the
	// step has no SQS client").
	Resource, API string
	// HaveClients says the step has both its clients, the old account's
	// and the new one's: CheckConfig refuses it otherwise.
	HaveClients bool
	// OldName is the resource's name in the old account, NewName its name
	// in the new one (OldName through the mapping).
	OldName, NewName string
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids, Mapping
	// its mapping table: every account it maps from is an old one too.
	SourceAccount, TargetAccount string
	Mapping                      rewrite.Mapping
	// Needs are the steps to run first, Deps; Namespace and Service scope
	// the step for runbook filters, empty meaning runbook-wide.
	Needs              []string
	Namespace, Service string
}

// ID is StepID.
func (s *Step) ID() string { return s.StepID }

// Kind is StepKind.
func (s *Step) Kind() string { return s.StepKind }

// Title names the resource (and its new name, when the mapping renames
// it) and the target.
func (s *Step) Title() string {
	if s.NewName != s.OldName {
		return fmt.Sprintf("%s %s %s as %s to %s", s.Verb, s.Noun, s.OldName, s.NewName, s.TargetLabel)
	}
	return fmt.Sprintf("%s %s %s to %s", s.Verb, s.Noun, s.OldName, s.TargetLabel)
}

// Deps are the configured steps.
func (s *Step) Deps() []string { return append([]string(nil), s.Needs...) }

// Scope is the configured namespace and service.
func (s *Step) Scope() (namespace, service string) { return s.Namespace, s.Service }

// Fail is an error naming the step and the resource's old name, then
// format and args as fmt.Errorf has them (%w included).
func (s *Step) Fail(format string, args ...any) error {
	return fmt.Errorf("%s %s %s: "+format, append([]any{strings.ToLower(s.Verb), s.Noun, s.OldName}, args...)...)
}

// CheckConfig refuses a configuration that could write to the old account
// or compare against nothing: a step without both clients (HaveClients
// false), then the step's own refusals (more, in order), then a target
// account that is unnamed or an old one.
func (s *Step) CheckConfig(more ...func() error) error {
	if !s.HaveClients {
		return s.Fail("the step has no %s client for the source or the target; build it with both", s.API)
	}
	for _, check := range more {
		if err := check(); err != nil {
			return err
		}
	}
	switch {
	case s.TargetAccount == "":
		return s.Fail("the plan names no target account id; set target.aws.account in the plan")
	case s.TargetAccount == s.SourceAccount || s.Mapping.Accounts[s.TargetAccount] != "":
		return s.Fail("target account %s is an old account; fix the plan's target.aws.account or mapping.accounts", s.TargetAccount)
	}
	return nil
}

// Save records undo, an undo record, through rec, durably, before the
// write it describes: a write whose record could not be saved is not made.
func (s *Step) Save(rec runbook.Recorder, undo any) error {
	raw, err := json.Marshal(undo)
	if err != nil {
		return s.Fail("encode the undo record: %w", err)
	}
	if err := rec.Save(raw); err != nil {
		return s.Fail("save the undo record before writing: %w; nothing was written, fix the journal's storage and apply again", err)
	}
	return nil
}

// Undo is an undo record that says which resource, in which account, the
// write it describes went to.
type Undo interface {
	UndoTarget() (name, account string)
}

// ReadUndo decodes raw, the i'th undo record (from 0), into u, and refuses
// one the step did not write: for another resource or account than its
// NewName in TargetAccount.
func (s *Step) ReadUndo(i int, raw json.RawMessage, u Undo) error {
	if err := json.Unmarshal(raw, u); err != nil {
		return s.Fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
	}
	if name, account := u.UndoTarget(); name != s.NewName || account != s.TargetAccount {
		return s.Fail("undo record %d is for %s %s in account %s, not %s in %s; it was not written by this step",
			i+1, s.Resource, name, account, s.NewName, s.TargetAccount)
	}
	return nil
}
