package plan

import (
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Matching works on words, not substrings, and on what a word is: an ARN
// names a resource by service and account, a queue URL by account and
// name, a host name lies in a zone. engine/rewrite's name tokens serve a
// different question (is an old name left anywhere?) and would tie a table
// called "orders" to every "orders" in a DNS name.

// word is one word of a workload's text, parsed once.
type word struct {
	raw    string
	arn    *arnParts
	scheme string   // of a URL
	host   string   // lower-case host of a URL, or a bare host name
	path   []string // a URL's path segments
}

type arnParts struct{ service, region, account, resource string }

// mention is a resource a word names unambiguously, by its kind's key
// (route53id: a hosted zone's id).
type mention struct{ kind, name string }

// scannedUsage is a usage with its words parsed and the resources its
// ARNs and URLs name.
type scannedUsage struct {
	usage
	words    []word
	mentions []mention
}

// scan parses a usage's words. ARNs and URLs naming another account or
// region than the old account's are left out of the mentions.
func scan(u usage, account, region string) scannedUsage {
	s := scannedUsage{usage: u}
	for _, text := range u.texts { // role annotations are among the pod annotations
		for _, w := range strings.FieldsFunc(text, isWordDelim) {
			if w = strings.TrimRight(w, ".:"); w == "" {
				continue
			}
			t := parseWord(w)
			s.words = append(s.words, t)
			s.mentions = append(s.mentions, t.mentions(account, region)...)
		}
	}
	return s
}

// isWordDelim ends a word: whitespace, quoting and the separators of env
// files, JSON, YAML flow lists and connection strings.
func isWordDelim(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("\"'`,;=()[]{}<>|\\", r)
}

// hostName is a dotted DNS name, optionally with a port.
var hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+(:[0-9]+)?$`)

func parseWord(w string) word {
	t := word{raw: w}
	switch {
	case strings.HasPrefix(w, "arn:"):
		if p := strings.SplitN(w, ":", 6); len(p) == 6 {
			t.arn = &arnParts{service: p[2], region: p[3], account: p[4], resource: p[5]}
		}
	case strings.Contains(w, "://"):
		if u, err := url.Parse(w); err == nil {
			t.scheme, t.host = strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
			t.path = strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
		}
	case hostName.MatchString(w):
		host, _, _ := strings.Cut(w, ":")
		t.host = strings.ToLower(host)
	}
	return t
}

// within: a value the reference does not state (an S3 ARN's account) or
// that discovery does not know matches anything.
func within(want, got string) bool { return want == "" || got == "" || want == got }

// s3Host matches S3's endpoint hosts: BUCKET.s3.REGION.amazonaws.com,
// BUCKET.s3-REGION..., or s3.REGION.amazonaws.com for path-style URLs.
var s3Host = regexp.MustCompile(`^(?:(.+)\.)?s3[.-]([a-z0-9.-]*\.)?amazonaws\.com(\.cn)?$`)

func (t word) mentions(account, region string) []mention {
	if t.arn != nil {
		return t.arn.mentions(account, region)
	}
	var out []mention
	switch m := s3Host.FindStringSubmatch(t.host); {
	case t.scheme == "s3" && t.host != "":
		out = append(out, mention{"s3", t.host})
	case m != nil && m[1] != "":
		out = append(out, mention{"s3", m[1]})
	case m != nil && len(t.path) > 0:
		out = append(out, mention{"s3", t.path[0]})
	case len(t.path) == 2 && accountID.MatchString(t.path[0]) && within(account, t.path[0]):
		// A queue URL: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or an
		// emulator's or VPC endpoint's host with the same path.
		out = append(out, mention{"sqs", t.path[1]})
	}
	return out
}

func (a arnParts) mentions(account, region string) []mention {
	if !within(account, a.account) || !within(region, a.region) {
		return nil
	}
	kind, name := "", ""
	r := a.resource
	switch a.service {
	case "sqs":
		kind, name = "sqs", r
	case "dynamodb":
		if rest, ok := strings.CutPrefix(r, "table/"); ok {
			table, _, _ := strings.Cut(rest, "/") // table/NAME/index/..., table/NAME/stream/...
			kind, name = "dynamodb", table
		}
	case "s3":
		kind, name = "s3", strings.SplitN(r, "/", 2)[0]
	case "iam":
		if rest, ok := strings.CutPrefix(r, "role/"); ok {
			kind, name = "iam", path.Base(rest) // role/PATH/NAME
		}
	case "rds":
		if rest, ok := strings.CutPrefix(r, "db:"); ok {
			kind, name = "rds", rest
		} else if rest, ok := strings.CutPrefix(r, "cluster:"); ok {
			kind, name = "rdsClusters", rest
		}
	case "route53":
		if rest, ok := strings.CutPrefix(r, "hostedzone/"); ok {
			kind, name = "route53id", rest
		}
	case "secretsmanager":
		if rest, ok := strings.CutPrefix(r, "secret:"); ok {
			kind, name = "secrets", rest
		}
	case "ssm":
		if rest, ok := strings.CutPrefix(r, "parameter/"); ok {
			kind, name = "ssm", rest
		}
	}
	if kind == "" || name == "" {
		return nil
	}
	return []mention{{kind, name}}
}

// sameResource reports whether a mentioned name denotes the resource of a
// kind named name. A secret's ARN adds "-" and six random characters to
// its name; a parameter's ARN drops the name's leading slash.
func sameResource(kind, mentioned, name string) bool {
	switch kind {
	case "secrets":
		return mentioned == name || strings.HasPrefix(mentioned, name+"-") && len(mentioned) == len(name)+7
	case "ssm":
		m, n := strings.TrimPrefix(mentioned, "/"), strings.TrimPrefix(name, "/")
		if strings.HasSuffix(n, "/") {
			return strings.HasPrefix(m, n)
		}
		return m == n
	}
	return mentioned == name
}

// secretSuffix is the random part Secrets Manager appends in ARNs.
var secretSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// canonical is the resource name a mention denotes, for a kind whose
// listing failed and whose names come from references alone.
func canonical(kind, mentioned string) string {
	switch kind {
	case "secrets":
		return secretSuffix.ReplaceAllString(mentioned, "")
	case "ssm":
		if strings.Contains(mentioned, "/") {
			return "/" + mentioned
		}
	}
	return mentioned
}

// references reports whether the workload names the resource: by an ARN
// or URL of its kind, by its bare name or one of its aliases, or, for a
// zone, by a host name in it.
func (s scannedUsage) references(kind string, r FoundResource) bool {
	for _, m := range s.mentions {
		if m.kind == kind && sameResource(kind, m.name, r.Name) ||
			kind == "route53" && m.kind == "route53id" && slices.Contains(r.aliases, m.name) {
			return true
		}
	}
	for _, t := range s.words {
		switch {
		case t.raw == r.Name || slices.Contains(r.aliases, t.raw):
			return true
		case kind == "ssm" && strings.HasSuffix(r.Name, "/") && strings.HasPrefix(t.raw, r.Name):
			return true
		case kind == "route53" && (strings.EqualFold(t.raw, r.Name) || t.host == r.Name || strings.HasSuffix(t.host, "."+r.Name)):
			return true
		case (kind == "rds" || kind == "rdsClusters") && t.host != "" && slices.Contains(r.aliases, t.host):
			return true
		}
	}
	return false
}
