package nixdaemon_test

// These tests talk to the real daemons with hand-written encoding/binary
// code only, so that they check the daemons (and this package), not nixwire.
// Without the daemons they skip; under CI=true they fail.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
)

const (
	workerMagic1 = 0x6e697863 // "nixc"
	workerMagic2 = 0x6478696f // "dxio"
	stderrLast   = 0x616c7473
	stderrNext   = 0x6f6c6d67
	stderrError  = 0x63787470
	opIsValid    = 1
)

// daemons lists the daemons every test runs against.
var daemons = []struct {
	name  string
	which func() (*nixdaemon.Daemon, error)
	// client is the protocol version the test announces.
	client uint64
	// wantServer is the version the daemon must answer with.
	wantServer uint64
	// wantVersion is the prefix of the daemon's version string.
	wantVersion string
}{
	{"legacy", nixdaemon.Legacy, 0x122, 0x122, "2.8."},
	{"modern", nixdaemon.Modern, 0x126, 0x126, "2.26.3"},
}

// rawConn is a minimal hand-rolled worker protocol client.
type rawConn struct {
	t   *testing.T
	rw  io.ReadWriter
	log func() string // daemon stderr for failure messages
}

func (c *rawConn) fatalf(format string, args ...any) {
	c.t.Helper()
	c.t.Fatalf(format+"\ndaemon stderr:\n%s", append(args, c.log())...)
}

func (c *rawConn) writeU64(vs ...uint64) {
	c.t.Helper()
	buf := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		buf = binary.LittleEndian.AppendUint64(buf, v)
	}
	if _, err := c.rw.Write(buf); err != nil {
		c.fatalf("write: %v", err)
	}
}

func (c *rawConn) writeString(s string) {
	c.t.Helper()
	buf := binary.LittleEndian.AppendUint64(nil, uint64(len(s)))
	buf = append(buf, s...)
	buf = append(buf, make([]byte, (8-len(s)%8)%8)...)
	if _, err := c.rw.Write(buf); err != nil {
		c.fatalf("write: %v", err)
	}
}

func (c *rawConn) readU64() uint64 {
	c.t.Helper()
	var b [8]byte
	if _, err := io.ReadFull(c.rw, b[:]); err != nil {
		c.fatalf("read u64: %v", err)
	}
	return binary.LittleEndian.Uint64(b[:])
}

func (c *rawConn) readString() string {
	c.t.Helper()
	n := c.readU64()
	if n > 1<<20 {
		c.fatalf("string length %d too large", n)
	}
	b := make([]byte, n+(8-n%8)%8)
	if _, err := io.ReadFull(c.rw, b); err != nil {
		c.fatalf("read string: %v", err)
	}
	if !bytes.Equal(b[n:], make([]byte, len(b)-int(n))) {
		c.fatalf("non-zero padding % x", b[n:])
	}
	return string(b[:n])
}

// readStderr reads STDERR frames up to STDERR_LAST, failing on anything but
// log lines.
func (c *rawConn) readStderr() {
	c.t.Helper()
	for {
		switch code := c.readU64(); code {
		case stderrLast:
			return
		case stderrNext:
			c.t.Logf("daemon log: %q", c.readString())
		case stderrError:
			c.fatalf("STDERR_ERROR from the daemon")
		default:
			c.fatalf("unexpected STDERR code %#x", code)
		}
	}
}

// handshake performs the client side of the worker handshake announcing
// client and checks the daemon's answers. It returns the version string.
func (c *rawConn) handshake(client, wantServer uint64) string {
	c.t.Helper()
	c.writeU64(workerMagic1)
	if m := c.readU64(); m != workerMagic2 {
		c.fatalf("magic = %#x, want %#x", m, workerMagic2)
	}
	server := c.readU64()
	if server != wantServer {
		c.fatalf("server version = %#x, want %#x", server, wantServer)
	}
	c.writeU64(client)
	negotiated := min(client, server)
	if negotiated >= 0x126 {
		c.writeU64(0) // no features
		n := c.readU64()
		for range n {
			c.t.Logf("daemon feature %q", c.readString())
		}
	}
	c.writeU64(0, 0) // obsolete CPU affinity, reserveSpace
	version := ""
	if negotiated >= 0x121 {
		version = c.readString()
	}
	if negotiated >= 0x123 {
		if trusted := c.readU64(); trusted != 1 {
			c.fatalf("trusted flag = %d, want 1 (trusted)", trusted)
		}
	}
	c.readStderr()
	return version
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func startStdio(t *testing.T, d *nixdaemon.Daemon) (*nixdaemon.Conn, *rawConn) {
	t.Helper()
	conn, err := d.StartStdio(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := conn.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return conn, &rawConn{t: t, rw: conn, log: conn.Stderr}
}

func TestHandshakeStdio(t *testing.T) {
	for _, tc := range daemons {
		t.Run(tc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, tc.which)
			if d.Protocol != tc.wantServer {
				t.Errorf("Daemon.Protocol = %#x, want %#x", d.Protocol, tc.wantServer)
			}
			_, c := startStdio(t, d)
			v := c.handshake(tc.client, tc.wantServer)
			if !strings.HasPrefix(v, tc.wantVersion) {
				t.Errorf("version string %q, want prefix %q", v, tc.wantVersion)
			}
			if v != d.Version {
				t.Errorf("version string %q, but --version said %q", v, d.Version)
			}
		})
	}
}

// TestLegacyIgnoresNewerClient pins quirk 1: Nix 2.8 keys on the client's
// announced version without negotiating, so a 1.35 client gets no trusted
// flag and the STDERR session follows the version string directly.
func TestLegacyIgnoresNewerClient(t *testing.T) {
	d := nixdaemon.Require(t, nixdaemon.Legacy)
	_, c := startStdio(t, d)
	c.writeU64(workerMagic1)
	if m, v := c.readU64(), c.readU64(); m != workerMagic2 || v != 0x122 {
		t.Fatalf("got magic %#x version %#x", m, v)
	}
	c.writeU64(0x123, 0, 0)
	if v := c.readString(); !strings.HasPrefix(v, "2.8.") {
		t.Fatalf("version string %q", v)
	}
	if code := c.readU64(); code != stderrLast {
		t.Fatalf("after the version string got %#x, want STDERR_LAST (no trusted flag)", code)
	}
}

// isValidPath sends IsValidPath (op 1) and returns the daemon's answer.
func (c *rawConn) isValidPath(path string) bool {
	c.t.Helper()
	c.writeU64(opIsValid)
	c.writeString(path)
	c.readStderr()
	return c.readU64() != 0
}

func TestAddToStore(t *testing.T) {
	for _, tc := range daemons {
		t.Run(tc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, tc.which)
			ctx := testContext(t)
			content := fmt.Appendf(nil, "nixdaemon test %s\n", tc.name)
			p, err := d.AddToStore(ctx, "nixdaemon-test.txt", content)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(p, "/nix/store/") || !strings.HasSuffix(p, "-nixdaemon-test.txt") {
				t.Fatalf("store path %q", p)
			}
			again, err := d.AddToStore(ctx, "nixdaemon-test.txt", content)
			if err != nil || again != p {
				t.Fatalf("adding again: %q, %v; want %q", again, err, p)
			}
			real := d.RealStoreDir + strings.TrimPrefix(p, d.StoreDir)
			if got, err := os.ReadFile(real); err != nil || !bytes.Equal(got, content) {
				t.Fatalf("reading %s: %q, %v", real, got, err)
			}
			_, c := startStdio(t, d)
			c.handshake(tc.client, tc.wantServer)
			if !c.isValidPath(p) {
				t.Errorf("daemon says %s is not valid", p)
			}
			missing := "/nix/store/00000000000000000000000000000000-nixdaemon-missing"
			if c.isValidPath(missing) {
				t.Errorf("daemon says %s is valid", missing)
			}
			if _, err := d.AddToStore(ctx, ".bad", nil); err == nil {
				t.Error("AddToStore accepted the name .bad")
			}
		})
	}
}

func TestSocket(t *testing.T) {
	for _, tc := range daemons {
		t.Run(tc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, tc.which)
			dir, err := os.MkdirTemp("", "nxd")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			sock, stop, err := d.StartSocket(testContext(t), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
				if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("socket still there after stop: %v", err)
				}
			}()
			// Two connections at once: each gets its own daemon process.
			for i := range 2 {
				nc, err := net.Dial("unix", sock)
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
				if err := nc.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
					t.Fatal(err)
				}
				c := &rawConn{t: t, rw: nc, log: func() string { return "(socket daemon)" }}
				if v := c.handshake(tc.client, tc.wantServer); !strings.HasPrefix(v, tc.wantVersion) {
					t.Errorf("connection %d: version string %q", i, v)
				}
			}
		})
	}
}

func TestCloseBeforeHandshake(t *testing.T) {
	for _, tc := range daemons {
		t.Run(tc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, tc.which)
			conn, err := d.StartStdio(testContext(t))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = conn.Close()
			t.Logf("close: %v after %v", err, time.Since(start))
			if !conn.Exited() {
				t.Error("daemon still running after Close")
			}
			if _, err := conn.Read(make([]byte, 1)); err == nil {
				t.Error("Read after Close succeeded")
			}
			if err2 := conn.Close(); fmt.Sprint(err2) != fmt.Sprint(err) {
				t.Errorf("second Close = %v, first %v", err2, err)
			}
		})
	}
}

func TestContextKillsDaemon(t *testing.T) {
	d := nixdaemon.Require(t, nixdaemon.Legacy)
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := d.StartStdio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("read after cancel: %v (want EOF when the daemon dies)", err)
	}
	if err := conn.Close(); err == nil {
		t.Error("Close after a killed daemon reported success")
	}
}

// fakeTB records what Require does instead of stopping the test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Skipf(format string, args ...any)  { f.skipped = fmt.Sprintf(format, args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	missing := func() (*nixdaemon.Daemon, error) {
		return nil, fmt.Errorf("test daemon: %w", nixdaemon.ErrNotInstalled)
	}
	broken := func() (*nixdaemon.Daemon, error) { return nil, errors.New("broken") }
	present := func() (*nixdaemon.Daemon, error) { return &nixdaemon.Daemon{Name: "x"}, nil }

	for _, tc := range []struct {
		ci          string
		which       func() (*nixdaemon.Daemon, error)
		skip, fail  bool
		wantDaemon  bool
		description string
	}{
		{"", missing, true, false, false, "missing, local"},
		{"true", missing, false, true, false, "missing, CI"},
		{"", broken, false, true, false, "broken, local"},
		{"", present, false, false, true, "present, local"},
		{"true", present, false, false, true, "present, CI"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			f := &fakeTB{TB: t}
			d := nixdaemon.Require(f, tc.which)
			if (f.skipped != "") != tc.skip || (f.failed != "") != tc.fail || (d != nil) != tc.wantDaemon {
				t.Errorf("skipped %q, failed %q, daemon %v", f.skipped, f.failed, d)
			}
		})
	}
}

func TestModernPrefixEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(nixdaemon.ModernPrefixEnv, dir)
	if got := nixdaemon.ModernPrefix(); got != dir {
		t.Fatalf("ModernPrefix() = %q, want %q", got, dir)
	}
	_, err := nixdaemon.Modern()
	if !errors.Is(err, nixdaemon.ErrNotInstalled) {
		t.Fatalf("Modern() with an empty prefix: %v, want ErrNotInstalled", err)
	}
}
