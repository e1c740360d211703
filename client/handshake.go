package client

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// DefaultSocketPath is where a system-wide Nix daemon listens.
const DefaultSocketPath = "/nix/var/nix/daemon-socket/socket"

// Magic numbers of the worker protocol handshake.
const (
	workerMagic1 = 0x6e697863 // "nixc", client to daemon
	workerMagic2 = 0x6478696f // "dxio", daemon to client
)

// DialUnix connects to the daemon listening on the unix socket at path
// (DefaultSocketPath for a system-wide daemon) and performs the handshake.
// ctx bounds the dial and the handshake only.
func DialUnix(ctx context.Context, path string, opt Options) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return HandshakeContext(ctx, nc, opt)
}

// Handshake performs the worker protocol handshake over rw and returns the
// connection, ready for operations:
//
//  1. it sends WORKER_MAGIC_1, reads the daemon's magic and protocol
//     version, and refuses a daemon whose major version is not 1 or which
//     is older than MinVersion;
//  2. it announces the lower of the daemon's version and opt.MaxVersion
//     (old daemons key their behaviour on the client's version as is and
//     do not negotiate) and, from 1.38, exchanges feature sets and keeps
//     the intersection;
//  3. it sends the obsolete CPU-affinity (none) and reserve-space (false)
//     fields, reads the daemon's Nix version (≥ 1.33) and trust flag
//     (≥ 1.35), and processes the daemon's startup STDERR session;
//  4. it sends SetOptions with opt.Settings, unless the feature
//     messages.FeatureDisableSetOptions was negotiated.
//
// On failure rw is closed if it implements io.Closer. Handshake does not
// time out by itself: see HandshakeContext.
func Handshake(rw io.ReadWriter, opt Options) (*Conn, error) {
	return HandshakeContext(context.Background(), rw, opt)
}

// HandshakeContext is Handshake with a context: when ctx is done before
// the handshake completes, rw is closed and the error matches ctx.Err().
func HandshakeContext(ctx context.Context, rw io.ReadWriter, opt Options) (*Conn, error) {
	ops, max, err := opt.protocolOf()
	if err != nil {
		if cl, ok := rw.(io.Closer); ok {
			cl.Close()
		}
		return nil, err
	}
	c := &Conn{
		rw:     rw,
		r:      wire.NewReader(rw),
		w:      wire.NewWriter(rw),
		logger: opt.Logger,
		ops:    ops,
	}
	stop := c.watch(ctx, "handshake")
	err = c.handshake(max, opt.Features)
	if cerr := stop(); cerr != nil {
		return nil, c.fail("handshake", cerr)
	}
	if err != nil {
		if de, ok := err.(*DaemonError); ok {
			c.fail("", de)
			return nil, de
		}
		return nil, c.fail("handshake", err)
	}
	if !c.info.Proto.Has(messages.FeatureDisableSetOptions) {
		settings := opt.Settings
		if settings == nil {
			settings = DefaultSettings()
		}
		if err := c.Do(ctx, messages.OpSetOptions, settings, nil); err != nil {
			c.fail("SetOptions", err)
			return nil, err
		}
	}
	return c, nil
}

// handshake runs steps 1 to 3 of Handshake.
func (c *Conn) handshake(max wire.Version, features []string) error {
	ours := wire.Proto{Version: max}
	(&messages.WorkerClientHello{}).EncodeWire(c.w, ours)
	if err := c.w.Flush(); err != nil {
		return err
	}
	magic, err := c.r.Uint64()
	if err != nil {
		return readErr(err)
	}
	if magic != workerMagic2 {
		return &ProtocolError{Offset: 0, Msg: fmt.Sprintf("not a Nix daemon: magic %#x, want %#x", magic, workerMagic2)}
	}
	v, err := c.r.Uint64()
	if err != nil {
		return readErr(err)
	}
	daemon := wire.Version(v)
	if v > 0xffff || daemon.Major() != 1 {
		return fmt.Errorf("unsupported daemon protocol version %#x (major must be 1)", v)
	}
	if daemon < MinVersion {
		return fmt.Errorf("daemon protocol %s is older than %s", daemon, MinVersion)
	}
	p := wire.Proto{Version: min(max, daemon)}
	c.info.DaemonProtocol = daemon
	(&messages.WorkerClientVersion{Version: uint32(p.Version)}).EncodeWire(c.w, p)
	if p.AtLeast(1, 38) {
		offer := wire.NewFeatures(features...)
		(&messages.FeatureSet{Features: offer.Names()}).EncodeWire(c.w, p)
		if err := c.w.Flush(); err != nil {
			return err
		}
		var theirs messages.FeatureSet
		if err := theirs.DecodeWire(c.r, p); err != nil {
			return readErr(err)
		}
		c.info.DaemonFeatures = wire.NewFeatures(theirs.Features...)
		p.Features = offer.Intersect(c.info.DaemonFeatures)
	}
	c.info.Proto = p
	if err := (&messages.ClientPostHandshake{}).EncodeWire(c.w, p); err != nil {
		return err
	}
	if err := c.w.Flush(); err != nil {
		return err
	}
	var hi messages.ClientHandshakeInfo
	if err := hi.DecodeWire(c.r, p); err != nil {
		return readErr(err)
	}
	c.info.DaemonVersion, c.info.Trusted = hi.DaemonVersion, hi.Trusted
	return c.runSession(&session{})
}
