package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// awsOptions are the parsed flags of "ferry-sandboxd aws".
type awsOptions struct {
	account string // 12 digits
	listen  string // loopback host:port
	dataDir string // absolute
	seed    string // old, new or none
	region  string
	// The account's key pair, from a shared credentials file: when set,
	// presigned STS calls must be signed with it.
	credentials, profile string
	eks                  eksFlags
	faults               faultFlag // shares of requests answered with errors
	// The other sandbox accounts, whose shared RDS snapshots this one sees.
	peers peerAccounts
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

func parseAWSFlags(args []string) (awsOptions, error) {
	var o awsOptions
	fs := flag.NewFlagSet("aws", flag.ContinueOnError)
	fs.StringVar(&o.account, "account", "", "12-digit account id this process emulates (required)")
	fs.StringVar(&o.listen, "listen", "", "loopback address to serve on, e.g. 127.0.0.1:4566 (required)")
	fs.StringVar(&o.dataDir, "data", "", "directory holding the account's state across restarts (required)")
	fs.StringVar(&o.seed, "seed", "none", "scenario to seed: old, new or none")
	fs.StringVar(&o.region, "region", "us-east-1", "region the seed uses")
	fs.StringVar(&o.credentials, "credentials", "", "shared credentials file holding the account's key pair (optional; with --profile)")
	fs.StringVar(&o.profile, "profile", "", "profile in --credentials whose key pair presigned STS calls must be signed with")
	o.eks.register(fs)
	fs.Var(&o.peers, "peer-account", "another sandbox account as ID=URL, whose shared RDS snapshots this one may see and copy (repeatable)")
	fs.Var(&o.faults, "faults", "answer shares of requests with throttling or 5xx errors and delay every request, e.g. throttle=0.1,5xx=0.05[,latency=MS][,seed=N]; changed at runtime through "+FaultsPath)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !accountIDPattern.MatchString(o.account) {
		return o, fmt.Errorf("--account %q: want 12 digits, e.g. 111111111111", o.account)
	}
	if err := checkLoopback(o.listen); err != nil {
		return o, err
	}
	if o.dataDir == "" {
		return o, errors.New("--data is required: the directory the account's state lives in")
	}
	abs, err := filepath.Abs(o.dataDir)
	if err != nil {
		return o, fmt.Errorf("--data %q: %w", o.dataDir, err)
	}
	o.dataDir = abs
	if o.seed != "old" && o.seed != "new" && o.seed != "none" {
		return o, fmt.Errorf("--seed %q: want old, new or none", o.seed)
	}
	if (o.credentials == "") != (o.profile == "") {
		return o, errors.New("--credentials and --profile go together: the file and the profile in it")
	}
	return o, o.eks.validate()
}

// checkLoopback keeps the emulator, which checks few credentials, and the
// authenticator off any network interface.
func checkLoopback(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:4566", listen)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--listen %q: ferry-sandboxd only serves on loopback, e.g. 127.0.0.1", listen)
	}
	return nil
}

// runAWS serves one emulated account until SIGTERM or SIGINT, seeding it
// first; it prints the ready line once the account is usable.
func runAWS(args []string) error {
	o, err := parseAWSFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the flag set printed the usage
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dataDir, 0o750); err != nil {
		return fmt.Errorf("create --data directory: %w", err)
	}
	if err := reexecWithDataDir(o.dataDir); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	fronts, err := awsFronts(ctx, o)
	if err != nil {
		return err
	}
	acct, err := startAccount(o.account, o.listen, fronts...)
	if err != nil {
		return err
	}
	err = seedAccount(ctx, acct.URL, o.region, o.account, o.seed)
	if err == nil {
		acct.ready.Store(true)
		fmt.Printf("ready %s account %s\n", acct.URL, o.account)
		<-ctx.Done()
	}
	if ctx.Err() != nil {
		err = nil // asked to stop while seeding: not a failure
	}
	return errors.Join(err, acct.Close(persistGrace()))
}

// awsFronts are the handlers that answer what kumo cannot, as the flags ask.
func awsFronts(ctx context.Context, o awsOptions) ([]front, error) {
	var verifier *stsVerifier
	if o.credentials != "" {
		v, err := loadSTSVerifier(ctx, o.credentials, o.profile)
		if err != nil {
			return nil, err
		}
		verifier = v
	}
	fronts := []front{stsFront(verifier)}
	c, err := loadEKSCluster(o.eks, o.account, o.region)
	if err != nil {
		return nil, err
	}
	if c != nil {
		fronts = append(fronts, eksFront(c))
	}
	// Faults last: the outermost front, so a faulted request changes nothing.
	return append(fronts, route53Front(), rdsFront(o), faultsFront(o.faults)), nil
}

// reexecWithDataDir points kumo at dir. kumo's services read KUMO_DATA_DIR in
// their package init, before main runs, so the only way to honour --data is
// to start this program again with the variable set. Exec keeps the pid, so
// whoever started the process can still signal it. It returns nil, without
// exec, when the variable already names dir.
func reexecWithDataDir(dir string) error {
	if os.Getenv("KUMO_DATA_DIR") == dir {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable to restart with KUMO_DATA_DIR: %w", err)
	}
	env := setEnv(os.Environ(), "KUMO_DATA_DIR", dir)
	if os.Getenv("KUMO_PERSIST_FLUSH_INTERVAL_MS") == "" {
		// Shorter than kumo's 1s, so that stopping waits less (see persistGrace).
		env = setEnv(env, "KUMO_PERSIST_FLUSH_INTERVAL_MS", "100")
	}
	err = syscall.Exec(exe, os.Args, env)
	return fmt.Errorf("restart with KUMO_DATA_DIR: %w", err)
}

// setEnv returns env with key set to value, replacing earlier settings (the
// first of duplicate entries would win).
func setEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if len(kv) <= len(key) || kv[:len(key)+1] != key+"=" {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// persistGrace is how long to wait, after the last request, for kumo's
// background writer to save state. kumo saves synchronously only in its
// services' Close, which its public API does not expose, so a stop must outlast
// one flush interval.
func persistGrace() time.Duration {
	if os.Getenv("KUMO_DATA_DIR") == "" {
		return 0
	}
	ms, err := strconv.Atoi(os.Getenv("KUMO_PERSIST_FLUSH_INTERVAL_MS"))
	if err != nil || ms <= 0 {
		ms = 1000 // kumo's default
	}
	return 2*time.Duration(ms)*time.Millisecond + 100*time.Millisecond
}
