package wire_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// recorder is a wire.Exchange over in-memory buffers that logs the order
// of the seam's calls: "end" for EndLog, "push:<data>" for data pushed
// before it.
type recorder struct {
	p      wire.Proto
	r      *wire.Reader
	out    bytes.Buffer
	w      *wire.Writer
	events []string
	in     string // the request stream's data
}

func newRecorder(p wire.Proto, req []byte) *recorder {
	x := &recorder{p: p, r: wire.NewReader(bytes.NewReader(req))}
	x.w = wire.NewWriter(&x.out)
	return x
}

func (x *recorder) Proto() wire.Proto      { return x.p }
func (x *recorder) Reader() *wire.Reader   { return x.r }
func (x *recorder) Writer() *wire.Writer   { return x.w }
func (x *recorder) StartWork(wire.Message) {}
func (x *recorder) EndLog() error {
	x.events = append(x.events, "end")
	x.w.WriteString("LAST")
	return nil
}
func (x *recorder) RequestStream(k wire.StreamKind) (io.Reader, error) {
	x.events = append(x.events, "in:"+k.String())
	return strings.NewReader(x.in), nil
}
func (x *recorder) ReplyStream(k wire.StreamKind) (io.Writer, error) {
	x.events = append(x.events, "out:"+k.String())
	return x.w, nil
}

// echo is a route of a hand-made table: it decodes a num, reads the
// request stream if any, and replies with V+1 and a reply stream.
func echo(stream bool) wire.Route {
	return func(ctx context.Context, c *wire.Call) error {
		req := new(num)
		if err := c.Decode(req); err != nil {
			return err
		}
		in, err := c.RequestStream()
		if err != nil {
			return err
		}
		data, _ := io.ReadAll(in)
		var fn wire.StreamFunc
		if stream {
			fn = func(w io.Writer) error { _, err := io.WriteString(w, "DATA"+string(data)); return err }
		}
		return c.Reply(&num{V: req.V + 1}, fn)
	}
}

var testProto = &wire.Protocol{Name: "T", Ops: wire.OpTable{
	{Name: "Plain", Code: 1},
	{Name: "Raw", Code: 2, AfterRequest: []wire.StreamRule{{Kind: wire.FramedStream}}, AfterReply: []wire.StreamRule{{Kind: wire.RawStream}}},
	{Name: "Push", Code: 3, AfterReply: []wire.StreamRule{{Kind: wire.PushStream}}},
	{Name: "Missing", Code: 4}, // no route
	{Name: "NoReply", Code: 5},
}}

func testDispatcher(t *testing.T) *wire.Dispatcher {
	d, err := wire.NewDispatcher(testProto, []wire.Route{echo(false), echo(true), echo(true), nil,
		func(ctx context.Context, c *wire.Call) error { return c.NoReply() }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDispatchOrder checks what goes out and in which order: the reply
// after EndLog, a push stream before it, a raw stream after the reply.
func TestDispatchOrder(t *testing.T) {
	d := testDispatcher(t)
	p := wire.P(1, 38)
	for _, tt := range []struct {
		code   uint64
		events string
		out    []byte
	}{
		{1, "end", cat([]byte("LAST"), le64(8))},
		{2, "in:framed end out:raw", cat([]byte("LAST"), le64(8), []byte("DATAup"))},
		{3, "out:push end", cat([]byte("DATA"), []byte("LAST"), le64(8))},
	} {
		x := newRecorder(p, le64(7))
		x.in = "up"
		if err := d.Serve(context.Background(), tt.code, x); err != nil {
			t.Fatalf("op %d: %v", tt.code, err)
		}
		if got := strings.Join(x.events, " "); got != tt.events {
			t.Errorf("op %d: events %q, want %q", tt.code, got, tt.events)
		}
		if !bytes.Equal(x.out.Bytes(), tt.out) {
			t.Errorf("op %d: wrote %q, want %q", tt.code, x.out.Bytes(), tt.out)
		}
	}
}

// TestDispatchErrors: errors before EndLog leave the log open (nothing
// written); unknown and unrouted ops have their sentinels.
func TestDispatchErrors(t *testing.T) {
	d := testDispatcher(t)
	p := wire.P(1, 38)
	for _, tt := range []struct {
		code uint64
		req  []byte
		want error
	}{
		{9, nil, wire.ErrNoOp},
		{4, le64(1), wire.ErrUnsupported},
		{5, le64(1), wire.ErrNoReply},
		{1, []byte{1, 2}, io.ErrUnexpectedEOF}, // a truncated request
	} {
		x := newRecorder(p, tt.req)
		err := d.Serve(context.Background(), tt.code, x)
		if !errors.Is(err, tt.want) {
			t.Errorf("op %d: %v, want %v", tt.code, err, tt.want)
		}
		if len(x.events) != 0 || x.w.Buffered() != 0 || x.out.Len() != 0 {
			t.Errorf("op %d: the failed call wrote %q (events %q)", tt.code, x.out.Bytes(), x.events)
		}
	}
}

// TestCallReplyChecks: a reply that does not encode, or a stream where
// none follows (or none where one must), is reported before EndLog.
func TestCallReplyChecks(t *testing.T) {
	p := wire.P(1, 38)
	routes := map[uint64]wire.Route{
		1: func(ctx context.Context, c *wire.Call) error { return c.Reply(&num{V: 9, Max: 8}, nil) },
		2: func(ctx context.Context, c *wire.Call) error { return c.Reply(&num{}, nil) },
		3: func(ctx context.Context, c *wire.Call) error {
			return c.Reply(&num{}, func(io.Writer) error { return nil })
		},
	}
	pr := &wire.Protocol{Name: "C", Ops: wire.OpTable{
		{Name: "BadReply", Code: 1},
		{Name: "NeedsStream", Code: 2, AfterReply: []wire.StreamRule{{Kind: wire.RawStream}}},
		{Name: "NoStream", Code: 3},
	}}
	d, err := wire.NewDispatcher(pr, []wire.Route{routes[1], routes[2], routes[3]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[uint64]error{1: wire.ErrVersion, 2: wire.ErrInvalid, 3: wire.ErrInvalid} {
		x := newRecorder(p, nil)
		if err := d.Serve(context.Background(), code, x); !errors.Is(err, want) || errors.Is(err, wire.ErrReplySent) {
			t.Errorf("op %d: %v, want %v before the reply", code, err, want)
		}
		if len(x.events) != 0 {
			t.Errorf("op %d: events %q", code, x.events)
		}
	}
}

// TestNewDispatcherChain: a dispatcher of an extension needs the base's
// dispatcher, not another; swapping them (the "extension first" mistake)
// is an error, never a panic later.
func TestNewDispatcherChain(t *testing.T) {
	base := &wire.Protocol{Name: "Base", Ops: wire.OpTable{{Name: "Q", Code: 1}}}
	ext := &wire.Protocol{Name: "Ext", Base: base, Ops: wire.OpTable{{Name: "N", Code: 2}}}
	bd, err := wire.NewDispatcher(base, []wire.Route{echo(false)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := wire.NewDispatcher(ext, []wire.Route{echo(false)}, bd)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"base with the extension as its base": func() error { _, err := wire.NewDispatcher(base, []wire.Route{nil}, ed); return err },
		"extension without its base":          func() error { _, err := wire.NewDispatcher(ext, []wire.Route{nil}, nil); return err },
		"extension over itself":               func() error { _, err := wire.NewDispatcher(ext, []wire.Route{nil}, ed); return err },
		"routes not matching the table":       func() error { _, err := wire.NewDispatcher(base, nil, nil); return err },
		"no protocol":                         func() error { _, err := wire.NewDispatcher(nil, nil, nil); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The extension's dispatcher serves the base's op.
	x := newRecorder(wire.P(1, 38), le64(1))
	if err := ed.Serve(context.Background(), 1, x); err != nil || ed.Protocol() != ext {
		t.Errorf("base op through the extension: %v", err)
	}
}

// TestNilConstructors: ops without NewRequest or NewReply (hand-made
// tables) are looked up and dispatched without calling them.
func TestNilConstructors(t *testing.T) {
	pr := &wire.Protocol{Name: "N", Ops: wire.OpTable{{Name: "Bare", Code: 1}}}
	op, ok := pr.Lookup(1, wire.P(1, 38))
	if !ok || op.NewRequest != nil || op.NewReply != nil {
		t.Fatal("Lookup")
	}
	_ = op.RequestStream(wire.P(1, 38))
	_ = op.ReplyStream(wire.P(1, 38))
	d, err := wire.NewDispatcher(pr, []wire.Route{nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Serve(context.Background(), 1, newRecorder(wire.P(1, 38), nil)); !errors.Is(err, wire.ErrUnsupported) {
		t.Errorf("Serve: %v", err)
	}
}
