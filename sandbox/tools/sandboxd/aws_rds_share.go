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
// names ID, as JSON; rdsSharedClustersPath does the same for cluster
// snapshots. Only the sandbox's own accounts ask.
const (
	rdsSharedPath         = "/ferry-sandbox/rds/shared"
	rdsSharedClustersPath = "/ferry-sandbox/rds/shared-cluster-snapshots"
)

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
	add, remove, e := restoreChange(f)
	if e != nil {
		return nil, e
	}
	sn, e := readOwn(s, f.get("DBSnapshotIdentifier"), s.ownSnapshot)
	if e != nil {
		return nil, e
	}
	if e := s.checkShareable(c, sn.ID, sn.Encrypted, sn.KMSKeyID, add); e != nil {
		return nil, e
	}
	var out attributesResult
	e = s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := s.ownSnapshot(d, sn.ID)
		if e != nil {
			return false, e
		}
		if got.Status != statusAvailable {
			return false, rdsFault(codeSnapshotState, "Snapshot %s is not available (it is %s).", got.ID, got.Status)
		}
		got.SharedWith = changeShares(got.SharedWith, add, remove)
		out.Result = restoreAttribute(got)
		return true, nil
	})
	return out, e
}

// restoreChange reads a Modify*SnapshotAttribute request: only restore can
// change, by account ids or all.
func restoreChange(f rdsForm) (add, remove []string, e *rdsError) {
	if name := f.get("AttributeName"); name != "restore" {
		return nil, nil, rdsFault(codeInvalidParameter, "Invalid snapshot attribute name %s: only restore can be modified", name)
	}
	add, remove = f.list("ValuesToAdd.AttributeValue"), f.list("ValuesToRemove.AttributeValue")
	for _, v := range add {
		if v != "all" && !accountIDPattern.MatchString(v) {
			return nil, nil, rdsFault(codeInvalidParameter, "%s is not a valid AWS account id or all", v)
		}
	}
	return add, remove, nil
}

// checkShareable refuses sharing an encrypted snapshot publicly, or at all
// when an AWS-managed key encrypts it.
func (s *rdsService) checkShareable(c *rdsCall, id string, encrypted bool, key string, add []string) *rdsError {
	if !encrypted || len(add) == 0 {
		return nil
	}
	if slices.Contains(add, "all") {
		return rdsFault(codeInvalidParameter, "Encrypted snapshots cannot be shared publicly; name the accounts instead of all")
	}
	_, managed, e := s.resolveKey(c, key)
	if e != nil {
		return e
	}
	if managed {
		return rdsFault(codeInvalidParameter, "Snapshot %s is encrypted with the account's default AWS managed KMS key (%s), which other accounts cannot use, so it cannot be shared; copy it with a customer managed key and share the copy", id, defaultRDSKeyAlias)
	}
	return nil
}

// changeShares is a restore attribute with add added and remove removed.
func changeShares(shared, add, remove []string) []string {
	for _, v := range add {
		if !slices.Contains(shared, v) {
			shared = append(shared, v)
		}
	}
	return slices.DeleteFunc(shared, func(v string) bool { return slices.Contains(remove, v) })
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
	var tags []rdsTag
	if sn.KMSKeyID, sn.Encrypted, tags, e = s.copyAs(c, keyArg, sn.KMSKeyID, sn.Encrypted, sn.Tags); e != nil {
		return nil, e
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

// copyAs is the key, encryption and tags of a copy of a snapshot under
// key, encrypted and tags: under keyArg when given (a key of this
// account), tagged with the request's tags, after the snapshot's with
// CopyTags.
func (s *rdsService) copyAs(c *rdsCall, keyArg, key string, encrypted bool, tags []rdsTag) (string, bool, []rdsTag, *rdsError) {
	if keyArg != "" {
		arn, _, e := s.resolveKey(c, keyArg)
		if e != nil {
			return "", false, nil, e
		}
		key, encrypted = arn, true
	}
	if c.form.bool("CopyTags") {
		return key, encrypted, append(slices.Clone(tags), c.form.tags()...), nil
	}
	return key, encrypted, c.form.tags(), nil
}

// copySource finds the snapshot a copy starts from: the account's own, or
// one a peer shares with it.
func (s *rdsService) copySource(c *rdsCall, ref string) (sn rdsSnapshot, cross bool, e *rdsError) {
	if acct, _, ok := parseSnapshotARN(ref); ok && acct != s.account {
		sn, found, e := peerSnapshot(s, c, acct, rdsSharedPath, ref, func(sn *rdsSnapshot) string { return sn.Arn })
		if e == nil && !found {
			e = rdsNotFound(codeSnapshotNotFound, "DBSnapshot %s not found: account %s does not share it with account %s.", ref, acct, s.account)
		}
		return sn, true, e
	}
	sn, e = readOwn(s, ref, s.ownSnapshot)
	return sn, false, e
}

// readOwn is a copy of the account's snapshot (of T's kind) ref, found by
// own.
func readOwn[T any](s *rdsService, ref string, own func(*rdsData, string) (*T, *rdsError)) (sn T, e *rdsError) {
	e = s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		got, e := own(d, ref)
		if e == nil {
			sn = *got
		}
		return false, e
	})
	return sn, e
}

// peerSnapshot is the snapshot (of T's kind) with ARN ref that peer
// account acct, asked at path, shares with this account; found is false
// when it shares none by that ARN.
func peerSnapshot[T any](s *rdsService, c *rdsCall, acct, path, ref string, arn func(*T) string) (sn T, found bool, e *rdsError) {
	list, e := peerShared[T](s, c, acct, path)
	if e != nil {
		return sn, false, e
	}
	for i := range list {
		if arn(&list[i]) == ref {
			return list[i], true, nil
		}
	}
	return sn, false, nil
}

// sharedFrom asks peer account acct which snapshots it shares with this
// account; an account that is no peer shares nothing.
func (s *rdsService) sharedFrom(c *rdsCall, acct string) ([]rdsSnapshot, *rdsError) {
	return peerShared[rdsSnapshot](s, c, acct, rdsSharedPath)
}

// peerShared asks peer account acct, at path, which snapshots (of T's
// kind) it shares with this account.
func peerShared[T any](s *rdsService, c *rdsCall, acct, path string) ([]T, *rdsError) {
	base, ok := s.peers[acct]
	if !ok {
		return nil, nil
	}
	u := base + path + "?" + url.Values{"account": {s.account}}.Encode()
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, rdsInternal("ask account %s for its shared snapshots: %v", acct, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, rdsInternal("ask account %s for its shared snapshots at %s: %v", acct, base, err)
	}
	defer resp.Body.Close()
	var list []T
	if resp.StatusCode != http.StatusOK {
		return nil, rdsInternal("account %s answered %s for its shared snapshots", acct, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, rdsInternal("decode account %s's shared snapshots: %v", acct, err)
	}
	return list, nil
}

// serveShared answers a peer: the snapshots (at rdsSharedPath) or the
// cluster snapshots (at rdsSharedClustersPath) shared with its account.
func (s *rdsService) serveShared(w http.ResponseWriter, r *http.Request) {
	acct := r.URL.Query().Get("account")
	if r.Method != http.MethodGet || !accountIDPattern.MatchString(acct) {
		http.Error(w, "GET "+r.URL.Path+"?account=ID with a 12-digit account id", http.StatusBadRequest)
		return
	}
	var list any
	_ = s.locked(func(d *rdsData, _ time.Time) (bool, *rdsError) {
		if r.URL.Path == rdsSharedClustersPath {
			list = sharedWith(d.ClusterSnapshots, acct, (*rdsClusterSnapshot).sharedWith)
		} else {
			list = sharedWith(d.Snapshots, acct, (*rdsSnapshot).sharedWith)
		}
		return false, nil
	})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

// sharedWith lists, by identifier, the snapshots shared with acct.
func sharedWith[T any](snaps map[string]*T, acct string, shared func(*T, string) bool) []T {
	list := []T{}
	for _, k := range slices.Sorted(maps.Keys(snaps)) {
		if sn := snaps[k]; shared(sn, acct) {
			list = append(list, *sn)
		}
	}
	return list
}

func arnAccountOf(arn string) string {
	acct, _, _ := parseSnapshotARN(arn)
	return acct
}
