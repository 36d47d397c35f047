package logs

import (
	"strings"
	"unicode/utf8"
)

// Sanitize makes untrusted log text safe to print on a terminal. It removes
// C0 and C1 control characters (tabs stay) and every escape sequence: CSI
// (cursor moves, erase), OSC (title changes, OSC 52 clipboard writes), DCS,
// SOS, PM, APC and lone ESCs. SGR colour sequences (ESC [ ... m with only
// digits and semicolons) survive when keepColor is set. Invalid UTF-8 bytes
// are dropped, because a raw 0x9b is CSI to an 8-bit terminal.
func Sanitize(s string, keepColor bool) string {
	if clean(s) {
		return s // the common case: no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			i += max(n, 1)
		case r == 0x1b:
			i = skipEscape(&b, s, i, keepColor)
		case r == 0x9b: // C1 CSI
			i = skipCSI(&b, s, i+n, i, keepColor)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			i = skipString(s, i+n)
		case r == '\t':
			b.WriteByte('\t')
			i += n
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			i += n
		default:
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String()
}

// clean reports whether s holds only printable ASCII, tabs and valid
// non-C1 UTF-8 — a byte loop, no regexp, so the hot path stays cheap.
func clean(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\t' {
			continue
		}
		if c < 0x80 {
			return false
		}
		ascii = false
		// C1 controls are encoded as 0xC2 0x80..0x9F.
		if c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			return false
		}
	}
	return ascii || utf8.ValidString(s)
}

// skipEscape handles an ESC at s[i] and returns the index after the sequence.
func skipEscape(b *strings.Builder, s string, i int, keepColor bool) int {
	if i+1 >= len(s) {
		return len(s) // lone ESC at the end
	}
	switch s[i+1] {
	case '[':
		return skipCSI(b, s, i+2, i, keepColor)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+2)
	}
	// Other escapes (ESC c reset, ESC 7, ESC ( B ...): intermediates
	// 0x20-0x2f then one final byte 0x30-0x7e.
	j := i + 1
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		j++
	}
	return j
}

// skipCSI skips a control sequence whose parameters start at p (the
// introducer began at start); an SGR is copied to b when keepColor is set.
func skipCSI(b *strings.Builder, s string, p, _ int, keepColor bool) int {
	j := p
	sgrOnly := true
	for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
		if !(s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
			sgrOnly = false
		}
		j++
	}
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		sgrOnly = false
		j++
	}
	if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
		return j // malformed or cut off: drop what we saw
	}
	if keepColor && sgrOnly && s[j] == 'm' {
		b.WriteString("\x1b[")
		b.WriteString(s[p:j])
		b.WriteByte('m')
	}
	return j + 1
}

// skipString skips an OSC/DCS/SOS/PM/APC body up to its terminator: BEL,
// ESC \ or C1 ST. An unterminated one runs to the end of the line, which is
// what a terminal would swallow too.
func skipString(s string, p int) int {
	for j := p; j < len(s); j++ {
		switch s[j] {
		case 0x07:
			return j + 1
		case 0x1b:
			if j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
			return j // a new escape starts; let the caller handle it
		case 0xc2:
			if j+1 < len(s) && s[j+1] == 0x9c {
				return j + 2
			}
		}
	}
	return len(s)
}
