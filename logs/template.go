package logs

import (
	"slices"
	"strings"
)

// Placeholders Template puts where a variable part was. Angle brackets
// because they seldom occur in log text, so a template reads as one.
const (
	MaskNum   = "<n>"
	MaskHex   = "<hex>"
	MaskUUID  = "<uuid>"
	MaskIP    = "<ip>"
	MaskDur   = "<dur>"
	MaskTime  = "<ts>"
	MaskID    = "<id>"
	MaskEmail = "<email>"
)

// Template reduces a log message to its template: the same message with
// its variable parts masked, so that lines differing only in ids, numbers
// or addresses compare equal. It is one forward scan with no regexps; each
// rule only looks ahead from the start of a word.
//
// Masked:
//   - numbers, ints and floats, also before a unit ("250MB" -> "<n>MB") and
//     as path segments ("/customers/64058/invoices" -> "/customers/<n>/invoices");
//   - hex: 0x-prefixed of any length as <hex>; bare runs of >= 6 hex
//     digits with at least one digit and one letter as <n>, because a
//     random 12-digit hex id is all decimal one time in 280 and must then
//     give the same template;
//   - UUIDs; IPv4 with optional :port; IPv6 with "::" or 8 groups, bare or
//     as [addr]:port;
//   - durations in Go's notation (12ms, 1.5s, 3m20s, 250µs);
//   - ISO/RFC 3339 dates and times, "2006/01/02 15:04:05", nginx's
//     "02/Jan/2006:15:04:05 -0700" and bare hh:mm:ss clocks;
//   - ids: runs of letters, digits, '_' and '-' of >= 16 bytes whose letters
//     and digits alternate at least 3 times (pod names, tokens) — from the
//     first segment holding a digit, so "checkout-api-7d9f8b6c5-x2x9z"
//     keeps "checkout-api-";
//   - the value of a key named id or ending in _id, -id, Id or ID
//     ("request_id=abc" -> "request_id=<id>"); other key=value pairs keep
//     their key and lose the value only when the value is variable by the
//     rules above;
//   - email addresses.
//
// Kept: words, service names (checkout-api), HTTP methods, quoted strings
// (their content is usually the message itself, e.g. msg="connect to broker
// failed"; their variable parts are masked by the rules above), digits
// inside a word that starts with a letter (v1, ec2, sha256, x86_64) and
// AWS regions (us-east-1): a region change is a migration fact, not noise.
//
// AWS account ids are masked as numbers, in ARNs ("arn:aws:sqs:us-east-1:
// <n>:refunds") and queue URLs alike. A migration moves services into a
// new account on purpose, so keeping them would make every line that names
// an account look new on the target, burying the errors the migration
// really introduced. A line that fails because it still points at the old
// account fails with a message the source never logs (AccessDenied), so it
// still shows up, and its example line keeps the real account id.
func Template(text string) string {
	if !mayVary(text) {
		return text // nothing any rule could mask: no copy
	}
	t := templater{s: text, hasAt: strings.IndexByte(text, '@') >= 0, forceAt: -1}
	t.out.Grow(len(text))
	for i := 0; i < len(text); {
		// Separators between words are most of a line; skip them here
		// rather than one call each.
		if c := text[i]; byteClass[c]&cWord == 0 && c != '[' && c != ':' && i != t.forceAt {
			i++
			continue
		}
		i = t.step(i)
	}
	t.out.WriteString(text[t.lit:])
	return t.out.String()
}

// mayVary reports whether text holds a byte some rule needs.
func mayVary(text string) bool {
	for i := 0; i < len(text); i++ {
		if byteClass[text[i]]&cTrigger != 0 {
			return true
		}
	}
	return false
}

// TemplateFields is Template for a structured (JSON) line: the message's
// template followed by its field keys, sorted and deduplicated, so that
// "request failed" with an error field and without one stay apart. Field
// values are left out because they vary by design; a caller that wants an
// error field's text compared should append it to msg first.
func TemplateFields(msg string, keys []string) string {
	t := Template(msg)
	if len(keys) == 0 {
		return t
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(keys)))
	return t + " {" + strings.Join(sorted, " ") + "}"
}

// templater is the state of one Template call.
type templater struct {
	s     string
	out   strings.Builder
	lit   int  // start of the literal run not yet written to out
	hasAt bool // only lines with an '@' pay for the email rule
	// forceAt is where the value of an id-named key starts (-1: none);
	// forceQuoted says it ends at a closing quote rather than a separator.
	forceAt     int
	forceQuoted bool
}

// mask writes the literal run before start, then the placeholder, and
// returns end so callers can return t.mask(...) as the next position.
func (t *templater) mask(start, end int, placeholder string) int {
	t.out.WriteString(t.s[t.lit:start])
	t.out.WriteString(placeholder)
	t.lit = end
	return end
}

// step handles the text at i and returns where to continue. Rules only
// fire at the start of a word, so "v1" or "go1" never lose their digits.
func (t *templater) step(i int) int {
	s, c := t.s, t.s[i]
	if i == t.forceAt {
		if e := valueEnd(s, i, t.forceQuoted); e > i {
			return t.mask(i, e, MaskID)
		}
	}
	switch {
	case c == '[' || c == ':':
		if e := matchIPv6(s, i); e > 0 {
			return t.mask(i, e, MaskIP)
		}
		return i + 1
	case !isWord(c):
		return i + 1
	case i > 0 && isWord(s[i-1]):
		return scanWord(s, i).end // the middle of a word: keep it
	}
	w := scanWord(s, i)
	if t.hasAt {
		if e := matchEmail(s, i); e > 0 {
			return t.mask(i, e, MaskEmail)
		}
	}
	if isDigit(c) {
		return t.digitWord(i, w)
	}
	return t.letterWord(i, w)
}

// letterWord handles a word that starts with a letter or '_'.
func (t *templater) letterWord(i int, w word) int {
	s, next := t.s, byteAt(t.s, w.end)
	if w.digits == 0 && next != '-' && next != ':' && next != '=' {
		return w.end // a plain word, most of any line
	}
	if next == '-' {
		if e := matchRegion(s, i, w.end); e > 0 {
			return e // kept as written
		}
		if e := matchUUID(s, i); e > 0 {
			return t.mask(i, e, MaskUUID)
		}
	}
	// A lone hex run is a number even when long enough to be an id: a
	// random one is sometimes all decimal and must template the same.
	if w.isHexRun() && next != '-' {
		return t.mask(i, w.end, MaskNum)
	}
	if next == '-' || w.digits > 0 {
		if start, e := matchID(s, i); e > 0 {
			return t.mask(start, e, MaskID)
		}
	}
	switch {
	case w.isHexRun():
		return t.mask(i, w.end, MaskNum)
	case next == ':' && w.allHex:
		if e := matchIPv6(s, i); e > 0 {
			return t.mask(i, e, MaskIP)
		}
	case next == '=' && isIDKey(s[i:w.end]):
		t.forceAt, t.forceQuoted = w.end+1, byteAt(s, w.end+1) == '"'
		if t.forceQuoted {
			t.forceAt++
		}
	}
	return w.end
}

// digitWord handles a word that starts with a digit. The byte after the
// leading digits picks the few shapes worth trying, longer and more
// specific (dates, addresses) before numbers.
func (t *templater) digitWord(i int, w word) int {
	s := t.s
	d := digitRun(s, i)
	var rules []digitRule
	switch next := byteAt(s, i+d); {
	case next == '-' || next == '/':
		rules = dateRules
	case next == ':':
		rules = colonRules
	case next == '.':
		rules = dotRules
	case next == 'x' && d == 1:
		rules = hexRules
	case isLower(next) || next >= 0x80:
		rules = unitRules
	}
	if w.end-i == 8 && byteAt(s, w.end) == '-' {
		rules = uuidRules // 8 hex digits and a dash; d may be shorter
	}
	for _, r := range rules {
		if e := r.match(s, i); e > 0 {
			return t.mask(i, e, r.placeholder)
		}
	}
	if w.isHexRun() && byteAt(s, w.end) != '-' {
		return t.mask(i, w.end, MaskNum) // see letterWord
	}
	if start, e := matchID(s, i); e > 0 {
		return t.mask(start, e, MaskID)
	}
	if w.isHexRun() {
		return t.mask(i, w.end, MaskNum)
	}
	return t.number(i)
}

// digitRule is one shape tried at a word that starts with a digit.
type digitRule struct {
	match       func(string, int) int
	placeholder string
}

var (
	dateRules  = []digitRule{{matchDateTime, MaskTime}, {matchNginxTime, MaskTime}}
	colonRules = []digitRule{{matchClock, MaskTime}, {matchIPv6, MaskIP}}
	dotRules   = []digitRule{{matchIPv4, MaskIP}, {matchDuration, MaskDur}}
	hexRules   = []digitRule{{match0x, MaskHex}}
	unitRules  = []digitRule{{matchDuration, MaskDur}, {matchIPv6, MaskIP}}
	uuidRules  = []digitRule{{matchUUID, MaskUUID}}
)

// number masks digits with optional ".digits" groups. A letter suffix is a
// unit and stays ("250MB"); a word that mixes digits and letters further
// on ("7d9f") is an identifier, not a number, and stays whole.
func (t *templater) number(i int) int {
	s := t.s
	e := i + digitRun(s, i)
	for byteAt(s, e) == '.' && isDigit(byteAt(s, e+1)) {
		e += 1 + digitRun(s, e+1)
	}
	k := e
	for k < len(s) && isWord(s[k]) && !isDigit(s[k]) {
		k++
	}
	if isDigit(byteAt(s, k)) {
		return scanWord(s, k).end
	}
	t.mask(i, e, MaskNum)
	return k
}

// word describes a run of [A-Za-z0-9_] found in one pass.
type word struct {
	end, digits, hexLetters int
	allHex                  bool
}

// isHexRun: long enough and mixed enough that it is a hash, not a word
// ("facade") or a number ("123456").
func (w word) isHexRun() bool {
	return w.allHex && w.digits > 0 && w.hexLetters > 0 && w.digits+w.hexLetters >= 6
}

func scanWord(s string, i int) word {
	w := word{allHex: true}
	for w.end = i; w.end < len(s) && isWord(s[w.end]); w.end++ {
		switch c := s[w.end]; {
		case isDigit(c):
			w.digits++
		case isHex(c):
			w.hexLetters++
		default:
			w.allHex = false
		}
	}
	return w
}

// isIDKey: a key whose value is an identifier whatever it looks like.
// "pid", "uuid" and "valid" are not matched; their values are numbers,
// UUIDs or words and have their own rules.
func isIDKey(k string) bool {
	switch {
	case k == "id" || k == "ID":
		return true
	case strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_ID"):
		return true
	}
	return len(k) > 2 && (strings.HasSuffix(k, "Id") || strings.HasSuffix(k, "ID")) && isLower(k[len(k)-3])
}

// valueEnd finds the end of a key's value: the closing quote of a quoted
// value, else the first separator.
func valueEnd(s string, i int, quoted bool) int {
	k := i
	for ; k < len(s); k++ {
		c := s[k]
		if quoted && c == '"' || !quoted && strings.IndexByte(" \t,;)]}\"'", c) >= 0 {
			break
		}
	}
	return k
}
