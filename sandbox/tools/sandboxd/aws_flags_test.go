package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAWSFlags(t *testing.T) {
	t.Parallel()
	base := []string{"--account", "111111111111", "--listen", "127.0.0.1:4601", "--data", "state"}
	tests := []struct {
		name    string
		args    []string
		wantErr string // empty: parses
	}{
		{"defaults", base, ""},
		{"seed old", append(base, "--seed", "old"), ""},
		{"short account", []string{"--account", "1111", "--listen", "127.0.0.1:1", "--data", "d"}, "want 12 digits"},
		{"not loopback", []string{"--account", "111111111111", "--listen", "0.0.0.0:1", "--data", "d"}, "only serves on loopback"},
		{"no port", []string{"--account", "111111111111", "--listen", "127.0.0.1", "--data", "d"}, "want host:port"},
		{"no data", []string{"--account", "111111111111", "--listen", "127.0.0.1:1"}, "--data is required"},
		{"bad seed", append(base, "--seed", "both"), "want old, new or none"},
		{"stray argument", append(base, "extra"), "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseAWSFlags(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !filepath.IsAbs(o.dataDir) || o.region != "us-east-1" || o.account != "111111111111" {
				t.Errorf("parsed %+v", o)
			}
		})
	}
}

func TestSetEnv(t *testing.T) {
	t.Parallel()
	got := setEnv([]string{"A=1", "KUMO_DATA_DIR=/old", "KUMO_DATA_DIR_X=2", "KUMO_DATA_DIR=/older"}, "KUMO_DATA_DIR", "/new")
	want := "A=1 KUMO_DATA_DIR_X=2 KUMO_DATA_DIR=/new"
	if strings.Join(got, " ") != want {
		t.Errorf("setEnv = %q, want %q", got, want)
	}
}
