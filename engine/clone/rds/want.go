package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// want is the target instance the clone makes: the source's settings with
// every name through the mapping.
type want struct {
	class, engine, version, storageType string
	storage                             int32
	encrypted                           bool
	key                                 string // the target key's ARN, or an alias/aws/ alias AWS creates on first use
	keyName                             string // for people
	subnetGroup, parameterGroup         string
	securityGroups                      []string
	tags                                map[string]string
	multiAZ, public                     bool
}

// wanted maps the source instance and checks that the new account has the
// key, subnet group and parameter group the mapping names.
func (s *instanceStep) wanted(ctx context.Context, sd sides) (want, error) {
	src := sd.src
	w := want{class: aws.ToString(src.DBInstanceClass), engine: aws.ToString(src.Engine), version: aws.ToString(src.EngineVersion),
		storageType: aws.ToString(src.StorageType), storage: aws.ToInt32(src.AllocatedStorage), encrypted: aws.ToBool(src.StorageEncrypted),
		multiAZ: aws.ToBool(src.MultiAZ), public: aws.ToBool(src.PubliclyAccessible), tags: s.mapTags(src.TagList)}
	var err error
	if w.encrypted {
		if w.key, w.keyName, err = s.wantKey(ctx, sd.srcKey); err != nil {
			return w, err
		}
	}
	if src.DBSubnetGroup != nil {
		if w.subnetGroup, err = s.mapSubnetGroup(ctx, s.cfg.Target, aws.ToString(src.DBSubnetGroup.DBSubnetGroupName)); err != nil {
			return w, err
		}
	}
	if len(src.DBParameterGroups) > 0 {
		if w.parameterGroup, err = s.mapParameterGroup(ctx, s.cfg.Target, aws.ToString(src.DBParameterGroups[0].DBParameterGroupName)); err != nil {
			return w, err
		}
	}
	w.securityGroups, err = s.mapSecurityGroups(src.VpcSecurityGroups)
	return w, err
}

// have is an instance's settings in want's terms.
func have(in *types.DBInstance) want {
	h := want{class: aws.ToString(in.DBInstanceClass), engine: aws.ToString(in.Engine), version: aws.ToString(in.EngineVersion),
		storageType: aws.ToString(in.StorageType), storage: aws.ToInt32(in.AllocatedStorage), encrypted: aws.ToBool(in.StorageEncrypted),
		key: aws.ToString(in.KmsKeyId), multiAZ: aws.ToBool(in.MultiAZ), public: aws.ToBool(in.PubliclyAccessible), tags: tagMap(in.TagList),
		securityGroups: securityGroupIDs(in.VpcSecurityGroups)}
	if in.DBSubnetGroup != nil {
		h.subnetGroup = aws.ToString(in.DBSubnetGroup.DBSubnetGroupName)
	}
	if len(in.DBParameterGroups) > 0 {
		h.parameterGroup = aws.ToString(in.DBParameterGroups[0].DBParameterGroupName)
	}
	return h
}

// differences lists each setting of h that is not w's, "name: want X, have Y".
// A key w names by alias (not created yet) matches any key.
func differences(w, h want) []string {
	var d diff
	d.cmp("class", w.class, h.class)
	d.cmp("engine", w.engine+" "+w.version, h.engine+" "+h.version)
	d.cmp("storage", fmt.Sprintf("%d GiB %s", w.storage, w.storageType), fmt.Sprintf("%d GiB %s", h.storage, h.storageType))
	d.cmp("encrypted", fmt.Sprint(w.encrypted), fmt.Sprint(h.encrypted))
	if !strings.HasPrefix(w.key, "alias/") {
		d.cmp("KMS key", w.key, h.key)
	}
	d.cmp("subnet group", w.subnetGroup, h.subnetGroup)
	d.cmp("parameter group", w.parameterGroup, h.parameterGroup)
	d.cmp("security groups", strings.Join(w.securityGroups, ","), strings.Join(h.securityGroups, ","))
	d.cmp("multi-AZ", fmt.Sprint(w.multiAZ), fmt.Sprint(h.multiAZ))
	d.cmp("publicly accessible", fmt.Sprint(w.public), fmt.Sprint(h.public))
	d.tags("", w.tags, h.tags)
	return d
}

// render is the target instance for a change set: one setting a line.
func (w want) render(id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "identifier: %s\nengine: %s %s\nclass: %s\nstorage: %d GiB %s\n%s\n", id, w.engine, w.version, w.class, w.storage, w.storageType,
		encryption(w.encrypted, w.keyName))
	fmt.Fprintf(&b, "subnet group: %s\nparameter group: %s\nsecurity groups: [%s]\nmulti-AZ: %v\npublicly accessible: %v\n",
		shown(w.subnetGroup), shown(w.parameterGroup), strings.Join(w.securityGroups, ", "), w.multiAZ, w.public)
	renderTags(&b, "", w.tags)
	return b.String()
}
