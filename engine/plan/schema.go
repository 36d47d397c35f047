package plan

// The raw* types mirror ferry.yaml field for field; the decoder fills them
// from the node tree and records where each value was, so validation can
// point at it. The yaml tags are the file's field names (and the list offered
// when a name is misspelt). A `plan:"scalar"` field accepts any scalar, so its
// validator can say something better than "wrong type" (an unquoted account
// id, an ANSI colour number).

type rawPlan struct {
	APIVersion  string       `yaml:"apiVersion"`
	Kind        string       `yaml:"kind"`
	Environment rawEnv       `yaml:"environment"`
	Source      rawSide      `yaml:"source"`
	Target      rawSide      `yaml:"target"`
	Namespaces  []string     `yaml:"namespaces"`
	Mapping     rawMapping   `yaml:"mapping"`
	Services    []rawService `yaml:"services"`
	Resources   rawResources `yaml:"resources"`
	Cutover     *rawCutover  `yaml:"cutover"`
}

// rawResources names the old account's resources to clone, by kind.
type rawResources struct {
	SQS         []string `yaml:"sqs"`
	DynamoDB    []string `yaml:"dynamodb"`
	S3          []string `yaml:"s3"`
	IAM         []string `yaml:"iam"`
	RDS         []string `yaml:"rds"`
	RDSClusters []string `yaml:"rdsClusters"`
	RDSShareKey string   `yaml:"rdsShareKey"`
	Route53     []string `yaml:"route53"`
	Secrets     []string `yaml:"secrets"`
	SSM         []string `yaml:"ssm"`
}

type rawEnv struct {
	Name      string `yaml:"name"`
	Protected bool   `yaml:"protected"`
}

type rawSide struct {
	Label string  `yaml:"label"`
	Color string  `yaml:"color" plan:"scalar"`
	Kube  rawKube `yaml:"kube"`
	AWS   rawAWS  `yaml:"aws"`
}

type rawKube struct {
	Context string  `yaml:"context"`
	EKS     *rawEKS `yaml:"eks"`
}

type rawEKS struct {
	Cluster string `yaml:"cluster"`
	Region  string `yaml:"region"`
}

type rawAWS struct {
	Profile string `yaml:"profile"`
	Region  string `yaml:"region"`
	Account string `yaml:"account" plan:"scalar"`
	Alias   string `yaml:"alias"`
}

type rawMapping struct {
	Accounts       map[string]string `yaml:"accounts"`
	Registries     map[string]string `yaml:"registries"`
	Names          []rawRename       `yaml:"names"`
	StorageClasses map[string]string `yaml:"storageClasses"`
	IngressClasses map[string]string `yaml:"ingressClasses"`
	NodeSelectors  []rawNodeSelector `yaml:"nodeSelectors"`
	Namespaces     map[string]string `yaml:"namespaces"`
	KMSKeys        map[string]string `yaml:"kmsKeys"`
	IRSA           bool              `yaml:"irsa"`
	Ignore         rawIgnore         `yaml:"ignore"`
}

type rawRename struct {
	Kind string `yaml:"kind"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

type rawNodeSelector struct {
	From map[string]string `yaml:"from"`
	To   map[string]string `yaml:"to"`
}

type rawIgnore struct {
	Annotations []string `yaml:"annotations"`
	Labels      []string `yaml:"labels"`
}

type rawService struct {
	Namespace string     `yaml:"namespace"`
	Name      string     `yaml:"name"`
	Probes    []rawProbe `yaml:"probes"`
}

type rawProbe struct {
	Name      string `yaml:"name"`
	Path      string `yaml:"path"`
	SourceURL string `yaml:"sourceURL"`
	TargetURL string `yaml:"targetURL"`
	Method    string `yaml:"method"`
	Expect    int    `yaml:"expect"`
	// Headers are sent with the request; Body is its body.
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	// Compare lists JSON fields (gjson paths) whose values must be equal on
	// both sides; compareBody compares whole bodies by hash.
	Compare     []string `yaml:"compare"`
	CompareBody bool     `yaml:"compareBody"`
}

// rawCutover is the traffic shift of one service, as stages.
type rawCutover struct {
	Service  string           `yaml:"service"` // namespace/name, one of services
	Interval string           `yaml:"interval" plan:"scalar"`
	Routers  []rawRouter      `yaml:"routers"`
	Gates    *rawGates        `yaml:"gates"`
	Steps    []rawCutoverStep `yaml:"steps"`
}

// rawRouter is one of route53, alb or apiGateway.
type rawRouter struct {
	Route53    *rawRoute53Router `yaml:"route53"`
	ALB        *rawALBRouter     `yaml:"alb"`
	APIGateway *rawAPIGWRouter   `yaml:"apiGateway"`
}

type rawRoute53Router struct {
	Account     string `yaml:"account"` // source or target: whose AWS profile reaches the zone
	Zone        string `yaml:"zone"`
	Record      string `yaml:"record"`
	Type        string `yaml:"type"`
	TargetValue string `yaml:"targetValue"`
	SourceID    string `yaml:"sourceId"`
	TargetID    string `yaml:"targetId"`
}

type rawALBRouter struct {
	Account           string `yaml:"account"`
	Listener          string `yaml:"listener"`
	Rule              string `yaml:"rule"`
	SourceTargetGroup string `yaml:"sourceTargetGroup"`
	TargetTargetGroup string `yaml:"targetTargetGroup"`
}

type rawAPIGWRouter struct {
	Account          string            `yaml:"account"`
	RestAPI          string            `yaml:"restApi"`
	Stage            string            `yaml:"stage"`
	TargetDeployment string            `yaml:"targetDeployment"`
	CanaryVariables  map[string]string `yaml:"canaryVariables"`
}

type rawGates struct {
	Probes    *bool         `yaml:"probes"`
	ReadyPods *bool         `yaml:"readyPods"`
	ErrorRate *rawErrorRate `yaml:"errorRate"`
}

type rawErrorRate struct {
	Max    string `yaml:"max" plan:"scalar"`
	Margin string `yaml:"margin" plan:"scalar"`
	Window string `yaml:"window" plan:"scalar"`
}

type rawCutoverStep struct {
	Percent int    `yaml:"percent"`
	Dwell   string `yaml:"dwell" plan:"scalar"`
	Auto    bool   `yaml:"auto"`
}
