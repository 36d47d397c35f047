package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// kumo's RDS keeps no KMS key, subnet group, parameter group or tags on an
// instance or cluster, answers none of them, and has no snapshot sharing,
// copying or restoring. The RDS front therefore owns DB instances, Aurora
// DB clusters, their snapshots, subnet groups and (cluster) parameter
// groups outright, following the RDS API reference for parameters, answers
// and faults; everything else of RDS still reaches kumo (ModifyDBCluster
// among it, which knows no cluster of the front's). KMS stays kumo's: the
// front asks it, in process, what a key is.
//
// Accounts are separate processes, so a snapshot shared with another
// account is fetched from the sharing account's front (--peer-account) and,
// when copied, copied whole: the copy is the new account's own.

// rdsDelays are how long the front takes over what AWS takes time over.
type rdsDelays struct {
	create, snapshot, copy, delete time.Duration
}

// defaultRDSDelays are short enough for tests and long enough that a client
// sees creating before available.
var defaultRDSDelays = rdsDelays{create: 3 * time.Second, snapshot: 2 * time.Second, copy: 2 * time.Second, delete: 1500 * time.Millisecond}

// rdsService is one account's RDS front.
type rdsService struct {
	account, region string
	peers           peerAccounts
	path            string // the state file, "" to keep state in memory only
	delays          rdsDelays
	now             func() time.Time
	client          *http.Client // to the peers

	mu      sync.Mutex
	data    rdsData
	loadErr error // the state file was unreadable: every RDS call fails with it
	keyMu   sync.Mutex
}

// rdsFront answers the RDS calls kumo cannot, for the account o describes.
// A state file it cannot read makes every RDS call fail with what to do.
func rdsFront(o awsOptions) front {
	s := newRDSService(o.account, o.region, o.peers, o.dataDir, defaultRDSDelays)
	return s.front
}

func newRDSService(account, region string, peers peerAccounts, dataDir string, d rdsDelays) *rdsService {
	s := &rdsService{account: account, region: region, peers: peers, delays: d, now: time.Now,
		client: &http.Client{Timeout: 10 * time.Second}}
	if dataDir != "" {
		s.path = filepath.Join(dataDir, rdsStateFile)
	}
	s.data, s.loadErr = loadRDSData(s.path)
	return s
}

// rdsCall is one request the front answers.
type rdsCall struct {
	ctx  context.Context
	form rdsForm
	next http.Handler // kumo, through the proxy: for KMS
}

type rdsHandler func(s *rdsService, c *rdsCall) (any, *rdsError)

// rdsActions are the actions the front answers; others reach kumo.
var rdsActions = map[string]rdsHandler{
	"CreateDBInstance":                (*rdsService).createInstance,
	"DescribeDBInstances":             (*rdsService).describeInstances,
	"DeleteDBInstance":                (*rdsService).deleteInstance,
	"RestoreDBInstanceFromDBSnapshot": (*rdsService).restoreInstance,
	"CreateDBSnapshot":                (*rdsService).createSnapshot,
	"DescribeDBSnapshots":             (*rdsService).describeSnapshots,
	"DeleteDBSnapshot":                (*rdsService).deleteSnapshot,
	"CopyDBSnapshot":                  (*rdsService).copySnapshot,
	"ModifyDBSnapshotAttribute":       (*rdsService).modifySnapshotAttribute,
	"DescribeDBSnapshotAttributes":    (*rdsService).describeSnapshotAttributes,
	"CreateDBSubnetGroup":             (*rdsService).createSubnetGroup,
	"DescribeDBSubnetGroups":          (*rdsService).describeSubnetGroups,
	"CreateDBParameterGroup":          (*rdsService).createParameterGroup,
	"DescribeDBParameterGroups":       (*rdsService).describeParameterGroups,
	// Aurora DB clusters (aws_rds_clusters*.go).
	"CreateDBCluster":                     (*rdsService).createCluster,
	"DescribeDBClusters":                  (*rdsService).describeClusters,
	"DeleteDBCluster":                     (*rdsService).deleteCluster,
	"RestoreDBClusterFromSnapshot":        (*rdsService).restoreCluster,
	"CreateDBClusterSnapshot":             (*rdsService).createClusterSnapshot,
	"DescribeDBClusterSnapshots":          (*rdsService).describeClusterSnapshots,
	"DeleteDBClusterSnapshot":             (*rdsService).deleteClusterSnapshot,
	"CopyDBClusterSnapshot":               (*rdsService).copyClusterSnapshot,
	"ModifyDBClusterSnapshotAttribute":    (*rdsService).modifyClusterSnapshotAttribute,
	"DescribeDBClusterSnapshotAttributes": (*rdsService).describeClusterSnapshotAttributes,
	"CreateDBClusterParameterGroup":       (*rdsService).createClusterParameterGroup,
	"DescribeDBClusterParameterGroups":    (*rdsService).describeClusterParameterGroups,
}

func (s *rdsService) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == rdsSharedPath || r.URL.Path == rdsSharedClustersPath:
			s.serveShared(w, r)
		case signingService(r) == "kms" && r.Header.Get("X-Amz-Target") == "TrentService.DescribeKey":
			s.describeKey(w, r, next)
		case signingService(r) == "rds" && r.Method == http.MethodPost:
			s.serveRDS(w, r, next)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// serveRDS answers the actions of rdsActions and passes the rest on with
// their body intact.
func (s *rdsService) serveRDS(w http.ResponseWriter, r *http.Request, next http.Handler) {
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	form, err := url.ParseQuery(string(body))
	action := form.Get("Action")
	h := rdsActions[action]
	if err != nil || h == nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
		return
	}
	id := requestID()
	if s.loadErr != nil {
		writeRDSError(w, id, rdsInternal("the sandbox's RDS state is unreadable: %v", s.loadErr))
		return
	}
	out, e := h(s, &rdsCall{ctx: r.Context(), form: rdsForm(form), next: next})
	if e != nil {
		writeRDSError(w, id, e)
		return
	}
	writeRDSResult(w, action, id, out)
}

// locked runs fn on the settled state under the lock and saves it when fn
// changed something (changed reports that).
func (s *rdsService) locked(fn func(d *rdsData, now time.Time) (changed bool, e *rdsError)) *rdsError {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.data.settle(now)
	changed, e := fn(&s.data, now)
	if e != nil || !changed {
		return e
	}
	if err := s.data.save(s.path); err != nil {
		return rdsInternal("save the sandbox's RDS state: %v", err)
	}
	return nil
}

func (s *rdsService) arn(kind, id string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:%s:%s", s.region, s.account, kind, id)
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// peerAccounts are the other sandbox accounts, by id, with their URLs: the
// accounts a snapshot may be shared with or from.
type peerAccounts map[string]string

// String lists the peers as the flag takes them.
func (p peerAccounts) String() string {
	var parts []string
	for id, u := range p {
		parts = append(parts, id+"="+u)
	}
	return strings.Join(parts, ",")
}

// Set adds one ID=URL peer; the URL must be on loopback.
func (p *peerAccounts) Set(v string) error {
	id, raw, ok := strings.Cut(v, "=")
	if !ok || !accountIDPattern.MatchString(id) {
		return fmt.Errorf("want ID=URL with a 12-digit account id, e.g. 222222222222=http://127.0.0.1:4602")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || checkLoopback(u.Host) != nil {
		return fmt.Errorf("%q: want the peer's loopback URL, e.g. http://127.0.0.1:4602", raw)
	}
	if *p == nil {
		*p = peerAccounts{}
	}
	(*p)[id] = strings.TrimRight(raw, "/")
	return nil
}
