package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAccountOldInProcess runs kumo and the proxy in this process (kumo's
// state is per process, so this is the only in-process account), seeds the
// old account twice and checks the second seed changed nothing.
func TestAccountOldInProcess(t *testing.T) {
	t.Parallel()
	const id = "111111111111"
	// The RDS seed needs the RDS front, as the aws command wires it.
	acct, err := startAccount(id, "127.0.0.1:0", rdsFront(awsOptions{account: id, region: "us-east-1"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := acct.Close(0); err != nil {
			t.Error(err)
		}
	})
	ctx := t.Context()
	must(t, "seed", seedAccount(ctx, acct.URL, "us-east-1", id, "old"))
	first := takeInventory(t, ctx, acct.URL)
	checkOld(t, first, acct.URL)

	must(t, "seed again", seedAccount(ctx, acct.URL, "us-east-1", id, "old"))
	if again := takeInventory(t, ctx, acct.URL); !reflect.DeepEqual(first, again) {
		t.Errorf("seeding twice changed the account:\nfirst %+v\nagain %+v", first, again)
	}
}

// TestAWSCommand runs "ferry-sandboxd aws" for each side in a child process
// (a fresh kumo each), stops it with SIGTERM, starts it again on the same
// --data and checks the state survived without a second copy of the seed.
func TestAWSCommand(t *testing.T) {
	t.Parallel()
	sides := []struct {
		seed, account string
		check         func(*testing.T, inventory, string)
	}{
		{"new", "222222222222", checkNew},
		{"old", "111111111111", checkOld},
	}
	for _, side := range sides {
		t.Run(side.seed, func(t *testing.T) {
			dir := t.TempDir()
			firstURL, stop := startCommand(t, side.account, dir, side.seed)
			first := takeInventory(t, t.Context(), firstURL)
			side.check(t, first, firstURL)
			stop()

			url, stop := startCommand(t, side.account, dir, side.seed)
			defer stop()
			again := takeInventory(t, t.Context(), url)
			// The port differs between runs; nothing else may.
			for name, u := range again.QueueURLs {
				again.QueueURLs[name] = strings.Replace(u, url, firstURL, 1)
			}
			if !reflect.DeepEqual(first, again) {
				t.Errorf("restart changed the account:\nfirst %+v\nagain %+v", first, again)
			}
		})
	}
}

const helperEnv = "FERRY_SANDBOXD_AWS_HELPER"

// TestAWSHelperProcess is the child TestAWSCommand starts: it runs runAWS
// with the arguments after "--".
func TestAWSHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("the child process of TestAWSCommand, which runs it")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	if err := runAWS(args); err != nil {
		t.Fatal(err)
	}
}

// startCommand starts the command on a free port, with extra flags, and
// waits for its ready line; stop sends SIGTERM and expects exit status 0.
func startCommand(t *testing.T, account, dir, seed string, extra ...string) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	args := append([]string{"-test.run=^TestAWSHelperProcess$", "--",
		"--account", account, "--listen", "127.0.0.1:0", "--data", dir, "--seed", seed}, extra...)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(setEnv(os.Environ(), "KUMO_DATA_DIR", ""), helperEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	must(t, "start ferry-sandboxd aws", cmd.Start())
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "ready ") {
				ready <- line
			}
		}
	}()
	stop = func() {
		defer cancel()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("ferry-sandboxd aws did not exit cleanly on SIGTERM: %v\n%s", err, stderr.String())
		}
	}
	select {
	case line := <-ready:
		// ready http://127.0.0.1:PORT account ID
		f := strings.Fields(line)
		if len(f) != 4 || f[2] != "account" || f[3] != account {
			stop()
			t.Fatalf("ready line %q, want \"ready URL account %s\"", line, account)
		}
		if code := getStatus(t, f[1]+ReadyPath); code != http.StatusOK {
			stop()
			t.Fatalf("%s answered %d after the ready line, want 200", ReadyPath, code)
		}
		return f[1], stop
	case <-time.After(2 * time.Minute):
		stop()
		t.Fatalf("no ready line within 2 minutes\n%s", stderr.String())
		return "", nil
	}
}

func TestStartAccountBusyPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	_, err = startAccount("111111111111", ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "port "+port) {
		t.Errorf("startAccount on a busy port: error %v, want one naming port %s", err, port)
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestReadyPathBeforeSeed: until the account is seeded, the ready path says
// 503 while the port is already open.
func TestReadyPathBeforeSeed(t *testing.T) {
	t.Parallel()
	a, err := startAccount("111111111111", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(0)
	if code := getStatus(t, a.URL+ReadyPath); code != http.StatusServiceUnavailable {
		t.Fatalf("before seeding %s = %d, want 503", ReadyPath, code)
	}
	a.ready.Store(true)
	if code := getStatus(t, a.URL+ReadyPath); code != http.StatusOK {
		t.Fatalf("after seeding %s = %d, want 200", ReadyPath, code)
	}
}
