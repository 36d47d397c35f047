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
}

// rawResources names the old account's resources to clone, by kind.
type rawResources struct {
	SQS      []string `yaml:"sqs"`
	DynamoDB []string `yaml:"dynamodb"`
	S3       []string `yaml:"s3"`
	IAM      []string `yaml:"iam"`
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
}
