package main

import (
	"bufio"
	"bytes"
	"context"
	"github.com/nixwire/nixwire/client"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTraceUsage(t *testing.T) {
	for _, args := range [][]string{
		{"trace"},
		{"trace", "--socket", "/tmp/x", "--upstream", "tcp://host"},
		{"trace", "--socket", "/tmp/x", "extra"},
		{"trace", "--frob"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, nil, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d; want 2 (stderr %q)", args, code, errb.String())
		}
	}
}

// TestTraceCommand runs `nixwire path-info` through `nixwire trace` in
// front of the fake daemon: the output is the same as without the proxy
// and the text trace shows the op.
func TestTraceCommand(t *testing.T) {
	upstream := serveFake(t, fakeDaemon())
	dir := filepath.Dir(upstream)
	listen, traceFile := filepath.Join(dir, "p"), filepath.Join(dir, "trace.txt")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runTrace(ctx, listen, upstream, traceFile, true, 1<<20, io.Discard, io.Discard)
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(listen); err == nil && fi.Mode()&os.ModeSocket != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nixwire trace did not listen")
		}
	}
	pathInfo := func(sock string) string {
		var out, errb bytes.Buffer
		if code := run([]string{"path-info", "-socket", sock, validPath}, nil, &out, &errb); code != 0 {
			t.Fatalf("path-info via %s: exit %d: %s", sock, code, errb.String())
		}
		return out.String()
	}
	if via, direct := pathInfo(listen), pathInfo(upstream); via != direct {
		t.Errorf("path-info through the proxy:\n%s\ndirectly:\n%s", via, direct)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(traceFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"negotiated", "client request QueryPathInfo", "daemon reply QueryPathInfo", "close"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the trace lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "undecodable") {
		t.Errorf("the trace holds an undecodable message:\n%s", got)
	}
}

// TestTraceStdoutIsLive checks that a trace written to standard output
// (which run buffers) shows each exchange once the connection is quiet,
// while it is still open, not when it closes or the proxy exits.
func TestTraceStdoutIsLive(t *testing.T) {
	upstream := serveFake(t, fakeDaemon())
	listen := filepath.Join(filepath.Dir(upstream), "live")
	var out syncBuffer
	stdout := bufio.NewWriterSize(&out, 64<<10) // as run gives it
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runTrace(ctx, listen, upstream, "", true, 1<<20, stdout, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(listen); err == nil && fi.Mode()&os.ModeSocket != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nixwire trace did not listen")
		}
	}
	// The connection stays open while the output is checked: the lines
	// must not wait for its close.
	c, err := client.DialUnix(ctx, listen, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.QueryPathInfo(ctx, validPath); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "client request QueryPathInfo"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("while the proxy runs, standard output shows:\n%s", out.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// requireDevFull skips a test that writes to /dev/full where there is
// none, except under CI=true (or 1), where that fails it.
func requireDevFull(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/dev/full"); err != nil {
		if ci := os.Getenv("CI"); ci == "true" || ci == "1" {
			t.Fatalf("/dev/full is required under CI=%s: %v", ci, err)
		}
		t.Skip("no /dev/full on this system")
	}
}

// TestTraceOutError checks that a trace that could not be written is an
// error of the command, not a silently truncated file.
func TestTraceOutError(t *testing.T) {
	requireDevFull(t)
	upstream := serveFake(t, fakeDaemon())
	listen := filepath.Join(filepath.Dir(upstream), "full")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runTrace(ctx, listen, upstream, "/dev/full", false, 1<<20, io.Discard, io.Discard) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(listen); err == nil && fi.Mode()&os.ModeSocket != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nixwire trace did not listen")
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"path-info", "--store", "unix://" + listen, validPath}, nil, &out, &errb); code != 0 {
		t.Fatalf("path-info through the proxy: exit %d: %s", code, errb.String())
	}
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "writing the trace") {
		t.Errorf("runTrace to /dev/full = %v, want a write error", err)
	}
}
