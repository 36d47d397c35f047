package logs

import "testing"

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, wantColor string
	}{
		{"plain", "hello world", "hello world", "hello world"},
		{"tab kept", "a\tb", "a\tb", "a\tb"},
		{"osc52 clipboard BEL", "x\x1b]52;c;cm0gLXJmIC8=\x07y", "xy", "xy"},
		{"osc52 clipboard ST", "x\x1b]52;c;Zm9v\x1b\\y", "xy", "xy"},
		{"title set", "\x1b]0;pwned\x07ok", "ok", "ok"},
		{"cursor moves", "a\x1b[2Ab\x1b[10;20Hc\x1b[2J", "abc", "abc"},
		{"private CSI", "a\x1b[?1049hb", "ab", "ab"},
		{"colour", "\x1b[31mred\x1b[0m", "red", "\x1b[31mred\x1b[0m"},
		{"colour 256", "\x1b[38;5;196mx\x1b[m", "x", "\x1b[38;5;196mx\x1b[m"},
		{"C1 CSI 8-bit utf8", "a\u009b2Jb", "ab", "ab"},
		{"C1 OSC utf8", "a\u009d0;t\u009cb", "ab", "ab"},
		{"raw 8-bit CSI byte", "a\x9b2Jb", "a2Jb", "a2Jb"},
		{"lone ESC end", "abc\x1b", "abc", "abc"},
		{"ESC c reset", "a\x1bcb", "ab", "ab"},
		{"charset", "a\x1b(Bb", "ab", "ab"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab", "ab"},
		{"APC PM", "a\x1b_x\x1b\\b\x1b^y\x07c", "abc", "abc"},
		{"unterminated OSC", "a\x1b]0;title", "a", "a"},
		{"C0 and DEL", "a\x00b\x07c\x08d\x7fe\rf", "abcdef", "abcdef"},
		{"cut CSI", "a\x1b[12", "a", "a"},
		{"unicode kept", "héllo ✓ 日本", "héllo ✓ 日本", "héllo ✓ 日本"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in, false); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Sanitize(tt.in, true); got != tt.wantColor {
				t.Errorf("Sanitize(%q, keepColor) = %q, want %q", tt.in, got, tt.wantColor)
			}
		})
	}
}

func BenchmarkSanitizeClean(b *testing.B) {
	s := `{"level":"info","msg":"request completed","path":"/api/v1/orders","status":200}`
	for b.Loop() {
		Sanitize(s, false)
	}
}
