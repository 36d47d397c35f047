// Package route53 holds the runbook step that copies one Route 53 hosted
// zone's records from the old AWS account into a zone of the new one
// (created when absent). The apex NS and SOA records belong to each zone
// and are never copied. Record names, values, alias targets, health check
// and CIDR collection ids pass through the plan's mapping; a record whose
// alias target, health check or traffic policy the mapping cannot carry
// into the new account is not copied: the plan says so and Verify fails
// naming it.
//
// Records are written with UPSERT in change batches that respect Route 53's
// limits, each batch all-or-nothing, and only the records that differ are
// sent, so a second apply writes nothing and an apply cut short resumes
// without duplicates. Before each batch the records' previous state is
// saved for rollback.
//
// The old account is only ever read: the source client's type (SourceAPI)
// has no method that writes.
package route53

import (
	"cmp"
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// Kind is the runbook step kind of a zone clone.
const Kind = "clone-route53"

// Kinds of the Changes in a zone clone's change set.
const (
	ChangeKindZone   = "AWS::Route53::HostedZone"
	ChangeKindRecord = "AWS::Route53::RecordSet"
)

// SourceAPI is the part of Route 53 the step reads in the old account. The
// real *route53.Client satisfies it; nothing in it writes.
type SourceAPI interface {
	ListHostedZonesByName(ctx context.Context, in *route53.ListHostedZonesByNameInput, opts ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error)
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
}

// TargetAPI is the part of Route 53 the step calls in the new account: the
// reads, and the writes Apply and Rollback make. The real *route53.Client
// satisfies it.
type TargetAPI interface {
	SourceAPI
	CreateHostedZone(ctx context.Context, in *route53.CreateHostedZoneInput, opts ...func(*route53.Options)) (*route53.CreateHostedZoneOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	DeleteHostedZone(ctx context.Context, in *route53.DeleteHostedZoneInput, opts ...func(*route53.Options)) (*route53.DeleteHostedZoneOutput, error)
}

// ZoneConfig is what a zone clone step needs.
type ZoneConfig struct {
	// Zone is the hosted zone's name in the old account, with or without
	// the trailing dot ("acme.internal"). Its name in the new account is
	// Zone through the mapping.
	Zone string
	// Source reads the old account; Target reads and writes the new one.
	Source SourceAPI
	Target TargetAPI
	// Mapping is the plan's mapping table. A rename rule whose From is an
	// old hosted zone id (or load balancer, health check or CIDR
	// collection name) and To the new one lets alias targets and routing
	// references follow.
	Mapping rewrite.Mapping
	// TargetLabel is the plan's name for the target, e.g. "EKS".
	TargetLabel string
	// SourceAccount and TargetAccount are the plan's account ids. No record
	// written may hold SourceAccount, nor any old account of the mapping.
	SourceAccount, TargetAccount string
	// Deps are steps to run first, e.g. preflight.
	Deps []string
	// Namespace and Service scope the step for runbook filters; empty
	// means runbook-wide.
	Namespace, Service string
}

// zoneStep clones one zone. It keeps no state between calls: every method
// reads both accounts again. Its OldName and NewName are the zone's names
// in Route 53's form, with the trailing dot.
type zoneStep struct {
	awsstep.Step
	cfg    ZoneConfig
	limits limits
}

// NewZoneStep returns the runbook step that copies one hosted zone.
func NewZoneStep(cfg ZoneConfig) runbook.Step {
	src := fqdn(cfg.Zone)
	return &zoneStep{cfg: cfg, limits: apiLimits, Step: awsstep.Step{StepID: StepID(cfg.Zone), StepKind: Kind, HaveClients: cfg.Source != nil && cfg.Target != nil,
		Verb: "Copy", Noun: "Route 53 zone", Resource: "zone", API: "Route 53",
		OldName: src, NewName: fqdn(rewrite.String(cfg.Mapping, src)), TargetLabel: cmp.Or(cfg.TargetLabel, "target"),
		SourceAccount: cfg.SourceAccount, TargetAccount: cfg.TargetAccount, Mapping: cfg.Mapping,
		Needs: cfg.Deps, Namespace: cfg.Namespace, Service: cfg.Service}}
}

// StepID is the ID of the step that copies the zone: "aws/route53/<zone>",
// the name without its trailing dot.
func StepID(zone string) string { return "aws/route53/" + strings.TrimSuffix(zone, ".") }

// checkConfig refuses a configuration that could write to the old account
// or compare against nothing.
func (s *zoneStep) checkConfig() error {
	return s.CheckConfig(func() error {
		if strings.Trim(s.cfg.Zone, ".") == "" {
			return s.Fail("no zone name; list zones by name under resources.route53 in the plan")
		}
		return nil
	})
}

// fqdn is a DNS name in Route 53's form: lower case, with the trailing dot.
func fqdn(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}
