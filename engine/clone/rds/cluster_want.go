package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// clusterWant is the target cluster the clone makes: the source's settings
// with every name through the mapping.
type clusterWant struct {
	engine, version             string
	port                        int32
	encrypted                   bool
	key, keyName                string // as want's
	subnetGroup, parameterGroup string
	securityGroups              []string
	iamAuth                     bool
	minACU, maxACU              float64 // Aurora Serverless v2 capacity; 0 when the cluster has none
	tags                        map[string]string
	members                     []memberWant // the writer first
}

// memberWant is one member instance the clone creates in the cluster.
type memberWant struct {
	source, id                    string // in the old account, in the new
	writer                        bool   // the source's writer: created first, so AWS makes it the writer
	class, engine, parameterGroup string
	tier                          int32
	public                        bool
	tags                          map[string]string
}

// wanted maps the source cluster and its members and checks that the new
// account has the key and the groups the mapping names.
func (s *clusterStep) wanted(ctx context.Context, sd clusterSides) (clusterWant, error) {
	src := sd.src
	w := clusterWant{engine: aws.ToString(src.Engine), version: aws.ToString(src.EngineVersion), port: aws.ToInt32(src.Port),
		encrypted: aws.ToBool(src.StorageEncrypted), iamAuth: aws.ToBool(src.IAMDatabaseAuthenticationEnabled), tags: s.mapTags(src.TagList)}
	if sv := src.ServerlessV2ScalingConfiguration; sv != nil {
		w.minACU, w.maxACU = aws.ToFloat64(sv.MinCapacity), aws.ToFloat64(sv.MaxCapacity)
	}
	var err error
	if w.encrypted {
		if w.key, w.keyName, err = s.wantKey(ctx, sd.srcKey); err != nil {
			return w, err
		}
	}
	if g := aws.ToString(src.DBSubnetGroup); g != "" {
		if w.subnetGroup, err = s.mapSubnetGroup(ctx, s.cfg.Target, g); err != nil {
			return w, err
		}
	}
	if g := aws.ToString(src.DBClusterParameterGroup); g != "" {
		if w.parameterGroup, err = s.mapClusterParameterGroup(ctx, s.cfg.Target, g); err != nil {
			return w, err
		}
	}
	if w.securityGroups, err = s.mapSecurityGroups(src.VpcSecurityGroups); err != nil {
		return w, err
	}
	for _, in := range sd.members {
		m := memberWant{source: aws.ToString(in.DBInstanceIdentifier), id: s.mapName(aws.ToString(in.DBInstanceIdentifier)),
			writer: sd.writer(aws.ToString(in.DBInstanceIdentifier)), class: aws.ToString(in.DBInstanceClass), engine: aws.ToString(in.Engine),
			tier: aws.ToInt32(in.PromotionTier), public: aws.ToBool(in.PubliclyAccessible), tags: s.mapTags(in.TagList)}
		if len(in.DBParameterGroups) > 0 {
			if m.parameterGroup, err = s.mapParameterGroup(ctx, s.cfg.Target, aws.ToString(in.DBParameterGroups[0].DBParameterGroupName)); err != nil {
				return w, err
			}
		}
		w.members = append(w.members, m)
	}
	return w, nil
}

// haveCluster is a cluster's own settings in clusterWant's terms, without
// its members; its key is named by ARN.
func haveCluster(cl *types.DBCluster) clusterWant {
	h := clusterWant{engine: aws.ToString(cl.Engine), version: aws.ToString(cl.EngineVersion), port: aws.ToInt32(cl.Port),
		encrypted: aws.ToBool(cl.StorageEncrypted), key: aws.ToString(cl.KmsKeyId), keyName: aws.ToString(cl.KmsKeyId), subnetGroup: aws.ToString(cl.DBSubnetGroup),
		parameterGroup: aws.ToString(cl.DBClusterParameterGroup), securityGroups: securityGroupIDs(cl.VpcSecurityGroups),
		iamAuth: aws.ToBool(cl.IAMDatabaseAuthenticationEnabled), tags: tagMap(cl.TagList)}
	if sv := cl.ServerlessV2ScalingConfiguration; sv != nil {
		h.minACU, h.maxACU = aws.ToFloat64(sv.MinCapacity), aws.ToFloat64(sv.MaxCapacity)
	}
	return h
}

// haveMember is a member instance in memberWant's terms.
func haveMember(in *types.DBInstance) memberWant {
	m := memberWant{id: aws.ToString(in.DBInstanceIdentifier), class: aws.ToString(in.DBInstanceClass), engine: aws.ToString(in.Engine),
		tier: aws.ToInt32(in.PromotionTier), public: aws.ToBool(in.PubliclyAccessible), tags: tagMap(in.TagList)}
	if len(in.DBParameterGroups) > 0 {
		m.parameterGroup = aws.ToString(in.DBParameterGroups[0].DBParameterGroupName)
	}
	return m
}

// clusterDifferences lists each cluster setting of h that is not w's. A
// key w names by alias (not created yet) matches any key.
func clusterDifferences(w, h clusterWant) []string {
	var d diff
	d.cmp("engine", w.engine+" "+w.version, h.engine+" "+h.version)
	d.cmp("port", fmt.Sprint(w.port), fmt.Sprint(h.port))
	d.cmp("encrypted", fmt.Sprint(w.encrypted), fmt.Sprint(h.encrypted))
	if !strings.HasPrefix(w.key, "alias/") {
		d.cmp("KMS key", w.key, h.key)
	}
	d.cmp("subnet group", w.subnetGroup, h.subnetGroup)
	d.cmp("cluster parameter group", w.parameterGroup, h.parameterGroup)
	d.cmp("security groups", strings.Join(w.securityGroups, ","), strings.Join(h.securityGroups, ","))
	d.cmp("IAM database authentication", fmt.Sprint(w.iamAuth), fmt.Sprint(h.iamAuth))
	d.cmp("serverless v2 capacity", w.capacity(), h.capacity())
	d.tags("", w.tags, h.tags)
	return d
}

// memberDifferences lists each setting of member h that is not w's, each
// line naming the member.
func memberDifferences(w, h memberWant) []string {
	var d diff
	d.cmp("class", w.class, h.class)
	d.cmp("engine", w.engine, h.engine)
	d.cmp("parameter group", w.parameterGroup, h.parameterGroup)
	d.cmp("promotion tier", fmt.Sprint(w.tier), fmt.Sprint(h.tier))
	d.cmp("publicly accessible", fmt.Sprint(w.public), fmt.Sprint(h.public))
	d.tags("", w.tags, h.tags)
	for i := range d {
		d[i] = "member " + w.id + " " + d[i]
	}
	return d
}

func (w clusterWant) capacity() string {
	if w.minACU == 0 && w.maxACU == 0 {
		return ""
	}
	return fmt.Sprintf("%g-%g ACUs", w.minACU, w.maxACU)
}

// render is the target cluster for a change set: one setting a line.
func (w clusterWant) render(id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "identifier: %s\nengine: %s %s\nport: %d\n%s\n", id, w.engine, w.version, w.port, encryption(w.encrypted, w.keyName))
	fmt.Fprintf(&b, "subnet group: %s\ncluster parameter group: %s\nsecurity groups: [%s]\nIAM database authentication: %v\n",
		shown(w.subnetGroup), shown(w.parameterGroup), strings.Join(w.securityGroups, ", "), w.iamAuth)
	if c := w.capacity(); c != "" {
		fmt.Fprintf(&b, "serverless v2 capacity: %s\n", c)
	}
	renderTags(&b, "", w.tags)
	if len(w.members) > 0 {
		b.WriteString("members:\n")
	}
	for _, m := range w.members {
		fmt.Fprintf(&b, "  - %s\n", m.id)
	}
	return b.String()
}

// render is a member instance for a change set.
func (m memberWant) render(cluster string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "identifier: %s\ncluster: %s\nclass: %s\nengine: %s\nparameter group: %s\npromotion tier: %d\npublicly accessible: %v\n",
		m.id, cluster, m.class, m.engine, shown(m.parameterGroup), m.tier, m.public)
	if m.writer {
		b.WriteString("role: writer (created first)\n")
	}
	renderTags(&b, "", m.tags)
	return b.String()
}
