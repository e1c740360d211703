package stdio_test

import (
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client/stdio"
)

func TestEcho(t *testing.T) {
	c, err := stdio.Command(t.Context(), "cat")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !c.Exited() || c.Close() != nil {
		t.Fatal("not exited after Close, or Close not idempotent")
	}
}

func TestContextKillsTheGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	// The shell forks a child that ignores stdin; both must die.
	c, err := stdio.Start(ctx, exec.Command("sh", "-c", "sleep 100 & wait"))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the child outlived its context")
	}
	// Its stdout ends once the whole group is gone.
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(c); done <- err }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a grandchild holds the pipe: the group was not killed")
	}
	c.Close()
}

func TestCloseKillsAStubbornChild(t *testing.T) {
	c, err := stdio.Start(t.Context(), exec.Command("sh", "-c", "trap '' TERM; echo oops >&2; exec sleep 100 </dev/null"))
	if err != nil {
		t.Fatal(err)
	}
	c.ExitTimeout = 200 * time.Millisecond
	time.Sleep(100 * time.Millisecond)
	err = c.Close()
	if err == nil || !strings.Contains(err.Error(), "killed") || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("Close = %v, want a kill quoting stderr", err)
	}
}

func TestDeadlines(t *testing.T) {
	c, err := stdio.Command(t.Context(), "cat")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("Read past its deadline succeeded")
	}
}
