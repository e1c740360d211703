package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
)

// cliEnv, when set to arguments separated by newlines, makes the test
// binary run as `nixwire ARGS...` (cliMain), so that tests can send it
// signals and give it real pipes; windDownEnv sets defaultWindDown in it.
const (
	cliEnv      = "NIXWIRE_TEST_CLI"
	windDownEnv = "NIXWIRE_TEST_WIND_DOWN"
)

// cliProcess returns the command running nixwire with args as its own
// process.
func cliProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cliEnv+"="+strings.Join(args, "\n"))
	return cmd
}

// bigPath adds a file of n random bytes to the store at url and returns
// its path.
func bigPath(t *testing.T, url string, n int) string {
	t.Helper()
	c, err := client.Dial(t.Context(), url, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, n)
	rand.Read(data)
	info, err := c.AddToStore(t.Context(), "nixwire-big", client.MethodFlat, nil, false, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return string(info.Path)
}

// TestProcessTimeoutWithStalledStdout: --timeout ends a command even when
// it is blocked writing to a pipe nobody reads, after its wind-down time.
func TestProcessTimeoutWithStalledStdout(t *testing.T) {
	url := socketDaemon(t, nixdaemon.Require(t, nixdaemon.Legacy))
	p := bigPath(t, url, 4<<20)
	cmd := cliProcess("nar", "--timeout", "1s", "--store", url, p)
	cmd.Env = append(cmd.Env, windDownEnv+"=500ms")
	stdout, err := cmd.StdoutPipe() // never read
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if code := cmd.ProcessState.ExitCode(); code != exitError {
			t.Errorf("exit %d (%v), want %d", code, err, exitError)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("nixwire nar with --timeout 1s and a stalled stdout ran for 30 s")
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("it ended after %v, before its timeout", took)
	}
	if !strings.Contains(stderr.String(), "timed out after 1s") || !strings.Contains(stderr.String(), "still busy") {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// TestProcessClosedStdout: a reader that goes away (`nixwire nar P | head
// -c 1`) is an error the command reports, with exit 1, as Nix does; not a
// SIGPIPE death.
func TestProcessClosedStdout(t *testing.T) {
	url := socketDaemon(t, nixdaemon.Require(t, nixdaemon.Legacy))
	p := bigPath(t, url, 1<<20)
	cmd := cliProcess("nar", "--store", url, p)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.ReadFull(stdout, make([]byte, 1))
	stdout.Close()
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitError || !strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("exit %d (%v), stderr %q; want exit %d and a broken pipe", code, cmd.ProcessState, stderr.String(), exitError)
	}
}

// TestProcessTraceErrorOutlivesInterrupt: a trace that could not be
// written is reported as such when the proxy is stopped with Ctrl-C, once
// while it runs and again at the end, not as "interrupted".
func TestProcessTraceErrorOutlivesInterrupt(t *testing.T) {
	requireDevFull(t)
	upstream := serveFake(t, fakeDaemon())
	listen := filepath.Join(filepath.Dir(upstream), "tr")
	cmd := cliProcess("trace", "--socket", listen, "--upstream", "unix://"+upstream, "--out", "/dev/full")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(listen); err == nil && fi.Mode()&os.ModeSocket != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nixwire trace did not listen")
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "unix://"+listen, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryPathInfo(ctx, validPath); err != nil {
		t.Fatal(err)
	}
	c.Close()
	time.Sleep(100 * time.Millisecond) // the proxy flushes once quiet
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	out := stderr.String()
	if code := cmd.ProcessState.ExitCode(); code != exitError || strings.Contains(out, "interrupted") ||
		strings.Count(out, "writing the trace: write /dev/full: no space left on device") != 2 {
		t.Errorf("exit %d, stderr %q; want exit %d and the write error (reported at once, then at the end)", code, out, exitError)
	}
}
