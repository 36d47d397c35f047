package main

import (
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// seen is what the fake kumo received.
type seen struct {
	path, query, body string
}

// proxyCase is one request through the proxy to a fake kumo that answers
// with respBody and respHeader.
type proxyCase struct {
	name       string
	method     string
	target     string // path and query
	service    string // signing name; "" sends the request unsigned
	body       string
	respBody   string
	respHeader http.Header
	want       seen   // what kumo must receive
	wantResp   string // what the client must receive
}

// objectData holds everything the proxy would rewrite anywhere else.
const objectData = "000000000000 123456789012 111111111111 http://localhost:4566/x"

var proxyCases = []proxyCase{
	{
		name: "sqs json request and queue url answer", method: "POST", target: "/", service: "sqs",
		body:     `{"QueueUrl":"http://PUBLIC/111111111111/refunds"}`,
		respBody: `{"QueueUrl":"http://localhost:4566/000000000000/refunds"}`,
		want:     seen{path: "/", body: `{"QueueUrl":"http://PUBLIC/000000000000/refunds"}`},
		wantResp: `{"QueueUrl":"http://PUBLIC/111111111111/refunds"}`,
	},
	{
		name: "sqs query path", method: "POST", target: "/111111111111/refunds?Action=SendMessage", service: "sqs",
		want: seen{path: "/000000000000/refunds", query: "Action=SendMessage"},
	},
	{
		name: "iam placeholder, other account untouched", method: "POST", target: "/", service: "iam",
		body:     "Action=CreateRole&Doc=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fa+arn%3Aaws%3Aiam%3A%3A222222222222%3Aroot",
		respBody: "<Arn>arn:aws:iam::123456789012:role/a</Arn><P>arn:aws:iam::222222222222:root</P>",
		want: seen{path: "/",
			body: "Action=CreateRole&Doc=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa+arn%3Aaws%3Aiam%3A%3A222222222222%3Aroot"},
		wantResp: "<Arn>arn:aws:iam::111111111111:role/a</Arn><P>arn:aws:iam::222222222222:root</P>",
	},
	{
		name: "dynamodb crc follows the rewrite", method: "POST", target: "/", service: "dynamodb",
		body:       `{"TableName":"orders"}`,
		respBody:   `{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders"}`,
		respHeader: http.Header{"X-Amz-Crc32": {"1"}},
		want:       seen{path: "/", body: `{"TableName":"orders"}`},
		wantResp:   `{"TableArn":"arn:aws:dynamodb:us-east-1:111111111111:table/orders"}`,
	},
	{
		name: "dynamodb answers carry a crc even when kumo sends none", method: "POST", target: "/", service: "dynamodb",
		body:     `{"TableName":"orders"}`,
		respBody: `{"Count":3}`,
		want:     seen{path: "/", body: `{"TableName":"orders"}`},
		wantResp: `{"Count":3}`,
	},
	{
		name: "s3 object put is byte-identical", method: "PUT", target: "/acme-legacy-assets/000000000000/a.txt", service: "s3",
		body: objectData, respBody: objectData,
		want:     seen{path: "/acme-legacy-assets/000000000000/a.txt", body: objectData},
		wantResp: objectData,
	},
	{
		name: "s3 object get is byte-identical", method: "GET", target: "/acme-legacy-assets/a.txt?versionId=000000000000", service: "s3",
		respBody: objectData,
		want:     seen{path: "/acme-legacy-assets/a.txt", query: "versionId=000000000000"},
		wantResp: objectData,
	},
	{
		name: "s3 listing keeps keys", method: "GET", target: "/acme-legacy-assets?list-type=2&prefix=000000000000", service: "s3",
		respBody: "<Key>000000000000/a.txt</Key>",
		want:     seen{path: "/acme-legacy-assets", query: "list-type=2&prefix=000000000000"},
		wantResp: "<Key>000000000000/a.txt</Key>",
	},
	{
		name: "s3 bucket notification names queues", method: "PUT", target: "/acme-legacy-invoices?notification", service: "s3",
		body:     "<Queue>arn:aws:sqs:us-east-1:111111111111:refunds</Queue>",
		respBody: "<Queue>arn:aws:sqs:us-east-1:000000000000:refunds</Queue>",
		want:     seen{path: "/acme-legacy-invoices", query: "notification", body: "<Queue>arn:aws:sqs:us-east-1:000000000000:refunds</Queue>"},
		wantResp: "<Queue>arn:aws:sqs:us-east-1:111111111111:refunds</Queue>",
	},
	{
		name: "unsigned passes untouched", method: "POST", target: "/111111111111/q",
		body: objectData, respBody: objectData,
		want:     seen{path: "/111111111111/q", body: objectData},
		wantResp: objectData,
	},
}

func TestProxyTranslation(t *testing.T) {
	t.Parallel()
	for _, tc := range proxyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, resp, public := roundTrip(t, tc)
			tc.want.body = strings.ReplaceAll(tc.want.body, "PUBLIC", public)
			if got != tc.want {
				t.Errorf("kumo received %+v, want %+v", got, tc.want)
			}
			wantResp := strings.ReplaceAll(tc.wantResp, "PUBLIC", public)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != wantResp {
				t.Errorf("client received %q, want %q", body, wantResp)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length %d for a %d-byte body", resp.ContentLength, len(body))
			}
			if tc.service == "dynamodb" {
				want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
				if got := resp.Header.Get("X-Amz-Crc32"); got != want {
					t.Errorf("X-Amz-Crc32 = %s, want %s", got, want)
				}
			}
		})
	}
}

// roundTrip sends tc through a proxy to a fake kumo; it returns what kumo
// received, the client's response and the proxy's host:port.
func roundTrip(t *testing.T, tc proxyCase) (seen, *http.Response, string) {
	t.Helper()
	received := make(chan seen, 1)
	kumoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- seen{path: r.URL.Path, query: r.URL.RawQuery, body: string(b)}
		for k, v := range tc.respHeader {
			w.Header()[k] = v
		}
		_, _ = io.WriteString(w, tc.respBody)
	}))
	t.Cleanup(kumoSrv.Close)
	proxySrv := httptest.NewUnstartedServer(nil)
	public := proxySrv.Listener.Addr().String()
	p, err := newAccountProxy(kumoSrv.URL, translator{
		account: "111111111111", publicURL: "http://" + public, kumoURLs: []string{kumoBaseURL, kumoSrv.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	proxySrv.Config.Handler = p
	proxySrv.Start()
	t.Cleanup(proxySrv.Close)

	body := strings.ReplaceAll(tc.body, "PUBLIC", public)
	req, err := http.NewRequestWithContext(t.Context(), tc.method, proxySrv.URL+tc.target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tc.service != "" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260105/us-east-1/"+
			tc.service+"/aws4_request, SignedHeaders=host, Signature=0")
	}
	resp, err := proxySrv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return <-received, resp, public
}

func TestSigningService(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
		query  string
		want   string
	}{
		{"authorization", http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=A/20260105/us-east-1/iam/aws4_request, SignedHeaders=host"}}, "", "iam"},
		{"presigned", nil, "X-Amz-Credential=A%2F20260105%2Fus-east-1%2Fs3%2Faws4_request", "s3"},
		{"unsigned json", http.Header{"X-Amz-Target": {"DynamoDB_20120810.Scan"}}, "", "dynamodb"},
		{"unsigned, unknown", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/?"+tt.query, nil)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			if got := signingService(r); got != tt.want {
				t.Errorf("signingService = %q, want %q", got, tt.want)
			}
		})
	}
}
