package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
)

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"serve", "--socket", "/tmp/x"},
		{"serve", "--data", "/tmp/x"},
		{"serve", "--socket", "/tmp/x", "--data", "/tmp/y", "extra"},
		{"serve", "--socket", "/tmp/x", "--data", "/tmp/y", "--trusted-public-key", "not-a-key"},
		{"serve", "--socket", "/tmp/x", "--data", "/tmp/y", "--trusted-user", "no-such-user-here"},
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

// TestServeTrustedUsers: with --trusted-user, a client running as another
// user is untrusted (the handshake says so, and it may not add
// signatures); one running as a listed user is trusted.
func TestServeTrustedUsers(t *testing.T) {
	me := strconv.Itoa(os.Getuid())
	other := strconv.Itoa(os.Getuid() + 4242)
	for _, tc := range []struct {
		users   []string
		trusted bool
	}{{nil, true}, {[]string{other}, false}, {[]string{other, me}, true}} {
		dir, err := os.MkdirTemp("", "nwtu")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		trust, err := trustUsers(tc.users)
		if err != nil {
			t.Fatal(err)
		}
		sock := filepath.Join(dir, "sock")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- runServe(ctx, serveConfig{socket: sock, data: filepath.Join(dir, "data"), storeDir: "/nix/store", maxConns: 4, grace: 5 * time.Second, trust: trust, noFiles: true}, io.Discard)
		}()
		var c *client.Conn
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if c, err = client.DialUnix(ctx, sock, client.Options{}); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal(err)
			}
		}
		want := messages.TrustedFlagNotTrusted
		if tc.trusted {
			want = messages.TrustedFlagTrusted
		}
		if got := c.Info().Trusted; got != want {
			t.Errorf("--trusted-user %v: the handshake says %v, want %v", tc.users, got, want)
		}
		c.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
