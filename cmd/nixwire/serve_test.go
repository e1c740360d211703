package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"serve", "--socket", "/tmp/x"},
		{"serve", "--data", "/tmp/x"},
		{"serve", "--socket", "/tmp/x", "--data", "/tmp/y", "extra"},
		{"serve", "--socket", "/tmp/x", "--data", "/tmp/y", "--trusted-public-key", "not-a-key"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, nil, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d; want 2 (stderr %q)", args, code, errb.String())
		}
	}
}

// TestServeCommand runs `nixwire serve` and `nixwire info` against it,
// then stops the server as a signal would.
func TestServeCommand(t *testing.T) {
	dir, err := os.MkdirTemp("", "nwsv")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "sock")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveConfig{socket: sock, data: filepath.Join(dir, "data"), storeDir: "/nix/store", maxConns: 4, grace: 5 * time.Second}, io.Discard)
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nixwire serve did not create its socket")
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"info", "-socket", sock}, nil, &out, &errb); code != 0 {
		t.Fatalf("nixwire info: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "1.38") {
		t.Errorf("nixwire info against nixwire serve:\n%s", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nixwire serve did not stop")
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
}
