package logs

// The matchers below look forward from i, the start of a word, and return
// the end of what they recognise or -1. Each gives up at the first byte
// that does not fit, so a line costs a few passes over each word at most —
// no backtracking, whatever the input.

// matchDateTime: 2006-01-02 or 2006/01/02, optionally followed by T or a
// space and a clock with fraction and zone (RFC 3339 and its relatives).
func matchDateTime(s string, i int) int {
	if !nDigits(s, i, 4) {
		return -1
	}
	sep := byteAt(s, i+4)
	if sep != '-' && sep != '/' || !nDigits(s, i+5, 2) || byteAt(s, i+7) != sep || !nDigits(s, i+8, 2) {
		return -1
	}
	k := i + 10
	if c := byteAt(s, k); c == 'T' || c == ' ' {
		if e := clockEnd(s, k+1, false); e > 0 {
			k = zoneEnd(s, e)
		}
	}
	if !boundaryAt(s, k) {
		return -1
	}
	return k
}

// matchNginxTime: nginx's access-log time, 02/Jan/2006:15:04:05 -0700.
func matchNginxTime(s string, i int) int {
	if !nDigits(s, i, 2) || byteAt(s, i+2) != '/' || !isUpper(byteAt(s, i+3)) ||
		!isLower(byteAt(s, i+4)) || !isLower(byteAt(s, i+5)) || byteAt(s, i+6) != '/' ||
		!nDigits(s, i+7, 4) || byteAt(s, i+11) != ':' {
		return -1
	}
	e := clockEnd(s, i+12, true)
	if e < 0 {
		return -1
	}
	if byteAt(s, e) == ' ' && (byteAt(s, e+1) == '+' || byteAt(s, e+1) == '-') && nDigits(s, e+2, 4) {
		e += 6
	}
	return e
}

// matchClock: a bare 15:04:05(.000); seconds are required so that a ratio
// like 3:2 stays.
func matchClock(s string, i int) int {
	e := clockEnd(s, i, true)
	if e < 0 || !boundaryAt(s, e) {
		return -1
	}
	return e
}

func clockEnd(s string, i int, needSec bool) int {
	h := digitRun(s, i)
	if h == 0 || h > 2 || byteAt(s, i+h) != ':' || !nDigits(s, i+h+1, 2) {
		return -1
	}
	k := i + h + 3
	if byteAt(s, k) != ':' || !nDigits(s, k+1, 2) {
		if needSec {
			return -1
		}
		return k
	}
	k += 3
	if c := byteAt(s, k); (c == '.' || c == ',') && isDigit(byteAt(s, k+1)) {
		k += 1 + digitRun(s, k+1)
	}
	return k
}

// zoneEnd skips a Z or a numeric offset (+01:00, -0700) at k.
func zoneEnd(s string, k int) int {
	switch c := byteAt(s, k); {
	case c == 'Z':
		return k + 1
	case (c == '+' || c == '-') && nDigits(s, k+1, 2):
		k += 3
		if byteAt(s, k) == ':' && nDigits(s, k+1, 2) {
			return k + 3
		}
		if nDigits(s, k, 2) {
			return k + 2
		}
		return k
	}
	return k
}

// matchIPv4: four dotted groups of 1-3 digits, optional :port.
func matchIPv4(s string, i int) int {
	k := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if byteAt(s, k) != '.' {
				return -1
			}
			k++
		}
		n := digitRun(s, k)
		if n == 0 || n > 3 {
			return -1
		}
		k += n
	}
	if n := digitRun(s, k+1); byteAt(s, k) == ':' && n > 0 && n <= 5 {
		k += 1 + n
	}
	if !boundaryAt(s, k) || byteAt(s, k) == '.' && isDigit(byteAt(s, k+1)) {
		return -1
	}
	return k
}

// matchIPv6: bare (fe80::1, ::1) or bracketed with a port ([::1]:8080).
// A bare one needs "::" or eight groups and a digit, so C++'s "std::" and
// a word like "dead::beef" stay.
func matchIPv6(s string, i int) int {
	if s[i] == '[' {
		e := ipv6End(s, i+1)
		if e < 0 || byteAt(s, e) != ']' {
			return -1
		}
		e++
		if n := digitRun(s, e+1); byteAt(s, e) == ':' && n > 0 {
			e += 1 + n
		}
		return e
	}
	if s[i] == ':' && (byteAt(s, i+1) != ':' || i > 0 && isWord(s[i-1])) {
		return -1
	}
	e := ipv6End(s, i)
	if e < 0 || !boundaryAt(s, e) || byteAt(s, e) == '.' {
		return -1
	}
	return e
}

func ipv6End(s string, i int) int {
	k, colons, group, digits, double := i, 0, 0, false, false
	for ; k < len(s); k++ {
		c := s[k]
		if c == ':' {
			if k > i && s[k-1] == ':' {
				if double {
					return -1
				}
				double = true
			}
			colons, group = colons+1, 0
			continue
		}
		if !isHex(c) {
			break
		}
		if group++; group > 4 {
			return -1
		}
		digits = digits || isDigit(c)
	}
	// "fe80::1:" in "dial tcp fe80::1: refused": the colon is the message's.
	if k-i >= 2 && s[k-1] == ':' && s[k-2] != ':' {
		k, colons = k-1, colons-1
	}
	if colons < 2 || !digits || !double && colons != 7 {
		return -1
	}
	return k
}

// matchUUID: 8-4-4-4-12 hex digits.
func matchUUID(s string, i int) int {
	if len(s)-i < 36 {
		return -1
	}
	for k := 0; k < 36; k++ {
		c := s[i+k]
		if k == 8 || k == 13 || k == 18 || k == 23 {
			if c != '-' {
				return -1
			}
		} else if !isHex(c) {
			return -1
		}
	}
	if !boundaryAt(s, i+36) {
		return -1
	}
	return i + 36
}

// match0x: 0x followed by hex digits, any length (0x0, 0xc000a1b2c3).
func match0x(s string, i int) int {
	if s[i] != '0' || byteAt(s, i+1) != 'x' && byteAt(s, i+1) != 'X' {
		return -1
	}
	k := i + 2
	for k < len(s) && isHex(s[k]) {
		k++
	}
	if k == i+2 || !boundaryAt(s, k) {
		return -1
	}
	return k
}

// matchDuration: Go's notation, one or more number+unit pairs (12ms,
// 1.5s, 3m20s, 250µs).
func matchDuration(s string, i int) int {
	k := i
	for {
		j := k + digitRun(s, k)
		if j == k {
			break
		}
		if byteAt(s, j) == '.' && isDigit(byteAt(s, j+1)) {
			j += 1 + digitRun(s, j+1)
		}
		u := unitLen(s, j)
		if u == 0 {
			break
		}
		k = j + u
	}
	if k == i || !boundaryAt(s, k) {
		return -1
	}
	return k
}

func unitLen(s string, j int) int {
	switch byteAt(s, j) {
	case 'n', 'u':
		if byteAt(s, j+1) == 's' {
			return 2
		}
	case 0xC2, 0xCE: // µ (micro sign) or μ (Greek mu), both seen for µs
		if b := byteAt(s, j+1); (b == 0xB5 || b == 0xBC) && byteAt(s, j+2) == 's' {
			return 3
		}
	case 'm':
		if byteAt(s, j+1) == 's' {
			return 2
		}
		return 1
	case 's', 'h':
		return 1
	}
	return 0
}

// matchID finds a generated identifier: a run of [A-Za-z0-9_-] of at least
// 16 bytes whose letters and digits alternate at least 3 times (hashes and
// tokens do; "fulfillment-worker-12" and "sha256" do not). It returns
// where the mask starts — the first '-' segment holding a digit, so a pod
// name keeps its workload — and the end, or -1, -1.
func matchID(s string, i int) (start, end int) {
	start, seg, flips, prev := -1, i, 0, byte(0)
	k := i
	for ; k < len(s) && (isWord(s[k]) || s[k] == '-'); k++ {
		c, class := s[k], byte(0)
		switch {
		case c == '-' || c == '_':
			seg, prev = k+1, 0
			continue
		case isDigit(c):
			class = 'd'
			if start < 0 {
				start = seg
			}
		default:
			class = 'a'
		}
		if prev != 0 && prev != class {
			flips++
		}
		prev = class
	}
	for k > i && s[k-1] == '-' {
		k--
	}
	if k-i < 16 || flips < 3 {
		return -1, -1
	}
	return start, k
}

// matchRegion recognises an AWS region (us-east-1, us-gov-west-1) or zone
// (us-east-1a) so that it is kept rather than masked as a number.
func matchRegion(s string, i, w int) int {
	if w-i != 2 || !isLower(s[i]) || !isLower(s[i+1]) {
		return -1
	}
	k, parts := w, 0
	for ; parts < 2 && byteAt(s, k) == '-' && isLower(byteAt(s, k+1)); parts++ {
		for k++; isLower(byteAt(s, k)); k++ {
		}
	}
	n := digitRun(s, k+1)
	if parts == 0 || byteAt(s, k) != '-' || n == 0 || n > 2 {
		return -1
	}
	k += 1 + n
	if isLower(byteAt(s, k)) && !isWord(byteAt(s, k+1)) {
		k++
	}
	if !boundaryAt(s, k) {
		return -1
	}
	return k
}

// matchEmail: local@domain.tld.
func matchEmail(s string, i int) int {
	k := i
	for k < len(s) && (isWord(s[k]) || s[k] == '.' || s[k] == '%' || s[k] == '+' || s[k] == '-') {
		k++
	}
	if k == i || byteAt(s, k) != '@' {
		return -1
	}
	end, labels := -1, 0
	for k++; ; k++ {
		n := 0
		for isWord(byteAt(s, k+n)) || byteAt(s, k+n) == '-' {
			n++
		}
		if n == 0 {
			break
		}
		k, labels, end = k+n, labels+1, k+n
		if byteAt(s, k) != '.' {
			break
		}
	}
	if labels < 2 {
		return -1
	}
	return end
}
