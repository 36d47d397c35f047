package main

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

// kumo hard-codes the account id of every resource it creates, and not the
// same one everywhere: most services use kumoAccount, IAM and a few others
// kumoIAMAccount. The proxy swaps them for the sandbox's account id.
const (
	kumoAccount    = "000000000000"
	kumoIAMAccount = "123456789012"
)

// kumoBaseURL is the address kumo writes into the URLs it hands out (SQS queue
// URLs), whatever port it really listens on.
const kumoBaseURL = "http://localhost:4566"

// iamStyleServices are the SigV4 signing names of the kumo services that use
// kumoIAMAccount. Extend the list when ferry starts calling another of them.
var iamStyleServices = map[string]bool{
	"iam": true, "eks": true, "organizations": true, "cloudformation": true,
}

// placeholderFor returns the account id kumo's service uses in its ARNs.
func placeholderFor(service string) string {
	if iamStyleServices[service] {
		return kumoIAMAccount
	}
	return kumoAccount
}

// translator maps between what the sandbox account's clients see and what one
// kumo process stores. It is immutable and safe for concurrent use.
type translator struct {
	account   string   // the emulated account, e.g. 111111111111
	publicURL string   // http://127.0.0.1:PORT, the proxy's address
	kumoURLs  []string // addresses kumo may write into responses
}

// toKumo rewrites an incoming request's text: the sandbox account becomes the
// placeholder that service looks resources up by.
func (t translator) toKumo(b []byte, service string) []byte {
	return replaceAccountID(b, t.account, placeholderFor(service))
}

// fromKumo rewrites a response's text. Both placeholders are mapped, because a
// resource created through one service can be named in another's answer.
func (t translator) fromKumo(b []byte) []byte {
	b = replaceAccountID(b, kumoAccount, t.account)
	b = replaceAccountID(b, kumoIAMAccount, t.account)
	for _, u := range t.kumoURLs {
		b = bytes.ReplaceAll(b, []byte(u), []byte(t.publicURL))
	}
	return b
}

// replaceAccountID replaces every standalone 12-digit run equal to from: the
// digits of a longer number (an epoch in milliseconds, a 13-digit key) are
// left alone. It returns b itself when nothing matched.
func replaceAccountID(b []byte, from, to string) []byte {
	if from == to || !bytes.Contains(b, []byte(from)) {
		return b
	}
	var out bytes.Buffer
	rest := b
	for {
		i := bytes.Index(rest, []byte(from))
		if i < 0 {
			break
		}
		end := i + len(from)
		standalone := (i == 0 || !isDigit(rest[i-1])) && (end == len(rest) || !isDigit(rest[end]))
		out.Write(rest[:i])
		if standalone {
			out.WriteString(to)
		} else {
			out.WriteString(from)
		}
		rest = rest[end:]
	}
	out.Write(rest)
	return out.Bytes()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// replaceBody installs a rewritten body and the headers that describe it.
// The SDK's DynamoDB client checks X-Amz-Crc32 against the body it
// receives, and warns on every answer without one (it then expects 0), so
// a DynamoDB answer always carries it, as DynamoDB's own do, and a
// checksum from kumo follows the rewrite.
func replaceBody(h http.Header, b []byte, dynamoDB bool) {
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Del("Transfer-Encoding")
	if dynamoDB || h.Get("X-Amz-Crc32") != "" {
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	}
}

// rewritable reports whether a body with these headers is plain text the
// proxy may edit: compressed bodies and binary event streams carry their own
// framing and checksums and are passed through as they are.
func rewritable(h http.Header) bool {
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return false
	}
	return !strings.Contains(h.Get("Content-Type"), "eventstream")
}
