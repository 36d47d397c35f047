package plan

import (
	"fmt"

	"github.com/ferry-dev/ferry/engine/rewrite"
)

// checkResources: names present and listed once; buckets renamed, because
// S3 bucket names are global and the old account still holds them.
func (d *decoder) checkResources(r *rawPlan) {
	kinds := []struct {
		key   string
		names []string
	}{{"sqs", r.Resources.SQS}, {"dynamodb", r.Resources.DynamoDB}, {"s3", r.Resources.S3}, {"iam", r.Resources.IAM},
		{"rds", r.Resources.RDS}, {"rdsClusters", r.Resources.RDSClusters}, {"route53", r.Resources.Route53}, {"secrets", r.Resources.Secrets}, {"ssm", r.Resources.SSM}}
	m := buildMapping(r)
	for _, k := range kinds {
		first := map[string]int{}
		for i, name := range k.names {
			p := fmt.Sprintf("resources.%s[%d]", k.key, i)
			switch prev, dup := first[name]; {
			case name == "":
				d.fail(p, "an empty name; give the resource's name in the old account")
			case dup:
				d.fail(p, "%q is listed twice (first at line %d); drop one", name, d.at(fmt.Sprintf("resources.%s[%d]", k.key, prev)).line)
			case k.key == "s3" && rewrite.String(m, name) == name:
				d.fail(p, "bucket %q would keep its name, but bucket names are global and the old account still holds it; add a mapping.names rule (e.g. from: acme-legacy-*, to: acme-platform-*)", name)
			default:
				first[name] = i
			}
		}
	}
}
