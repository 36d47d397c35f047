package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// awsEndpoint is one emulated AWS account: a ferry-sandboxd process wrapping
// kumo, answering as the side's account id.
func (s *Sandbox) awsEndpoint(side Side) proc {
	seed := "old"
	if side.Role == "target" {
		seed = "new"
	}
	port := s.cfg.Ports(side).AWS
	args := []string{"aws", "--account=" + side.Account, "--listen=" + Host + ":" + strconv.Itoa(port),
		"--data=" + filepath.Join(s.cfg.Dir, "aws", side.Profile), "--seed=" + seed, "--region=" + Region,
		// STS checks presigned calls (EKS tokens) against the profile's key.
		"--credentials=" + s.cfg.AWSCredentialsPath(), "--profile=" + side.Profile}
	for _, peer := range Sides() {
		if peer.Account != side.Account { // shared RDS snapshots are fetched from the sharing account
			args = append(args, "--peer-account="+peer.Account+"="+s.cfg.AWSEndpoint(peer))
		}
	}
	return proc{
		Name: "aws-" + side.Profile, Bin: s.tools["ferry-sandboxd"], Dir: s.cfg.Dir, Port: port,
		Args: append(args, s.eksAWSArgs(side)...),
	}
}

// AWSEndpoint is the URL of a side's emulated AWS account.
func (c Config) AWSEndpoint(side Side) string {
	return fmt.Sprintf("http://%s:%d", Host, c.Ports(side).AWS)
}

// Sandbox credentials are fixed and fake; the emulator accepts any.
func accessKey(side Side) (id, secret string) {
	return "AKIAFERRY" + strings.ToUpper(side.Name) + "SANDBOX", "ferry-sandbox-" + side.Name + "-not-a-secret"
}

// writeAWSFiles writes the shared config and credentials files with one
// profile per side, each pointing at its emulated account.
func (c Config) writeAWSFiles() error {
	if err := os.MkdirAll(filepath.Dir(c.AWSConfigPath()), 0o700); err != nil {
		return err
	}
	var conf, creds strings.Builder
	for _, side := range Sides() {
		id, secret := accessKey(side)
		fmt.Fprintf(&conf, "# %s side: account %s (%s), emulated on loopback by the ferry sandbox\n", side.Role, side.Account, side.Alias)
		fmt.Fprintf(&conf, "[profile %s]\nregion = %s\noutput = json\nendpoint_url = %s\ns3 =\n  addressing_style = path\n\n",
			side.Profile, Region, c.AWSEndpoint(side))
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", side.Profile, id, secret)
	}
	if err := os.WriteFile(c.AWSConfigPath(), []byte(conf.String()), 0o600); err != nil {
		return err
	}
	return os.WriteFile(c.AWSCredentialsPath(), []byte(creds.String()), 0o600)
}

// AWSConfig loads a side's profile from the sandbox's shared files, exactly
// as ferry loads any profile, so the endpoint comes from endpoint_url.
func (c Config) AWSConfig(ctx context.Context, side Side) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigFiles([]string{c.AWSConfigPath()}),
		config.WithSharedCredentialsFiles([]string{c.AWSCredentialsPath()}),
		config.WithSharedConfigProfile(side.Profile))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS profile %s from %s: %w", side.Profile, c.AWSConfigPath(), err)
	}
	return cfg, nil
}

// awsReadyPath answers 200 once ferry-sandboxd has seeded its account (the
// port opens before that).
const awsReadyPath = "/ferry-sandbox/ready"
