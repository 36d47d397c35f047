package main

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// rdsSharedPath is where a front tells its peers which snapshots it shares
// with them: GET ?account=ID answers the snapshots whose restore attribute
// names ID, as JSON. Only the sandbox's own accounts ask.
const rdsSharedPath = "/ferry-sandbox/rds/shared"

type attributesResult struct {
	Result xmlSnapshotAttributes `xml:"DBSnapshotAttributesResult"`
}

// modifySnapshotAttribute is ModifyDBSnapshotAttribute of restore: the
// accounts that may copy or restore a manual snapshot. An encrypted
// snapshot cannot be public, and one encrypted with an AWS-managed key
// cannot be shared at all: no other account may use that key.
func (s *rdsService) modifySnapshotAttribute(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "DBSnapshotIdentifier", "AttributeName"); e != nil {
		return nil, e
	}
	if name := f.get("AttributeName"); name != "restore" {
		return nil, rdsFault(codeInvalidParameter, "Invalid snapshot attribute name %s: only restore can be modified", name)
	}
	add, remove := f.list("ValuesToAdd.AttributeValue"), f.list("ValuesToRemove.AttributeValue")
	for _, v := range add {
		if v != "all" && !accountIDPattern.MatchString(v) {
			return nil, rdsFault(codeInvalidParameter, "%s is not a valid AWS account id or all", v)
		}
	}
	var sn rdsSnapshot
	if e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownSnapshot(d, f.get("DBSnapshotIdentifier"))
		if e == nil {
			sn = *got
		}
		return false, e
	}); e != nil {
		return nil, e
	}
	if sn.Encrypted && len(add) > 0 {
		if slices.Contains(add, "all") {
			return nil, rdsFault(codeInvalidParameter, "Encrypted snapshots cannot be shared publicly; name the accounts instead of all")
		}
		_, managed, e := s.resolveKey(c, sn.KMSKeyID)
		if e != nil {
			return nil, e
		}
		if managed {
			return nil, rdsFault(codeInvalidParameter, "Snapshot %s is encrypted with the account's default AWS managed KMS key (%s), which other accounts cannot use, so it cannot be shared; copy it with a customer managed key and share the copy", sn.ID, defaultRDSKeyAlias)
		}
	}
	var out attributesResult
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownSnapshot(d, sn.ID)
		if e != nil {
			return false, e
		}
		if got.Status != statusAvailable {
			return false, rdsFault(codeSnapshotState, "Snapshot %s is not available (it is %s).", got.ID, got.Status)
		}
		for _, v := range add {
			if !slices.Contains(got.SharedWith, v) {
				got.SharedWith = append(got.SharedWith, v)
			}
		}
		got.SharedWith = slices.DeleteFunc(got.SharedWith, func(v string) bool { return slices.Contains(remove, v) })
		out.Result = restoreAttribute(got)
		return true, nil
	})
	return out, e
}

// describeSnapshotAttributes is DescribeDBSnapshotAttributes.
func (s *rdsService) describeSnapshotAttributes(c *rdsCall) (any, *rdsError) {
	if e := required(c.form, "DBSnapshotIdentifier"); e != nil {
		return nil, e
	}
	var out attributesResult
	e := s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		sn, e := s.ownSnapshot(d, c.form.get("DBSnapshotIdentifier"))
		if e == nil {
			out.Result = restoreAttribute(sn)
		}
		return false, e
	})
	return out, e
}

func restoreAttribute(sn *rdsSnapshot) xmlSnapshotAttributes {
	x := xmlSnapshotAttributes{DBSnapshotIdentifier: sn.ID}
	x.Attributes = append(x.Attributes, struct {
		AttributeName   string   `xml:"AttributeName"`
		AttributeValues []string `xml:"AttributeValues>AttributeValue"`
	}{"restore", slices.Clone(sn.SharedWith)})
	return x
}

// copySnapshot is CopyDBSnapshot from one of the account's snapshots or,
// by ARN, from one another account shares with it. A copy of an encrypted
// shared snapshot needs a key of this account (KmsKeyId), as in AWS.
func (s *rdsService) copySnapshot(c *rdsCall) (any, *rdsError) {
	f := c.form
	if e := required(f, "SourceDBSnapshotIdentifier", "TargetDBSnapshotIdentifier"); e != nil {
		return nil, e
	}
	src, dst, keyArg := f.get("SourceDBSnapshotIdentifier"), f.get("TargetDBSnapshotIdentifier"), f.get("KmsKeyId")
	sn, cross, e := s.copySource(c, src)
	if e != nil {
		return nil, e
	}
	if sn.Status != statusAvailable {
		return nil, rdsFault(codeSnapshotState, "Snapshot %s is not available (it is %s).", src, sn.Status)
	}
	if cross && sn.Encrypted && keyArg == "" {
		return nil, rdsFault(codeInvalidParameter, "KmsKeyId is required to copy an encrypted snapshot shared from account %s", arnAccountOf(sn.Arn))
	}
	if keyArg != "" {
		arn, _, e := s.resolveKey(c, keyArg)
		if e != nil {
			return nil, e
		}
		sn.KMSKeyID, sn.Encrypted = arn, true
	}
	tags := f.tags()
	if f.bool("CopyTags") {
		tags = append(slices.Clone(sn.Tags), tags...)
	}
	var out snapshotResult
	e = s.locked(func(d *rdsData, now time.Time) (bool, *rdsError) {
		if _, ok := d.Snapshots[dst]; ok {
			return false, rdsFault(codeSnapshotExists, "Cannot copy the snapshot because a snapshot with the identifier %s already exists.", dst)
		}
		cp := sn
		cp.ID, cp.Arn, cp.SourceArn, cp.SharedWith, cp.Tags = dst, s.arn("snapshot", dst), sn.Arn, nil, tags
		cp.Created, cp.Status, cp.Until = now, statusCreating, now.Add(s.delays.copy)
		d.Snapshots[dst] = &cp
		out.DBSnapshot = s.xmlSnapshot(&cp, now, false)
		return true, nil
	})
	return out, e
}

// copySource finds the snapshot a copy starts from: the account's own, or
// one a peer shares with it.
func (s *rdsService) copySource(c *rdsCall, ref string) (sn rdsSnapshot, cross bool, e *rdsError) {
	if acct, _, ok := parseSnapshotARN(ref); ok && acct != s.account {
		list, e := s.sharedFrom(c, acct)
		if e != nil {
			return sn, true, e
		}
		for _, got := range list {
			if got.Arn == ref {
				return got, true, nil
			}
		}
		return sn, true, rdsNotFound(codeSnapshotNotFound, "DBSnapshot %s not found: account %s does not share it with account %s.", ref, acct, s.account)
	}
	e = s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownSnapshot(d, ref)
		if e == nil {
			sn = *got
		}
		return false, e
	})
	return sn, false, e
}

// sharedFrom asks peer account acct which snapshots it shares with this
// account; an account that is no peer shares nothing.
func (s *rdsService) sharedFrom(c *rdsCall, acct string) ([]rdsSnapshot, *rdsError) {
	base, ok := s.peers[acct]
	if !ok {
		return nil, nil
	}
	u := base + rdsSharedPath + "?" + url.Values{"account": {s.account}}.Encode()
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, rdsInternal("ask account %s for its shared snapshots: %v", acct, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, rdsInternal("ask account %s for its shared snapshots at %s: %v", acct, base, err)
	}
	defer resp.Body.Close()
	var list []rdsSnapshot
	if resp.StatusCode != http.StatusOK {
		return nil, rdsInternal("account %s answered %s for its shared snapshots", acct, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, rdsInternal("decode account %s's shared snapshots: %v", acct, err)
	}
	return list, nil
}

// serveShared answers a peer: the snapshots shared with its account.
func (s *rdsService) serveShared(w http.ResponseWriter, r *http.Request) {
	acct := r.URL.Query().Get("account")
	if r.Method != http.MethodGet || !accountIDPattern.MatchString(acct) {
		http.Error(w, "GET "+rdsSharedPath+"?account=ID with a 12-digit account id", http.StatusBadRequest)
		return
	}
	list := []rdsSnapshot{}
	_ = s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		for _, k := range slices.Sorted(maps.Keys(d.Snapshots)) {
			if sn := d.Snapshots[k]; sn.sharedWith(acct) {
				list = append(list, *sn)
			}
		}
		return false, nil
	})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

func arnAccountOf(arn string) string {
	acct, _, _ := parseSnapshotARN(arn)
	return acct
}
