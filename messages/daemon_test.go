package messages

// A minimal worker-protocol client built only from the generated types, for
// the live tests (live_test.go) and for recording vectors (vectors_test.go).
// It keeps a copy of every byte sent and received, so that a recorder can
// cut the exact bytes of one message out of the transcript.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/wire"
)

// daemonTimeout bounds every read from a daemon, so that a protocol
// mismatch fails the test instead of hanging it.
const daemonTimeout = 10 * time.Second

// teeReader copies what is read from r into buf.
type teeReader struct {
	r   io.Reader
	buf *bytes.Buffer
}

func (t teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf.Write(p[:n])
	return n, err
}

// daemonConn is a worker protocol connection to a `nix-daemon --stdio`.
type daemonConn struct {
	t    testing.TB
	d    *nixdaemon.Daemon
	conn *nixdaemon.Conn
	r    *wire.Reader
	w    *wire.Writer
	p    wire.Proto

	sent, received *bytes.Buffer // everything written and read so far

	server  WorkerServerHello   // the daemon's hello
	feats   FeatureSet          // the daemon's features (≥1.38)
	info    ClientHandshakeInfo // what the daemon sent after the handshake
	startup []Stderr            // the startup STDERR session
}

// handshake is what a test wants from the handshake.
type handshake struct {
	client   wire.Version // the version announced
	features []string     // the features offered (≥1.38)
	// settings, when non-nil, are sent with SetOptions right after the
	// handshake, as Nix clients do.
	settings *ClientSettings
}

// dialDaemon starts d with --stdio and performs the handshake. The
// connection is closed at the end of the test.
func dialDaemon(t testing.TB, d *nixdaemon.Daemon, hs handshake) *daemonConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	conn, err := d.StartStdio(ctx)
	if err != nil {
		cancel()
		t.Fatalf("%s: %v", d.Name, err)
	}
	c := &daemonConn{t: t, d: d, conn: conn, sent: new(bytes.Buffer), received: new(bytes.Buffer)}
	t.Cleanup(func() {
		// Errors after a deliberate hang-up by the daemon are expected;
		// the tests check what they need before.
		_ = conn.Close()
		cancel()
	})
	c.r = wire.NewReader(teeReader{conn, c.received})
	c.w = wire.NewWriter(io.MultiWriter(conn, c.sent))
	c.p = wire.Proto{Version: hs.client}

	c.send(&WorkerClientHello{})
	c.send(&WorkerClientVersion{Version: uint32(hs.client)})
	c.flush()
	c.recv(&c.server)
	if v := wire.Version(c.server.Version); v < c.p.Version {
		c.p.Version = v
	}
	if c.p.Version >= wire.V(1, 38) {
		c.send(&FeatureSet{Features: hs.features})
		c.flush()
		c.recv(&c.feats)
		c.p.Features = wire.NewFeatures(hs.features...).Intersect(wire.NewFeatures(c.feats.Features...))
	}
	c.send(&ClientPostHandshake{})
	c.flush()
	c.recv(&c.info)
	frames, errFrame := c.session()
	if errFrame != nil {
		c.fatalf("startup error: %+v", errFrame)
	}
	c.startup = frames
	if hs.settings != nil {
		c.op(OpSetOptions, hs.settings)
		if _, e := c.session(); e != nil {
			c.fatalf("SetOptions: %+v", e)
		}
	}
	return c
}

// withT returns the connection reporting to t (a subtest's), sharing
// everything else.
func (c *daemonConn) withT(t testing.TB) *daemonConn {
	cc := *c
	cc.t = t
	return &cc
}

func (c *daemonConn) fatalf(format string, args ...any) {
	c.t.Helper()
	c.t.Fatalf("%s at %s: "+format+"\ndaemon stderr:\n%s", append(append([]any{c.d.Name, c.p}, args...), c.conn.Stderr())...)
}

// send encodes m without flushing.
func (c *daemonConn) send(m wire.Message) {
	c.t.Helper()
	if err := m.EncodeWire(c.w, c.p); err != nil {
		c.fatalf("encode %T: %v", m, err)
	}
}

func (c *daemonConn) flush() {
	c.t.Helper()
	if err := c.w.Flush(); err != nil {
		c.fatalf("flush: %v", err)
	}
}

// recv decodes m from the daemon.
func (c *daemonConn) recv(m wire.Message) {
	c.t.Helper()
	if err := c.recvErr(m); err != nil {
		c.fatalf("decode %T: %v", m, err)
	}
}

func (c *daemonConn) recvErr(m wire.Message) error {
	_ = c.conn.SetReadDeadline(time.Now().Add(daemonTimeout))
	return m.DecodeWire(c.r, c.p)
}

// op sends an operation code and its request and flushes.
func (c *daemonConn) op(code WorkerOpCode, req wire.Message) {
	c.t.Helper()
	if err := c.w.Uint64(uint64(code)); err != nil {
		c.fatalf("write op %v: %v", code, err)
	}
	if req != nil {
		c.send(req)
	}
	c.flush()
}

// session reads STDERR frames up to StderrLast (returned with the frames
// before it, without the Last) or StderrError (returned separately).
func (c *daemonConn) session() ([]Stderr, *StderrError) {
	c.t.Helper()
	var frames []Stderr
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(daemonTimeout))
		f, err := DecodeStderr(c.r, c.p)
		if err != nil {
			c.fatalf("decode STDERR frame after %d frames: %v", len(frames), err)
		}
		switch f := f.(type) {
		case *StderrLast:
			return frames, nil
		case *StderrError:
			return frames, f
		}
		frames = append(frames, f)
	}
}

// call performs an op whose STDERR session must end with StderrLast and
// decodes its reply (if reply is not nil). It returns the session's frames.
func (c *daemonConn) call(code WorkerOpCode, req, reply wire.Message) []Stderr {
	c.t.Helper()
	c.op(code, req)
	frames, e := c.session()
	if e != nil {
		c.fatalf("%v: daemon error: %+v", code, e)
	}
	if reply != nil {
		c.recv(reply)
	}
	return frames
}

// expectHangup checks that the daemon closes the connection now: a clean
// end of input before any further byte.
func (c *daemonConn) expectHangup() {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(daemonTimeout))
	var b [1]byte
	n, err := io.ReadFull(c.r, b[:])
	if n != 0 || !errors.Is(err, io.EOF) {
		c.fatalf("want the daemon to hang up, got %d bytes (%x), %v", n, b[:n], err)
	}
}

// mark returns the current positions in both directions, for cutting.
func (c *daemonConn) mark() (sent, received int64) { return c.w.Offset(), c.r.Offset() }

// sentSince returns the bytes written since the offset from mark.
func (c *daemonConn) sentSince(off int64) []byte {
	c.t.Helper()
	c.flush()
	return bytes.Clone(c.sent.Bytes()[off:c.w.Offset()])
}

// receivedSince returns the bytes consumed since the offset from mark.
func (c *daemonConn) receivedSince(off int64) []byte {
	return bytes.Clone(c.received.Bytes()[off:c.r.Offset()])
}
