package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// authnOptions are the parsed flags of "ferry-sandboxd authn".
type authnOptions struct {
	listen  string   // loopback host:port
	sts     *url.URL // the STS endpoint GetCallerIdentity calls go to
	cluster string
	account string
	maps    mapFlag
}

// mapFlag collects --map ARN=user:group1,group2 flags.
type mapFlag map[string]mapping

func (m mapFlag) String() string {
	var out []string
	for arn, mp := range m {
		out = append(out, arn+"="+mp.user+":"+strings.Join(mp.groups, ","))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// Set parses ARN=user[:group,...]; the user is what precedes the first
// colon after "=", so groups may hold colons (system:masters).
func (m mapFlag) Set(v string) error {
	arn, rest, ok := strings.Cut(v, "=")
	if !ok || !strings.HasPrefix(arn, "arn:") || rest == "" {
		return fmt.Errorf("want ARN=user:group1,group2, e.g. arn:aws:iam::222222222222:root=ferry-operator:system:masters")
	}
	user, groups, _ := strings.Cut(rest, ":")
	if user == "" {
		return fmt.Errorf("%q: the user name is empty", v)
	}
	mp := mapping{user: user}
	for _, g := range strings.Split(groups, ",") {
		if g != "" {
			mp.groups = append(mp.groups, g)
		}
	}
	m[arn] = mp
	return nil
}

func parseAuthnFlags(args []string) (authnOptions, error) {
	o := authnOptions{maps: mapFlag{}}
	var sts string
	fs := flag.NewFlagSet("authn", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "", "loopback address to serve the TokenReview webhook on, e.g. 127.0.0.1:17427 (required)")
	fs.StringVar(&sts, "sts-endpoint", "", "STS endpoint to send GetCallerIdentity to, e.g. http://127.0.0.1:17441 (required)")
	fs.StringVar(&o.cluster, "cluster", "", "EKS cluster name tokens must be signed for (x-k8s-aws-id) (required)")
	fs.StringVar(&o.account, "account", "", "12-digit account id whose principals may sign in (required)")
	fs.Var(o.maps, "map", "ARN=user:group1,group2: the Kubernetes user and groups of an AWS principal (repeatable)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkLoopback(o.listen); err != nil {
		return o, err
	}
	u, err := url.Parse(sts)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return o, fmt.Errorf("--sts-endpoint %q: want a base URL, e.g. http://127.0.0.1:17441", sts)
	}
	o.sts = u
	if o.cluster == "" {
		return o, errors.New("--cluster is required: the EKS cluster name tokens are signed for")
	}
	if !accountIDPattern.MatchString(o.account) {
		return o, fmt.Errorf("--account %q: want 12 digits, e.g. 222222222222", o.account)
	}
	if len(o.maps) == 0 {
		return o, errors.New("--map is required: without one no principal can sign in")
	}
	return o, nil
}

// newReviewer builds the webhook's handler from the flags.
func newReviewer(o authnOptions, log *slog.Logger) *reviewer {
	emulator := &url.URL{Scheme: o.sts.Scheme, Host: o.sts.Host}
	return &reviewer{
		parser: tokenParser{emulator: emulator}, sts: emulator, cluster: o.cluster, account: o.account,
		maps: o.maps, client: &http.Client{Timeout: 10 * time.Second}, now: time.Now, log: log,
	}
}

// authnHandler serves the webhook at /authenticate and a health check.
func authnHandler(rv *reviewer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/authenticate", rv)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

// runAuthn serves the EKS token webhook until SIGTERM or SIGINT. It plays
// the cluster's aws-iam-authenticator: the apiserver asks it about every
// bearer token its own authenticators do not know.
func runAuthn(args []string) error {
	o, err := parseAuthnFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("cmd", "authn", "cluster", o.cluster)
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := &http.Server{Handler: authnHandler(newReviewer(o, log)), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("serving TokenReviews", "url", "http://"+ln.Addr().String()+"/authenticate", "sts", o.sts.String(), "maps", o.maps.String())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
