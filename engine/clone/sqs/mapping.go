package sqs

import "strings"

// Names and ARNs go through rewrite.String, the same rewriter the
// Kubernetes side uses, so a queue URL in a ConfigMap and the queue cloned
// here get the same new name. What is left here are ARN field readers.

// arnAccount is the account field of an ARN, "" when s is not one.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// arnRegion is the region field of an ARN.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

// arnName is the resource part of an ARN: a queue's name.
func arnName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[5]
}
