// Package nixtools runs the command-line tools of the real Nix
// installations (nix-store, nix, nix-hash, nix-instantiate) for tests that
// check nixwire's store primitives against Nix itself. It finds them beside
// the daemons of package nixdaemon, and shares its policy: without Nix a
// test skips, under CI=true it fails.
package nixtools

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
)

// timeout bounds one tool run.
const timeout = 2 * time.Minute

// Nix is one Nix installation's tools.
type Nix struct {
	// Name is "nix-2.8" or "nix-2.26", for subtest names.
	Name string
	// Version is the full version, e.g. "2.26.3".
	Version string
	// NixStore and Nix are the nix-store and nix executables (for 2.26 the
	// -modern wrappers, which use a private store root).
	NixStore, Nix string
	// NixHash and NixInstantiate are "" where there is no such tool (2.26
	// has no wrapper for them).
	NixHash, NixInstantiate string
	// RealStoreDir is where the store's files are on disk.
	RealStoreDir string
	env          []string
}

// Legacy and Modern name the installations for Require.
var (
	Legacy = nixdaemon.Legacy
	Modern = nixdaemon.Modern
)

// Require returns the tools of the installation which (Legacy or Modern)
// finds, skipping the test when it is missing (failing it under CI=true).
func Require(t testing.TB, which func() (*nixdaemon.Daemon, error)) *Nix {
	t.Helper()
	d := nixdaemon.Require(t, which)
	n := &Nix{Name: d.Name, Version: d.Version, NixStore: d.NixStore, RealStoreDir: d.RealStoreDir, env: append(os.Environ(), d.Env...)}
	// By the daemon's binary, which is always there: NixStore is empty
	// when that tool is missing.
	dir := filepath.Dir(d.Path)
	if strings.HasSuffix(d.Path, "-modern") {
		n.Nix = filepath.Join(dir, "nix-modern")
	} else {
		n.Nix = filepath.Join(dir, "nix")
		n.NixHash = filepath.Join(dir, "nix-hash")
		n.NixInstantiate = filepath.Join(dir, "nix-instantiate")
	}
	return n
}

// Each runs f in a subtest for each installation.
func Each(t *testing.T, f func(t *testing.T, n *Nix)) {
	t.Helper()
	for _, which := range []struct {
		name string
		find func() (*nixdaemon.Daemon, error)
	}{{"nix-2.8", Legacy}, {"nix-2.26", Modern}} {
		t.Run(which.name, func(t *testing.T) { f(t, Require(t, which.find)) })
	}
}

// Run runs exe with args and returns its standard output without the
// final newline, failing the test if it fails.
func (n *Nix) Run(t testing.TB, exe string, args ...string) string {
	t.Helper()
	out, err := n.Try(exe, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Command returns a command running exe with args in the installation's
// environment, for callers that stream its input or output; ctx bounds it.
func (n *Nix) Command(ctx context.Context, exe string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = n.env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Try is Run returning the error (which quotes stderr) instead.
func (n *Nix) Try(exe string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := n.Command(ctx, exe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", &runError{cmd: exe + " " + strings.Join(args, " "), err: err, stderr: stderr.String()}
	}
	return strings.TrimSuffix(stdout.String(), "\n"), nil
}

type runError struct {
	cmd, stderr string
	err         error
}

func (e *runError) Error() string {
	return e.cmd + ": " + e.err.Error() + ": " + strings.TrimSpace(e.stderr)
}

func (e *runError) Unwrap() error { return e.err }
