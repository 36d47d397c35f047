package rewrite

import (
	"net/url"
	"slices"
	"strings"
)

// Strings are rewritten and scanned token by token, never by substring, so
// "acme-legacy-invoices" is renamed but "acme-legacy-invoices-archive" is
// not (unless a prefix rule says so), and an account id inside a longer
// number is left alone.
//
//   - a name token is a maximal run of letters, digits, '-' and '_'; '.'
//     ends a token so a bucket in "acme-legacy-invoices.s3.amazonaws.com"
//     is found (dotted bucket names are therefore not supported);
//   - an account token is a maximal run of digits.

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// eachRun calls fn with the bounds of every maximal run of class in s.
func eachRun(s string, class func(byte) bool, fn func(start, end int)) {
	for i := 0; i < len(s); {
		if !class(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && class(s[j]) {
			j++
		}
		fn(i, j)
		i = j
	}
}

// replaceRuns rebuilds s with every run of class passed through fn.
func replaceRuns(s string, class func(byte) bool, fn func(tok string) string) string {
	var b strings.Builder
	last := 0
	eachRun(s, class, func(i, j int) {
		b.WriteString(s[last:i])
		b.WriteString(fn(s[i:j]))
		last = j
	})
	b.WriteString(s[last:])
	return b.String()
}

// renamed returns the new name of tok under the first matching rule.
func renamed(names []Rename, tok string) (Rename, string, bool) {
	for _, r := range names {
		if prefix, ok := strings.CutSuffix(r.From, "*"); ok {
			if strings.HasPrefix(tok, prefix) {
				return r, strings.TrimSuffix(r.To, "*") + tok[len(prefix):], true
			}
			continue
		}
		if tok == r.From {
			return r, r.To, true
		}
	}
	return Rename{}, "", false
}

// rewriteString applies renames, then account ids: a rename rule may name
// an old account id (a bucket "logs-111111111111") and must see it first.
func rewriteString(m Mapping, s string) string {
	if len(m.Names) > 0 {
		s = replaceRuns(s, isNameChar, func(tok string) string {
			if _, to, ok := renamed(m.Names, tok); ok {
				return to
			}
			return tok
		})
	}
	if len(m.Accounts) > 0 {
		s = replaceRuns(s, isDigit, func(tok string) string {
			if to, ok := m.Accounts[tok]; ok {
				return to
			}
			return tok
		})
	}
	return s
}

// String rewrites one string through the mapping — a name, an ARN, a
// queue URL or a whole JSON policy document: renames first, then account
// ids, each only as a whole token.
func String(m Mapping, s string) string { return rewriteString(m, s) }

// OldAccounts are the account ids nothing copied into the new account may
// still hold: source (when given) and every old account of the mapping,
// sorted.
func OldAccounts(m Mapping, source string) []string {
	out := make([]string, 0, len(m.Accounts)+1)
	if source != "" {
		out = append(out, source)
	}
	for from := range m.Accounts {
		out = append(out, from)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Locators returns, for each of the account ids in s, the ARN, URL or
// host it sits in (or the id alone), never the text around it: what an
// operator searches for when a copied value still names an old account.
func Locators(s string, accounts []string) []string {
	var out []string
	eachRun(s, isDigit, func(i, j int) {
		for _, a := range accounts {
			if s[i:j] == a {
				out = append(out, locator(s, i, j))
			}
		}
	})
	return out
}

// match is one old-account token found in a string.
type match struct{ token, why string }

// scanString finds every old account id and old resource name in s. For an
// account id inside an ARN, a URL or an ECR host it reports that whole
// locator — what an operator searches for — and nothing around it, so a
// Secret's surrounding value is never carried out.
func scanString(m Mapping, s string) []match {
	var out []match
	eachRun(s, isDigit, func(i, j int) {
		if _, ok := m.Accounts[s[i:j]]; ok {
			out = append(out, match{locator(s, i, j), "old account " + s[i:j]})
		}
	})
	if len(m.Names) == 0 {
		return out
	}
	eachRun(s, isNameChar, func(i, j int) {
		if r, _, ok := renamed(m.Names, s[i:j]); ok {
			out = append(out, match{s[i:j], "old " + kindOr(r.Kind) + "name " + s[i:j]})
		}
	})
	return out
}

func kindOr(kind string) string {
	if kind == "" {
		return ""
	}
	return kind + " "
}

// isDelim ends the word an id is found in: whitespace, quoting and the
// separators of env files, JSON and connection strings.
func isDelim(c byte) bool {
	return strings.IndexByte(" \t\r\n\"'`,;=()[]{}<>|\\", c) >= 0
}

// locator widens the account id at s[i:j] to the ARN, URL or ECR host it
// belongs to, or returns the id alone.
func locator(s string, i, j int) string {
	start, end := i, j
	for start > 0 && !isDelim(s[start-1]) {
		start--
	}
	for end < len(s) && !isDelim(s[end]) {
		end++
	}
	word, at := s[start:end], i-start
	if k := strings.LastIndex(word[:at], "arn:"); k >= 0 {
		return strings.TrimRight(word[k:], ".:")
	}
	if u := urlAround(word, at); u != "" {
		return u
	}
	if host, _, _ := strings.Cut(word[at:], "/"); strings.HasPrefix(host, s[i:j]+".dkr.ecr.") {
		return host
	}
	return s[i:j]
}

// urlAround returns the URL in word containing position at, without
// credentials, query or fragment (they may hold secrets or signatures),
// or "" when at is not in its host or path.
func urlAround(word string, at int) string {
	k := strings.LastIndex(word[:at], "://")
	if k < 0 {
		return ""
	}
	start := k
	for start > 0 && isSchemeChar(word[start-1]) {
		start--
	}
	u, err := url.Parse(word[start:])
	if err != nil || u.Host == "" {
		return ""
	}
	clean := u.Scheme + "://" + u.Host + u.EscapedPath()
	id := word[at:]
	if n := strings.IndexFunc(id, func(r rune) bool { return r < '0' || r > '9' }); n >= 0 {
		id = id[:n]
	}
	if !strings.Contains(u.Host+u.EscapedPath(), id) {
		return ""
	}
	return strings.TrimRight(clean, ".")
}

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '-' || c == '.'
}
