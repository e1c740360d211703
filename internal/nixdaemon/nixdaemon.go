// Package nixdaemon starts real Nix daemons for nixwire's integration tests.
//
// Two daemons are supported, both installed by scripts/install-nix.sh:
//
//   - [Legacy]: Debian bookworm's Nix 2.8 (worker protocol 1.34), the
//     nix-daemon on PATH, using the system store /nix/store. It must run as
//     root, which makes `nix-daemon --stdio` open the local store directly.
//   - [Modern]: Debian trixie's Nix 2.26 (worker protocol 1.38, with the
//     feature exchange and the trusted flag), unpacked into a prefix and run
//     by the wrapper <prefix>/bin/nix-daemon-modern with a private store root
//     (<prefix>/state/root); store paths are still named /nix/store/...
//
// A test gets one with [Require], then talks to it over a pipe with
// [Daemon.StartStdio] or over a unix socket with [Daemon.StartSocket], and
// creates store paths to work on with [Daemon.AddToStore].
//
// The package uses only the standard library and nixwire's client/stdio
// (process plumbing, no protocol code), so that tests can check nixwire's
// encoders against bytes from a real daemon without trusting nixwire's
// codecs.
package nixdaemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client/stdio"
)

// ErrNotInstalled is wrapped by the errors of [Legacy] and [Modern] when the
// daemon is absent, is not the expected version, or cannot be used by this
// user. [Require] skips a test on it (or fails it under CI).
var ErrNotInstalled = errors.New("nix daemon not installed")

// DefaultModernPrefix is where scripts/install-nix.sh unpacks the modern Nix
// unless the environment variable named by [ModernPrefixEnv] says otherwise.
const DefaultModernPrefix = "/opt/nixwire/nix-2.26"

// ModernPrefixEnv names the environment variable that overrides
// [DefaultModernPrefix], for scripts/install-nix.sh and [Modern] alike.
const ModernPrefixEnv = "NIXWIRE_NIX_MODERN_PREFIX"

// LegacySeries is the Nix release series [Legacy] accepts.
const LegacySeries = "2.8"

// Timeouts used when probing and stopping daemons.
const (
	// probeTimeout bounds `--version` runs.
	probeTimeout = 20 * time.Second
	// exitTimeout is how long Close and stop wait for the daemon to exit
	// on its own before killing it.
	exitTimeout = 5 * time.Second
	// waitDelay bounds how long exec waits for the daemon's output pipes
	// after it exited or was killed (children may hold them open).
	waitDelay = 2 * time.Second
	// socketTimeout bounds how long StartSocket waits for the socket.
	socketTimeout = 20 * time.Second
	// stderrLimit caps the daemon stderr kept for failure messages.
	stderrLimit = 1 << 20
)

// Daemon describes how to start one Nix daemon binary. [Legacy] and [Modern]
// fill it in; a test may append to Args or Env of its own copy before
// starting it (each call of Legacy or Modern returns a fresh copy).
type Daemon struct {
	// Name is a short name fit for subtest names: "nix-2.8" or "nix-2.26".
	Name string
	// Version is the Nix version the daemon reports, e.g. "2.8.0".
	Version string
	// Protocol is the worker protocol version the daemon sends in its
	// handshake (major<<8 | minor), e.g. 0x122 for Nix 2.8.
	Protocol uint64
	// Path is the daemon executable.
	Path string
	// Args are passed before the mode argument ("--stdio" for StartStdio,
	// none for StartSocket).
	Args []string
	// Env is added to the test process's environment when the daemon runs
	// (later entries win). For the modern wrapper a NIX_CONFIG here is
	// applied after the wrapper's own settings.
	Env []string
	// NixStore is the matching nix-store executable, used by AddToStore.
	NixStore string
	// StoreDir is the logical store directory, "/nix/store" for both.
	StoreDir string
	// RealStoreDir is where the store's files are on disk: "/nix/store"
	// for Legacy, <prefix>/state/root/nix/store for Modern.
	RealStoreDir string
}

// clone returns a deep copy of d.
func (d *Daemon) clone() *Daemon {
	c := *d
	c.Args = append([]string(nil), d.Args...)
	c.Env = append([]string(nil), d.Env...)
	return &c
}

// environ is the environment the daemon and its tools run with.
func (d *Daemon) environ(extra ...string) []string {
	env := append(os.Environ(), d.Env...)
	return append(env, extra...)
}

// lookups caches the results of Legacy and Modern by their inputs, so that
// many tests asking for a daemon probe it once.
var lookups struct {
	sync.Mutex
	m map[string]lookupResult
}

type lookupResult struct {
	d   *Daemon
	err error
}

func cached(key string, find func() (*Daemon, error)) (*Daemon, error) {
	lookups.Lock()
	defer lookups.Unlock()
	if lookups.m == nil {
		lookups.m = make(map[string]lookupResult)
	}
	r, ok := lookups.m[key]
	if !ok {
		r.d, r.err = find()
		lookups.m[key] = r
	}
	if r.err != nil {
		return nil, r.err
	}
	return r.d.clone(), nil
}

// Legacy returns Nix 2.8's nix-daemon found on PATH, after checking that it
// runs and reports a 2.8 version and that this process is root (needed for
// `nix-daemon --stdio` to open the system store). The error wraps
// [ErrNotInstalled] when it is missing or unusable.
func Legacy() (*Daemon, error) {
	return cached("legacy\x00"+os.Getenv("PATH"), findLegacy)
}

func findLegacy() (*Daemon, error) {
	path, err := exec.LookPath("nix-daemon")
	if err != nil {
		return nil, fmt.Errorf("nix %s: %w: no nix-daemon on PATH (run scripts/install-nix.sh)", LegacySeries, ErrNotInstalled)
	}
	d := &Daemon{
		Name:         "nix-" + LegacySeries,
		Path:         path,
		StoreDir:     "/nix/store",
		RealStoreDir: "/nix/store",
	}
	if d.Version, err = probeVersion(d, path); err != nil {
		return nil, err
	}
	if !inSeries(d.Version, LegacySeries) {
		return nil, fmt.Errorf("nix %s: %w: %s reports Nix %s (run scripts/install-nix.sh, and put Debian's /usr/bin first on PATH)", LegacySeries, ErrNotInstalled, path, d.Version)
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("nix %s: %w: `nix-daemon --stdio` on the system store /nix/store needs root, and this process is uid %d", LegacySeries, ErrNotInstalled, os.Geteuid())
	}
	d.Protocol = protocolFor(d.Version)
	d.NixStore = filepath.Join(filepath.Dir(path), "nix-store")
	if !isExecutable(d.NixStore) {
		if d.NixStore, err = exec.LookPath("nix-store"); err != nil {
			return nil, fmt.Errorf("nix %s: %w: nix-daemon found at %s but no nix-store", LegacySeries, ErrNotInstalled, path)
		}
	}
	return d, nil
}

// ModernPrefix returns the prefix where the modern Nix is installed: the
// value of [ModernPrefixEnv] if set, else [DefaultModernPrefix].
func ModernPrefix() string {
	if p := os.Getenv(ModernPrefixEnv); p != "" {
		return p
	}
	return DefaultModernPrefix
}

// Modern returns the modern Nix daemon (2.26 from Debian trixie) installed
// by scripts/install-nix.sh: the wrapper <prefix>/bin/nix-daemon-modern,
// with the prefix from [ModernPrefix], after checking that it runs. The
// error wraps [ErrNotInstalled] when it is missing.
func Modern() (*Daemon, error) {
	p := ModernPrefix()
	return cached("modern\x00"+p, func() (*Daemon, error) { return findModern(p) })
}

func findModern(prefix string) (*Daemon, error) {
	path := filepath.Join(prefix, "bin", "nix-daemon-modern")
	if !isExecutable(path) {
		return nil, fmt.Errorf("modern nix: %w: no executable %s (run scripts/install-nix.sh, or set %s)", ErrNotInstalled, path, ModernPrefixEnv)
	}
	if os.Geteuid() != 0 {
		if err := checkWritable(filepath.Join(prefix, "state", "root")); err != nil {
			return nil, fmt.Errorf("modern nix: %w: its store is not writable by uid %d: %v", ErrNotInstalled, os.Geteuid(), err)
		}
	}
	d := &Daemon{
		Path:         path,
		NixStore:     filepath.Join(prefix, "bin", "nix-store-modern"),
		StoreDir:     "/nix/store",
		RealStoreDir: filepath.Join(prefix, "state", "root", "nix", "store"),
	}
	v, err := probeVersion(d, path)
	if err != nil {
		return nil, err
	}
	d.Version = v
	d.Name = "nix-" + series(v)
	d.Protocol = protocolFor(v)
	if !isExecutable(d.NixStore) {
		d.NixStore = ""
	}
	return d, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// checkWritable reports whether files can be created in dir.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".nixdaemon-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

var versionRE = regexp.MustCompile(`\(Nix\) ([0-9]+\.[0-9]+(?:\.[0-9]+)?\S*)`)

// probeVersion runs `exe --version` in d's environment and returns the Nix
// version it prints.
func probeVersion(d *Daemon, exe string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "--version")
	cmd.Env = d.environ()
	cmd.WaitDelay = waitDelay
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %v: %s", exe, err, bytes.TrimSpace(out))
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%s --version printed no Nix version: %q", exe, out)
	}
	return string(m[1]), nil
}

// series returns the "major.minor" part of a version.
func series(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}

func inSeries(version, s string) bool {
	return series(version) == s
}

// protocolFor returns the worker protocol version a Nix release speaks
// (from the `PROTOCOL_VERSION` define at each release), or 0 if unknown.
func protocolFor(version string) uint64 {
	parts := strings.SplitN(series(version), ".", 2)
	if len(parts) != 2 || parts[0] != "2" {
		return 0
	}
	minor, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0
	}
	switch {
	case minor >= 24:
		return 1<<8 | 38
	case minor >= 20:
		return 1<<8 | 37
	case minor >= 15:
		return 1<<8 | 35
	case minor >= 8:
		return 1<<8 | 34
	case minor == 7:
		return 1<<8 | 33
	case minor >= 4:
		return 1<<8 | 32
	default:
		return 0
	}
}

// Require returns the daemon that which (normally [Legacy] or [Modern])
// finds. When it is not installed the test is skipped, except when the
// environment variable CI is "true" (or "1"): there a missing daemon fails
// the test. Errors other than [ErrNotInstalled] (a broken installation)
// always fail the test.
func Require(t testing.TB, which func() (*Daemon, error)) *Daemon {
	t.Helper()
	d, err := which()
	if err == nil {
		return d
	}
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("nix daemon unusable: %v", err)
		return nil
	}
	if ci := os.Getenv("CI"); ci == "true" || ci == "1" {
		t.Fatalf("nix daemon required under CI=%s: %v", ci, err)
		return nil
	}
	t.Skipf("skipping: %v", err)
	return nil
}

// Conn is a connection to a daemon started by [Daemon.StartStdio]: reads
// come from the daemon's stdout, writes go to its stdin (see
// client/stdio). Keep it open until every reply has been read: nix-daemon
// watches its stdin for a hang-up and, once it sees one, may abort the
// operation in progress or die. Close closes stdin and then reaps the
// daemon, killing it after a few seconds.
type Conn = stdio.Conn

// command returns the command running the daemon with args and extra
// environment.
func (d *Daemon) command(args []string, env []string) *exec.Cmd {
	cmd := exec.Command(d.Path, args...)
	cmd.Env = d.environ(env...)
	cmd.WaitDelay = waitDelay
	return cmd
}

// StartStdio starts `<Path> <Args...> --stdio` and returns the connection
// to it. The daemon is killed when ctx is done; otherwise it lives until
// [Conn.Close].
func (d *Daemon) StartStdio(ctx context.Context) (*Conn, error) {
	args := append(append([]string(nil), d.Args...), "--stdio")
	c, err := stdio.Start(ctx, d.command(args, nil))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	return c, nil
}

// maxSocketPath is the longest path a unix socket can be bound to on Linux
// (sun_path holds 108 bytes including the NUL).
const maxSocketPath = 107

// StartSocket starts the daemon listening on the unix socket
// <dir>/daemon.sock (passed to it in NIX_DAEMON_SOCKET_PATH) and waits until
// the socket accepts connections. Every connection gets its own daemon
// process, trusted when the client is root. stop terminates the daemon and
// its process group and removes the socket; it is safe to call more than
// once. The daemon is also killed when ctx is done. dir must be short
// (unix socket paths are limited to 107 bytes): a directory from
// os.MkdirTemp("", ...) fits, one from t.TempDir may not.
func (d *Daemon) StartSocket(ctx context.Context, dir string) (socketPath string, stop func() error, err error) {
	socketPath = filepath.Join(dir, "daemon.sock")
	if len(socketPath) > maxSocketPath {
		return "", nil, fmt.Errorf("socket path %s is %d bytes, longer than the %d unix sockets allow: use a shorter dir", socketPath, len(socketPath), maxSocketPath)
	}
	if abs, err := filepath.Abs(socketPath); err == nil {
		socketPath = abs
	}
	if err := os.Remove(socketPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", nil, err
	}
	cmd := d.command(append([]string(nil), d.Args...), []string{"NIX_DAEMON_SOCKET_PATH=" + socketPath})
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	p, err := stdio.StartProcess(ctx, cmd)
	if err != nil {
		return "", nil, err
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			if !p.Exited() {
				_ = p.Terminate()
				if p.WaitOrKill(exitTimeout) {
					stopErr = fmt.Errorf("%s: socket daemon ignored SIGTERM for %v; killed it; output: %s", d.Name, exitTimeout, out.String())
				}
			} else if p.Err() != nil {
				stopErr = fmt.Errorf("%s: socket daemon had exited: %v; output: %s", d.Name, p.Err(), out.String())
			}
			if err := os.Remove(socketPath); err != nil && !errors.Is(err, os.ErrNotExist) && stopErr == nil {
				stopErr = err
			}
		})
		return stopErr
	}
	deadline := time.Now().Add(socketTimeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if fi, err := os.Stat(socketPath); err == nil && fi.Mode()&os.ModeSocket != 0 {
			if c, err := net.DialTimeout("unix", socketPath, time.Second); err == nil {
				// An immediate hang-up: the daemon's handler for this probe
				// sees end-of-file and quits.
				c.Close()
				return socketPath, stop, nil
			}
		}
		if p.Exited() {
			stop()
			return "", nil, fmt.Errorf("%s: socket daemon exited before listening: %v; output: %s", d.Name, p.Err(), out.String())
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("%s: socket %s not ready after %v (%v); output: %s", d.Name, socketPath, time.Since(deadline.Add(-socketTimeout)).Round(time.Millisecond), ctx.Err(), out.String())
		}
		time.Sleep(delay)
	}
}

// AddToStore writes content to a file called name and adds it to the
// daemon's store with the matching `nix-store --add` (recursive SHA-256, as a
// regular non-executable file), returning the store path, e.g.
// /nix/store/<hash>-<name>. Adding the same name and content again returns
// the same path. name must be a valid store path name (letters, digits and
// "+-._?=", not starting with a dot).
func (d *Daemon) AddToStore(ctx context.Context, name string, content []byte) (storePath string, err error) {
	if d.NixStore == "" {
		return "", fmt.Errorf("%s: no nix-store tool known for %s", d.Name, d.Path)
	}
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\x00") {
		return "", fmt.Errorf("invalid store path name %q", name)
	}
	dir, err := os.MkdirTemp("", "nixdaemon-add-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.NixStore, "--add", file)
	cmd.Env = d.environ()
	cmd.WaitDelay = waitDelay
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s --add %s: %v: %s", d.NixStore, name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	out := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	if !strings.HasPrefix(out, d.StoreDir+"/") || !strings.HasSuffix(out, "-"+name) {
		return "", fmt.Errorf("%s --add %s printed %q, not a store path", d.NixStore, name, stdout.String())
	}
	return out, nil
}

// syncBuffer collects a socket daemon's output, up to stderrLimit bytes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := stderrLimit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
