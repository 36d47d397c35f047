package main

import (
	"hash/crc32"
	"net/http"
	"strconv"
	"testing"
)

func TestReplaceAccountID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"arn", "arn:aws:sqs:us-east-1:000000000000:refunds", "arn:aws:sqs:us-east-1:111111111111:refunds"},
		{"queue url path", "/000000000000/refunds", "/111111111111/refunds"},
		{"every occurrence", "000000000000 and 000000000000", "111111111111 and 111111111111"},
		{"longer digit run", "1000000000000 0000000000001", "1000000000000 0000000000001"},
		{"other account", "arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:root"},
		{"nothing", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(replaceAccountID([]byte(tt.in), kumoAccount, "111111111111"))
			if got != tt.want {
				t.Errorf("replaceAccountID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTranslator(t *testing.T) {
	t.Parallel()
	tr := translator{
		account:   "111111111111",
		publicURL: "http://127.0.0.1:4601",
		kumoURLs:  []string{kumoBaseURL, "http://127.0.0.1:39999"},
	}
	tests := []struct {
		name, service, in, want string
		toKumo                  bool
	}{
		{"request, sqs uses zeros", "sqs", `{"QueueUrl":"http://127.0.0.1:4601/111111111111/refunds"}`,
			`{"QueueUrl":"http://127.0.0.1:4601/000000000000/refunds"}`, true},
		{"request, iam uses its own", "iam", "PolicyArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Apolicy%2Fp",
			"PolicyArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fp", true},
		{"request, other account untouched", "iam", `"AWS":"arn:aws:iam::222222222222:root"`,
			`"AWS":"arn:aws:iam::222222222222:root"`, true},
		{"response, queue url", "sqs", "<QueueUrl>http://localhost:4566/000000000000/refunds</QueueUrl>",
			"<QueueUrl>http://127.0.0.1:4601/111111111111/refunds</QueueUrl>", false},
		{"response, iam arn", "iam", "<Arn>arn:aws:iam::123456789012:role/ledger</Arn>",
			"<Arn>arn:aws:iam::111111111111:role/ledger</Arn>", false},
		{"response, kumo's real address", "s3", "http://127.0.0.1:39999/bucket",
			"http://127.0.0.1:4601/bucket", false},
		{"response, other account untouched", "sts", "arn:aws:iam::222222222222:role/x",
			"arn:aws:iam::222222222222:role/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []byte
			if tt.toKumo {
				got = tr.toKumo([]byte(tt.in), tt.service)
			} else {
				got = tr.fromKumo([]byte(tt.in))
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReplaceBodyRecomputesCRC(t *testing.T) {
	t.Parallel()
	body := []byte(`{"TableArn":"arn:aws:dynamodb:us-east-1:111111111111:table/orders"}`)
	tests := []struct {
		name    string
		crc     string
		wantCRC string
	}{
		{"kumo set one", "12345", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)},
		{"kumo set none", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{"Content-Length": {"3"}, "Transfer-Encoding": {"chunked"}}
			if tt.crc != "" {
				h.Set("X-Amz-Crc32", tt.crc)
			}
			replaceBody(h, body, false)
			if got := h.Get("X-Amz-Crc32"); got != tt.wantCRC {
				t.Errorf("X-Amz-Crc32 = %q, want %q", got, tt.wantCRC)
			}
			if got, want := h.Get("Content-Length"), strconv.Itoa(len(body)); got != want {
				t.Errorf("Content-Length = %q, want %q", got, want)
			}
			if h.Get("Transfer-Encoding") != "" {
				t.Error("Transfer-Encoding kept")
			}
		})
	}
}

func TestRewritable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
		want   bool
	}{
		{"plain json", http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, true},
		{"identity", http.Header{"Content-Encoding": {"identity"}}, true},
		{"gzip", http.Header{"Content-Encoding": {"gzip"}}, false},
		{"aws-chunked upload", http.Header{"Content-Encoding": {"aws-chunked"}}, false},
		{"event stream", http.Header{"Content-Type": {"application/vnd.amazon.eventstream"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := rewritable(tt.header); got != tt.want {
				t.Errorf("rewritable(%v) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}
