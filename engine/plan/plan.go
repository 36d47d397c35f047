// Package plan loads ferry.yaml, the plan file: which clusters and AWS
// accounts a migration moves between, the namespaces in scope, the mapping
// table and the services to probe. Load fills defaults and validates; every
// problem comes back at once, each naming file:line:col, the field and the
// fix. The rest of ferry only ever sees the typed Plan.
//
// The YAML is read with github.com/goccy/go-yaml rather than yaml.v3 because
// it gives every syntax error a line and column; yaml.go explains.
//
// Discover and RenderStarter are `ferry init`'s engine: they read both
// clusters and write a commented starter plan.
package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"reflect"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// APIVersion and Kind head every plan file; a new schema gets a new version
// so an old ferry refuses a plan it would misread.
const (
	APIVersion = "ferry.dev/v1alpha1"
	Kind       = "Plan"
)

// Plan is a validated plan file.
type Plan struct {
	// File is where the plan was read from, for messages.
	File        string
	Environment Environment
	Source      Side
	Target      Side
	// Namespaces are the source namespaces in scope, in file order.
	Namespaces []string
	Mapping    rewrite.Mapping
	// Services lists services to probe; empty means every workload found in
	// the namespaces.
	Services []Service
	// Resources are the old account's resources to clone into the new one.
	Resources Resources
	// Cutover is the traffic shift, nil when the plan has none.
	Cutover *Cutover
}

// Resources names, per kind, the old account's resources the runbook
// clones: queue names, table names, bucket names, role names. Their new
// names come from the mapping.
type Resources struct {
	SQS      []string
	DynamoDB []string
	S3       []string
	IAM      []string
	RDS      []string // DB instance identifiers
	// RDSClusters are DB cluster identifiers (Aurora, Multi-AZ clusters):
	// the cluster and its member instances are cloned together.
	RDSClusters []string
	// RDSShareKey is a customer-managed KMS key in the old account that the
	// new account may use: a database encrypted with the AWS-managed aws/rds
	// key, whose snapshots AWS never shares, has its snapshot copied under
	// this key first. Empty: such databases are refused.
	RDSShareKey string
	Route53     []string // hosted zone names
	Secrets     []string // Secrets Manager secret names
	SSM         []string // SSM parameter names or path prefixes ending in /
}

// Environment names what the plan migrates (staging, production). Protected
// environments demand typed confirmation before writes.
type Environment struct {
	Name      string
	Protected bool
}

// Side is one end of the migration: how to reach its cluster and AWS
// account, and how to show it.
type Side struct {
	Label string // short name shown everywhere, e.g. "KOPS"
	Color Color
	Kube  KubeTarget
	AWS   AWS
}

// KubeTarget says how to reach a cluster: a kubeconfig context, or an EKS
// cluster by name (exactly one of the two is set).
type KubeTarget struct {
	Context    string
	EKSCluster string
	EKSRegion  string
}

// IsEKS reports whether the cluster is reached through the EKS API.
func (k KubeTarget) IsEKS() bool { return k.EKSCluster != "" }

// String names the cluster for messages: "context kops" or "EKS cluster
// prod (us-east-1)".
func (k KubeTarget) String() string {
	if k.IsEKS() {
		return fmt.Sprintf("EKS cluster %s (%s)", k.EKSCluster, k.EKSRegion)
	}
	return "context " + k.Context
}

// AWS is a side's account: the shared-config profile to use, its region,
// and the account id the profile must resolve to.
type AWS struct {
	Profile string // "" means the SDK's default chain
	Region  string
	Account string // 12 digits
	Alias   string // typed to confirm destructive actions; may be ""
}

// Color is a side's colour: "#rrggbb" or an ANSI 256-colour number "0"-"255",
// the two forms terminal styling libraries take as a string.
type Color string

// Service is a service to probe on both sides.
type Service struct {
	Namespace string
	Name      string
	Probes    []Probe
}

// Probe is an HTTP check asked of both sides. Either Path is set (asked of
// each side's Service) or both URLs are.
type Probe struct {
	Name      string
	Path      string
	SourceURL *url.URL
	TargetURL *url.URL
	Method    string // GET unless the plan says otherwise
	Expect    int    // the status code that means healthy; 200 by default
	Headers   map[string]string
	Body      string
	// Compare are JSON fields (gjson paths) that must be equal on both
	// sides; CompareBody compares whole bodies by hash.
	Compare     []string
	CompareBody bool
}

// Load reads and validates a plan file. A validation failure is an Errors
// listing every problem.
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return Parse(path, data)
}

// Parse validates a plan's text; name is used in messages (usually the
// file's path). A failure is an Errors listing every problem.
func Parse(name string, data []byte) (*Plan, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, Errors{err.(*Error)}
	}
	if root == nil {
		return nil, Errors{{File: name, Line: 1, Col: 1,
			Msg: "the plan is empty; write a starter plan with ferry init --source CTX --target CTX"}}
	}
	if root.kind != mapNode {
		return nil, Errors{{File: name, Line: root.line, Col: root.col,
			Msg: fmt.Sprintf("a plan is a mapping of fields (apiVersion: %s, kind: %s, ...), got %s", APIVersion, Kind, root.describe())}}
	}
	d := newDecoder(name, data)
	var raw rawPlan
	d.decode(root, "", "", reflect.ValueOf(&raw).Elem(), false)
	d.validate(&raw)
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	p := build(&raw)
	p.File = name
	return p, nil
}

// Where the plan path came from, as Resolve reports it.
const (
	FromFlag    = "--plan"
	FromEnv     = "FERRY_PLAN"
	FromDefault = "./ferry.yaml"
)

// EnvPlan is the environment variable naming the plan file
// (`ferry sandbox env` sets it to the sandbox's plan).
const EnvPlan = "FERRY_PLAN"

// DefaultFile is the plan read when neither --plan nor FERRY_PLAN is set.
const DefaultFile = "ferry.yaml"

// Resolve picks the plan file: the --plan flag, else $FERRY_PLAN, else
// ./ferry.yaml. source says which, for messages.
func Resolve(flag string) (path, source string) {
	if flag != "" {
		return flag, FromFlag
	}
	if env := os.Getenv(EnvPlan); env != "" {
		return env, FromEnv
	}
	return DefaultFile, FromDefault
}

// Open resolves the plan file and loads it. A missing file is explained:
// which of --plan, FERRY_PLAN or the default named it, and how to make one.
func Open(flag string) (*Plan, error) {
	path, source := Resolve(flag)
	p, err := Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		var how string
		switch source {
		case FromFlag:
			how = "named by --plan"
		case FromEnv:
			how = "named by $" + EnvPlan
		default:
			how = "the default, as neither --plan nor $" + EnvPlan + " is set"
		}
		return nil, fmt.Errorf("plan file %s (%s) does not exist; write one with `ferry init --source CTX --target CTX -o %s`, "+
			"or for the sandbox run eval \"$(ferry sandbox env)\"", path, how, path)
	}
	return p, err
}
