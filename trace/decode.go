package trace

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/wire"
)

// maxFrame bounds one frame of a framed stream. Frames are streamed, never
// held, so this only refuses nonsense lengths.
const maxFrame = 1 << 32

// decoder follows one connection through the copies the forwarders queue.
type decoder struct {
	emit   func(*Event)
	ops    wire.OpTable
	cq, dq *queue // what the client and the daemon sent
	c, d   *wire.Reader
	p      wire.Proto
	from   string // the side being read, for errors
	done   atomic.Bool
	// behind is set by a forwarder whose queue overflowed.
	behind atomic.Bool
	// upstream names the daemon, for the open event.
	upstream string
}

// stop gives up decoding: the queues drop their data and stop filling. It
// reports whether this call stopped it (so that only one reason is told).
func (d *decoder) stop() bool {
	if !d.done.CompareAndSwap(false, true) {
		return false
	}
	d.cq.stop()
	d.dq.stop()
	return true
}

// run decodes the whole connection; on the first problem it reports it
// once and stops.
func (d *decoder) run() {
	// Once decoding ends, for whatever reason (an unknown op's answer
	// may end it quietly), nothing reads the queues: they must stop
	// holding what is forwarded.
	defer func() {
		d.cq.stop()
		d.dq.stop()
	}()
	d.emit(&Event{Kind: KindOpen, Note: d.upstream})
	d.c, d.d = wire.NewReader(d.cq), wire.NewReader(d.dq)
	err := d.handshake()
	if err == nil {
		err = d.operations()
	}
	if err == nil {
		return
	}
	if errors.Is(err, errStopped) {
		if d.behind.Load() {
			d.emit(&Event{Kind: KindBehind, Note: fmt.Sprintf("the decoder fell more than %d bytes behind; the rest of this connection is forwarded undecoded", d.cq.max)})
		}
		return
	}
	if d.stop() {
		d.emit(&Event{Kind: KindUndecodable, From: d.from, Note: err.Error() + "; the rest of this connection is forwarded undecoded"})
	}
}

// read decodes m from the side named from and reports it as kind.
func (d *decoder) read(from, kind string, op *wire.Op, m wire.Message) error {
	d.from = from
	r := d.side(from)
	if err := m.DecodeWire(r, d.p); err != nil {
		return err
	}
	e := &Event{From: from, Kind: kind, Type: typeName(m), Msg: m}
	if op != nil {
		e.Op, e.Code = op.Name, op.Code
	}
	d.emit(e)
	return nil
}

// side returns the reader of what from sent.
func (d *decoder) side(from string) *wire.Reader {
	if from == FromDaemon {
		return d.d
	}
	return d.c
}

func typeName(m any) string {
	if n, ok := m.(interface{ WireTypeName() string }); ok {
		return n.WireTypeName()
	}
	return fmt.Sprintf("%T", m)
}

// handshake follows the handshake both ways, as the daemon does: the
// protocol is the lower of both versions and, from 1.38, the intersection
// of both feature sets.
func (d *decoder) handshake() error {
	var (
		hello  messages.WorkerClientHello
		server messages.WorkerServerHello
		client messages.WorkerClientVersion
	)
	for _, s := range []struct {
		from string
		m    wire.Message
	}{{FromClient, &hello}, {FromDaemon, &server}, {FromClient, &client}} {
		if err := d.read(s.from, KindHandshake, nil, s.m); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
	}
	d.p = wire.Proto{Version: min(wire.Version(client.Version), wire.Version(server.Version))}
	neg := &Negotiated{
		ClientVersion: wire.Version(client.Version).String(),
		DaemonVersion: wire.Version(server.Version).String(),
		Version:       d.p.Version.String(),
	}
	if d.p.Version.AtLeast(1, 38) {
		var ours, theirs messages.FeatureSet
		if err := d.read(FromClient, KindHandshake, nil, &ours); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		if err := d.read(FromDaemon, KindHandshake, nil, &theirs); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		d.p.Features = wire.NewFeatures(ours.Features...).Intersect(wire.NewFeatures(theirs.Features...))
		neg.Features = d.p.Features.Names()
	}
	var post messages.ClientPostHandshake
	if err := d.read(FromClient, KindHandshake, nil, &post); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	var info messages.ClientHandshakeInfo
	if err := d.read(FromDaemon, KindHandshake, nil, &info); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	neg.NixVersion = info.DaemonVersion
	if d.p.Version.AtLeast(1, 35) {
		neg.Trusted = fmt.Sprint(info.Trusted)
	}
	d.emit(&Event{Kind: KindNegotiated, Type: "Negotiated", Msg: neg})
	if _, err := d.session(nil); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	return nil
}

// operations decodes operations until the client closes.
func (d *decoder) operations() error {
	for {
		d.from = FromClient
		code, err := d.c.Uint64()
		if errors.Is(err, io.EOF) {
			return d.trailing()
		}
		if err != nil {
			return fmt.Errorf("op code: %w", err)
		}
		op, ok := d.ops.Lookup(code, d.p)
		if !ok {
			d.emit(&Event{From: FromClient, Kind: KindUndecodable, Code: code,
				Note: fmt.Sprintf("unknown op %d at protocol %s: its request cannot be decoded; only the daemon's answer will be", code, d.p.Version)})
			d.done.Store(true) // said once; nothing else is reported undecodable
			return d.daemonOnly(fmt.Sprintf("unknown op %d", code))
		}
		if err := d.read(FromClient, KindRequest, op, op.NewRequest()); err != nil {
			return fmt.Errorf("%s request: %w", op.Name, err)
		}
		if err := d.stream(FromClient, op, op.RequestStream(d.p)); err != nil {
			return fmt.Errorf("%s request data: %w", op.Name, err)
		}
		ok, err = d.session(op)
		if err != nil {
			return fmt.Errorf("%s: %w", op.Name, err)
		}
		if !ok { // STDERR_ERROR: no reply
			continue
		}
		if op.NewReply != nil {
			if err := d.read(FromDaemon, KindReply, op, op.NewReply()); err != nil {
				return fmt.Errorf("%s reply: %w", op.Name, err)
			}
		}
		if err := d.stream(FromDaemon, op, op.ReplyStream(d.p)); err != nil {
			return fmt.Errorf("%s reply data: %w", op.Name, err)
		}
	}
}

// session decodes STDERR frames up to STDERR_LAST (ok) or STDERR_ERROR,
// answering STDERR_READ pulls with the client's data and summing the data
// of STDERR_WRITE frames into one stream event.
func (d *decoder) session(op *wire.Op) (ok bool, err error) {
	var read, write *counter
	defer func() {
		for _, c := range []*counter{read, write} {
			if c != nil {
				d.emitStream(c, op)
			}
		}
	}()
	for {
		d.from = FromDaemon
		f, err := messages.DecodeStderr(d.d, d.p)
		if err != nil {
			return false, fmt.Errorf("STDERR frame: %w", err)
		}
		e := &Event{From: FromDaemon, Kind: KindStderr, Type: typeName(f), Msg: f}
		if op != nil {
			e.Op, e.Code = op.Name, op.Code
		}
		switch f := f.(type) {
		case *messages.StderrWrite:
			if write == nil {
				write = newCounter("write", FromDaemon)
			}
			write.add(f.Data)
			continue // summed, not reported frame by frame
		case *messages.StderrRead:
			d.emit(e)
			if read == nil {
				read = newCounter("read", FromClient)
			}
			d.from = FromClient
			var data messages.StderrReadData
			if err := data.DecodeWire(d.c, d.p); err != nil {
				return false, fmt.Errorf("answer to STDERR_READ: %w", err)
			}
			read.add(data.Data)
			continue
		}
		d.emit(e)
		switch f.(type) {
		case *messages.StderrLast:
			return true, nil
		case *messages.StderrError:
			return false, nil
		}
	}
}

// trailing decodes what the daemon sends after the client stopped sending
// ops (the second STDERR_ERROR of an error before startWork).
func (d *decoder) trailing() error { return d.daemonFrames("after the last op") }

// daemonOnly is what is left after a request that cannot be decoded: the
// daemon's answer (STDERR frames, as Nix's daemon answers an unknown op
// with errors and hangs up) is still decoded; anything else stops.
func (d *decoder) daemonOnly(why string) error {
	d.cq.stop()
	return d.daemonFrames("answer to " + why)
}

// daemonFrames decodes STDERR frames from the daemon until it closes,
// noting each with note.
func (d *decoder) daemonFrames(note string) error {
	for {
		d.from = FromDaemon
		f, err := messages.DecodeStderr(d.d, d.p)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", note, err)
		}
		d.emit(&Event{From: FromDaemon, Kind: KindStderr, Type: typeName(f), Msg: f, Note: note})
	}
}

// stream reads the data of kind that follows a message of op from one
// side: a framed stream, or a raw NAR (pulled and pushed data travel in
// the STDERR session instead).
func (d *decoder) stream(from string, op *wire.Op, kind wire.StreamKind) error {
	switch kind {
	case wire.FramedStream:
		return d.framed(from, op)
	case wire.RawStream:
		return d.nar(from, op)
	}
	return nil
}

// framed reads a framed stream from one side and reports its size and hash.
func (d *decoder) framed(from string, op *wire.Op) error {
	d.from = from
	r := d.side(from)
	c := newCounter("framed", from)
	if _, err := io.Copy(c, wire.NewFramedReader(r, maxFrame)); err != nil {
		return err
	}
	d.emitStream(c, op)
	return nil
}

// nar reads one raw NAR from one side with the NAR scanner (only the
// grammar tells where it ends) and reports its size and hash.
func (d *decoder) nar(from string, op *wire.Op) error {
	d.from = from
	r := d.side(from)
	c := newCounter("nar", from)
	if _, err := nar.Copy(c, r); err != nil {
		return err
	}
	d.emitStream(c, op)
	return nil
}

func (d *decoder) emitStream(c *counter, op *wire.Op) {
	e := &Event{From: c.from, Kind: KindStream, Stream: &Stream{
		Kind: c.kind, Size: int64(c.h.Size()), Hash: c.h.Sum().String(), Chunks: c.chunks,
	}}
	if op != nil {
		e.Op, e.Code = op.Name, op.Code
	}
	d.emit(e)
}

// counter hashes and counts stream data.
type counter struct {
	kind, from string
	h          *nixhash.Writer // also counts the bytes
	chunks     int
}

func newCounter(kind, from string) *counter {
	return &counter{kind: kind, from: from, h: nixhash.NewWriter(nixhash.SHA256)}
}

func (c *counter) Write(p []byte) (int, error) {
	return c.h.Write(p)
}

// add counts one chunk of STDERR_READ or STDERR_WRITE data.
func (c *counter) add(p []byte) {
	c.Write(p)
	c.chunks++
}
