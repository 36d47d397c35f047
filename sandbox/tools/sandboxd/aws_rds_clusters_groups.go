package main

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// DB cluster parameter groups exist so that a cluster can name them and a
// restore can be refused one the account lacks, as DB parameter groups do
// for instances (aws_rds_groups.go).

// createClusterParameterGroup is CreateDBClusterParameterGroup.
func (s *rdsService) createClusterParameterGroup(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBClusterParameterGroupName", "DBParameterGroupFamily", "Description"); e != nil {
		return nil, e
	}
	g := &rdsParameterGroup{Name: f.get("DBClusterParameterGroupName"), Family: f.get("DBParameterGroupFamily"),
		Description: f.get("Description"), Tags: f.tags()}
	if strings.HasPrefix(g.Name, "default.") {
		return nil, rdsFault(codeInvalidParameter, "Parameter group names starting with default. are reserved")
	}
	var out struct {
		Group xmlClusterParameterGroup `xml:"DBClusterParameterGroup"`
	}
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		if _, ok := d.ClusterParameterGroups[g.Name]; ok {
			return false, rdsFault(codeParameterGroupExists, "Parameter group %s already exists", g.Name)
		}
		d.ClusterParameterGroups[g.Name] = g
		out.Group = s.xmlClusterParameterGroup(g)
		return true, nil
	})
	return out, e
}

// describeClusterParameterGroups is DescribeDBClusterParameterGroups; a
// default.FAMILY group is found by name in every account.
func (s *rdsService) describeClusterParameterGroups(c *rdsCall) (any, *rdsError) {
	var out struct {
		Groups []xmlClusterParameterGroup `xml:"DBClusterParameterGroups>DBClusterParameterGroup"`
	}
	name := c.form.get("DBClusterParameterGroupName")
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		for _, k := range slices.Sorted(maps.Keys(d.ClusterParameterGroups)) {
			if name == "" || k == name {
				out.Groups = append(out.Groups, s.xmlClusterParameterGroup(d.ClusterParameterGroups[k]))
			}
		}
		if fam, ok := strings.CutPrefix(name, "default."); ok && len(out.Groups) == 0 {
			out.Groups = append(out.Groups, s.xmlClusterParameterGroup(&rdsParameterGroup{Name: name, Family: fam,
				Description: "Default cluster parameter group for " + fam}))
		}
		if name != "" && len(out.Groups) == 0 {
			return false, rdsNotFound(codeParameterGroupMissing, "DBClusterParameterGroup not found: %s", name)
		}
		return false, nil
	})
	return out, e
}

func (s *rdsService) xmlClusterParameterGroup(g *rdsParameterGroup) xmlClusterParameterGroup {
	return xmlClusterParameterGroup{DBClusterParameterGroupName: g.Name, DBParameterGroupFamily: g.Family,
		Description: g.Description, DBClusterParameterGroupArn: s.arn("cluster-pg", g.Name)}
}
