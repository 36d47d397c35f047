package logs

// Byte-level helpers of the templater (template.go, template_match.go).

// byteAt is s[i], or 0 past the end, so matchers need no bounds checks.
func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func boundaryAt(s string, i int) bool { return i >= len(s) || !isWord(s[i]) }

func digitRun(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}

func nDigits(s string, i, n int) bool { return i+n <= len(s) && digitRun(s, i) >= n }

// Byte classes, looked up rather than compared: the scan visits every
// byte, and a table keeps that to one load per byte.
const (
	cDigit = 1 << iota
	cLower
	cUpper
	cHexLetter
	cUnder
	cTrigger // a byte without which no rule can fire: digits, '@', '='

	cWord = cDigit | cLower | cUpper | cUnder
)

var byteClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit | cTrigger
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = cLower, cUpper
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c], t[c-'a'+'A'] = t[c]|cHexLetter, t[c-'a'+'A']|cHexLetter
	}
	t['_'], t['@'], t['='] = cUnder, cTrigger, cTrigger
	return t
}()

func isDigit(c byte) bool { return byteClass[c]&cDigit != 0 }
func isLower(c byte) bool { return byteClass[c]&cLower != 0 }
func isUpper(c byte) bool { return byteClass[c]&cUpper != 0 }
func isHex(c byte) bool   { return byteClass[c]&(cDigit|cHexLetter) != 0 }
func isWord(c byte) bool  { return byteClass[c]&cWord != 0 }
