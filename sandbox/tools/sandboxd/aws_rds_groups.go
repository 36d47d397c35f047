package main

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Subnet and parameter groups exist so that an instance can name them and a
// restore can be refused one the account lacks. Their subnets and
// parameters are recorded, not modelled.

// createSubnetGroup is CreateDBSubnetGroup.
func (s *rdsService) createSubnetGroup(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBSubnetGroupName", "DBSubnetGroupDescription"); e != nil {
		return nil, e
	}
	g := &rdsSubnetGroup{Name: f.get("DBSubnetGroupName"), Description: f.get("DBSubnetGroupDescription"),
		Subnets: f.list("SubnetIds.SubnetIdentifier"), Tags: f.tags()}
	if len(g.Subnets) == 0 {
		return nil, rdsFault(codeMissingParameter, "The request must contain the parameter SubnetIds")
	}
	var out struct {
		DBSubnetGroup xmlSubnetGroup `xml:"DBSubnetGroup"`
	}
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		if _, ok := d.SubnetGroups[g.Name]; ok {
			return false, rdsFault(codeSubnetGroupExists, "The DB subnet group '%s' already exists.", g.Name)
		}
		d.SubnetGroups[g.Name] = g
		out.DBSubnetGroup = s.xmlSubnetGroup(g)
		return true, nil
	})
	return out, e
}

// describeSubnetGroups is DescribeDBSubnetGroups.
func (s *rdsService) describeSubnetGroups(c *rdsCall) (any, *rdsError) {
	var out struct {
		Groups []xmlSubnetGroup `xml:"DBSubnetGroups>DBSubnetGroup"`
	}
	name := c.form.get("DBSubnetGroupName")
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		for _, k := range slices.Sorted(maps.Keys(d.SubnetGroups)) {
			if name == "" || k == name {
				out.Groups = append(out.Groups, s.xmlSubnetGroup(d.SubnetGroups[k]))
			}
		}
		if name != "" && len(out.Groups) == 0 {
			return false, rdsNotFound(codeSubnetGroupNotFound, "DB Subnet group '%s' not found.", name)
		}
		return false, nil
	})
	return out, e
}

func (s *rdsService) xmlSubnetGroup(g *rdsSubnetGroup) xmlSubnetGroup {
	x := xmlSubnetGroup{DBSubnetGroupName: g.Name, DBSubnetGroupDescription: g.Description, VpcID: s.vpcID(),
		SubnetGroupStatus: "Complete", DBSubnetGroupArn: s.arn("subgrp", g.Name)}
	for i, sub := range g.Subnets {
		x.Subnets = append(x.Subnets, xmlSubnet{SubnetIdentifier: sub, AvailabilityZone: s.region + string(rune('a'+i%3)), SubnetStatus: "Active"})
	}
	return x
}

// vpcID is the account's one VPC.
func (s *rdsService) vpcID() string {
	h := sha256.Sum256([]byte("vpc/" + s.account))
	return fmt.Sprintf("vpc-%x", h[:9])[:21]
}

// createParameterGroup is CreateDBParameterGroup.
func (s *rdsService) createParameterGroup(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBParameterGroupName", "DBParameterGroupFamily", "Description"); e != nil {
		return nil, e
	}
	g := &rdsParameterGroup{Name: f.get("DBParameterGroupName"), Family: f.get("DBParameterGroupFamily"),
		Description: f.get("Description"), Tags: f.tags()}
	if strings.HasPrefix(g.Name, "default.") {
		return nil, rdsFault(codeInvalidParameter, "Parameter group names starting with default. are reserved")
	}
	var out struct {
		Group xmlParameterGroup `xml:"DBParameterGroup"`
	}
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		if _, ok := d.ParameterGroups[g.Name]; ok {
			return false, rdsFault(codeParameterGroupExists, "Parameter group %s already exists", g.Name)
		}
		d.ParameterGroups[g.Name] = g
		out.Group = s.xmlParameterGroup(g)
		return true, nil
	})
	return out, e
}

// describeParameterGroups is DescribeDBParameterGroups; a default.FAMILY
// group is found by name in every account.
func (s *rdsService) describeParameterGroups(c *rdsCall) (any, *rdsError) {
	var out struct {
		Groups []xmlParameterGroup `xml:"DBParameterGroups>DBParameterGroup"`
	}
	name := c.form.get("DBParameterGroupName")
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		for _, k := range slices.Sorted(maps.Keys(d.ParameterGroups)) {
			if name == "" || k == name {
				out.Groups = append(out.Groups, s.xmlParameterGroup(d.ParameterGroups[k]))
			}
		}
		if fam, ok := strings.CutPrefix(name, "default."); ok && len(out.Groups) == 0 {
			out.Groups = append(out.Groups, s.xmlParameterGroup(&rdsParameterGroup{Name: name, Family: fam,
				Description: "Default parameter group for " + fam}))
		}
		if name != "" && len(out.Groups) == 0 {
			return false, rdsNotFound(codeParameterGroupMissing, "DBParameterGroup not found: %s", name)
		}
		return false, nil
	})
	return out, e
}

func (s *rdsService) xmlParameterGroup(g *rdsParameterGroup) xmlParameterGroup {
	return xmlParameterGroup{DBParameterGroupName: g.Name, DBParameterGroupFamily: g.Family,
		Description: g.Description, DBParameterGroupArn: s.arn("pg", g.Name)}
}
