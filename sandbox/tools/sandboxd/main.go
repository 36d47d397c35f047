// Command ferry-sandboxd runs the sandbox's helper processes:
//
//	ferry-sandboxd aws   — one emulated AWS account on a loopback port
//	ferry-sandboxd logs  — writes container logs for one cluster's kwok pods
//	ferry-sandboxd authn — the EKS token webhook (aws-iam-authenticator's part)
//	ferry-sandboxd web   — one cluster's public orders-api endpoint, for cutover tests
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "aws":
		err = runAWS(os.Args[2:])
	case "logs":
		err = runLogs(os.Args[2:])
	case "authn":
		err = runAuthn(os.Args[2:])
	case "web":
		err = runWeb(os.Args[2:])
	case "-h", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "ferry-sandboxd: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry-sandboxd %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: ferry-sandboxd aws|logs|authn|web [flags]

  aws   serve one emulated AWS account (kumo) on a loopback address
  logs  write CRI-format container logs for the pods of one cluster's kwok node
  authn authenticate EKS tokens (k8s-aws-v1.) for an apiserver's token webhook
  web   serve the public orders-api endpoint of the old (kops) or new (eks) cluster

Run "ferry-sandboxd CMD -h" for the flags of CMD.
`)
}
