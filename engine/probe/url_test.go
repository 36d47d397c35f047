package probe

import "testing"

func TestRequestURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ base, path, want string }{
		{"http://h:8080", "/healthz", "http://h:8080/healthz"},
		{"http://h/api/", "/v1/checkout?dry_run=true", "http://h/api/v1/checkout?dry_run=true"},
		{"http://h/api", "v1/", "http://h/api/v1/"},
		{"http://h/healthz?full=1", "", "http://h/healthz?full=1"},
		{"http://h/?a=1", "/x", "http://h/x"},
		{"http://h", "/a%2Fb", "http://h/a%2Fb"},
	} {
		u, err := requestURL(mustURL(t, tc.base), tc.path)
		if err != nil || u.String() != tc.want {
			t.Errorf("requestURL(%s, %s) = %v, %v; want %s", tc.base, tc.path, u, err, tc.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"http://h/x?b=2&a=1", "http://h/x?b=2&a=1"},
		{"http://h/x?token=abc&a=1", "http://h/x?a=1&token=REDACTED"},
		{"http://h/x?X-Amz-Signature=abc", "http://h/x?X-Amz-Signature=REDACTED"},
		{"http://u:pw@h/x", "http://u:xxxxx@h/x"},
	} {
		if got := redactURL(mustURL(t, tc.in)); got != tc.want {
			t.Errorf("redactURL(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
