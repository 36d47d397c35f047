// Package r53 moves a name's traffic between two Route53 weighted records:
// one with the set identifier of the old side ("source") and one of the new
// side ("target"), on the same name and type. Weights are written as the
// percentages themselves (source + target = 100, inside Route53's 0..255),
// both in one change batch, so resolvers never see a half-made change.
//
// Reading back, the target's share is w_t*100/(w_s+w_t) rounded to the
// nearest percent. Route53 splits evenly between records that all weigh 0,
// so 0/0 reads as 50/50: Read says what resolvers get, and Set never writes
// 0/0. A missing target record reads as 0 (all to the source); Set creates
// it, with the source record's TTL, only when it must carry traffic.
package r53

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/ferry-dev/ferry/engine/cutover"
)

// Client is the part of the Route53 API the router calls; *route53.Client
// satisfies it.
type Client interface {
	GetHostedZone(ctx context.Context, in *route53.GetHostedZoneInput, opts ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error)
	ListHostedZonesByName(ctx context.Context, in *route53.ListHostedZonesByNameInput, opts ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error)
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	GetChange(ctx context.Context, in *route53.GetChangeInput, opts ...func(*route53.Options)) (*route53.GetChangeOutput, error)
}

// Config says which records the router moves traffic between.
type Config struct {
	Client Client
	// ZoneID ("Z0123..." or "/hostedzone/Z0123...") or ZoneName
	// ("acme.example.") finds the hosted zone; the id wins, and a name
	// shared by a public and a private zone needs the id.
	ZoneID, ZoneName string
	// RecordName is the weighted name, e.g. "shop.acme.example.".
	RecordName string
	// Type is "CNAME", "A" or "AAAA" (A and AAAA may be alias records).
	Type string
	// SourceID and TargetID are the set identifiers of the old and new
	// side's records; "source" and "target" when empty.
	SourceID, TargetID string
	// TargetValue is the value of the target record when Set must create
	// it (the new ingress's host name for a CNAME, an address for A).
	TargetValue string
	// TargetAlias is the alias target of a created target record instead,
	// when the source record is an alias (e.g. to the old load balancer).
	TargetAlias *types.AliasTarget
	// PollInterval is the first wait between GetChange calls (1s when
	// zero); it doubles up to maxPoll. SyncTimeout bounds the whole wait
	// for INSYNC (5m when zero).
	PollInterval, SyncTimeout time.Duration
}

// maxPoll caps the wait between two GetChange calls.
const maxPoll = 10 * time.Second

// aliasTTL is how long resolvers cache an alias answer: an alias record
// has no TTL of its own, and Route53 answers aliases to load balancers
// and CloudFront with 60 seconds.
const aliasTTL = 60 * time.Second

// ChangeKind is the kind of the router's planned changes.
const ChangeKind = "AWS::Route53::RecordSet"

// Router shifts traffic between the two weighted records. It holds no
// state between calls: every method reads Route53 again.
type Router struct {
	cfg  Config
	name string // normalised: lower case with the trailing dot
	typ  types.RRType
}

var _ cutover.Router = (*Router)(nil)

// New checks cfg and returns its router.
func New(cfg Config) (*Router, error) {
	if cfg.Client == nil {
		return nil, errors.New("route53 router: no Route53 client")
	}
	if cfg.RecordName == "" {
		return nil, errors.New("route53 router: no record name; name the weighted record, e.g. shop.acme.example.")
	}
	r := &Router{cfg: cfg, name: fqdn(cfg.RecordName), typ: types.RRType(strings.ToUpper(cfg.Type))}
	if r.typ != types.RRTypeCname && r.typ != types.RRTypeA && r.typ != types.RRTypeAaaa {
		return nil, fmt.Errorf("route53 router %s: type %q: want CNAME, A or AAAA", r.name, cfg.Type)
	}
	if cfg.ZoneID == "" && cfg.ZoneName == "" {
		return nil, fmt.Errorf("route53 router %s: no hosted zone; set the zone id or the zone name", r.name)
	}
	if cfg.TargetValue != "" && cfg.TargetAlias != nil {
		return nil, fmt.Errorf("route53 router %s: both a target value and a target alias; set the one matching the source record", r.name)
	}
	if r.cfg.SourceID == "" {
		r.cfg.SourceID = "source"
	}
	if r.cfg.TargetID == "" {
		r.cfg.TargetID = "target"
	}
	if r.cfg.SourceID == r.cfg.TargetID {
		return nil, fmt.Errorf("route53 router %s: source and target share the set identifier %q", r.name, r.cfg.SourceID)
	}
	if r.cfg.PollInterval <= 0 {
		r.cfg.PollInterval = time.Second
	}
	if r.cfg.SyncTimeout <= 0 {
		r.cfg.SyncTimeout = 5 * time.Minute
	}
	return r, nil
}

// Name is "route53 shop.acme.example. CNAME".
func (r *Router) Name() string { return fmt.Sprintf("route53 %s %s", r.name, r.typ) }

// Kind is "route53".
func (r *Router) Kind() string { return "route53" }

// fqdn is a DNS name as Route53 lists it: lower case, trailing dot.
func fqdn(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// zone is a resolved hosted zone.
type zone struct {
	id   string // without the /hostedzone/ prefix
	name string // normalised
}

func (z zone) String() string { return fmt.Sprintf("%s (%s)", z.name, z.id) }

// fail prefixes an error with the record, and the zone when known.
func (r *Router) fail(z zone, format string, args ...any) error {
	where := r.Name()
	if z.id != "" {
		where += " in zone " + z.String()
	}
	return fmt.Errorf(where+": "+format, args...)
}
