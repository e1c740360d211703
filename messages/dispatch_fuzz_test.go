package messages_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// fuzzExchange is a wire.Exchange over arbitrary client bytes: request
// streams read from them (framed streams with a small frame limit), reply
// data is discarded.
type fuzzExchange struct {
	p     wire.Proto
	r     *wire.Reader
	w     *wire.Writer
	ended bool
}

func (x *fuzzExchange) Proto() wire.Proto      { return x.p }
func (x *fuzzExchange) Reader() *wire.Reader   { return x.r }
func (x *fuzzExchange) Writer() *wire.Writer   { return x.w }
func (x *fuzzExchange) EndLog() error          { x.ended = true; return nil }
func (x *fuzzExchange) StartWork(wire.Message) {}
func (x *fuzzExchange) RequestStream(k wire.StreamKind) (io.Reader, error) {
	if k == wire.FramedStream {
		return wire.NewFramedReader(x.r, 1<<16), nil
	}
	return x.r, nil
}
func (x *fuzzExchange) ReplyStream(wire.StreamKind) (io.Writer, error) { return x.w, nil }

// fuzzStore implements a few ops of each shape: a reply, a request
// stream, a raw reply stream; the others are unsupported.
type fuzzStore struct {
	messages.UnimplementedWorkerHandler
}

func (fuzzStore) IsValidPath(context.Context, *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	return &messages.IsValidPathReply{Valid: true}, nil
}

func (fuzzStore) AddToStoreNar(_ context.Context, _ *messages.AddToStoreNarRequest, in io.Reader) error {
	_, err := io.Copy(io.Discard, io.LimitReader(in, 1<<20))
	return err
}

func (fuzzStore) NarFromPath(context.Context, *messages.NarFromPathRequest) (wire.StreamFunc, error) {
	return func(w io.Writer) error { _, err := w.Write([]byte("nar")); return err }, nil
}

func (fuzzStore) QueryPathInfo(context.Context, *messages.QueryPathInfoRequest) (*messages.QueryPathInfoReply, error) {
	return nil, nil // no reply and no error: the dispatcher must say so
}

// FuzzDispatch serves arbitrary client bytes as a request of any op at
// any version through messages.NewWorkerDispatcher: it never panics, an
// op that does not exist is ErrNoOp, and an error is never both reported
// and preceded by the end of the log unless it matches ErrReplySent.
func FuzzDispatch(f *testing.F) {
	d := messages.NewWorkerDispatcher(fuzzStore{})
	f.Add(uint64(1), uint8(38), []byte("\x13\x00\x00\x00\x00\x00\x00\x00/nix/store/a1-hello\x00\x00\x00\x00\x00"))
	f.Add(uint64(39), uint8(23), []byte{})
	f.Add(uint64(38), uint8(17), []byte("\x01\x00\x00\x00\x00\x00\x00\x00/\x00\x00\x00\x00\x00\x00\x00"))
	f.Add(uint64(26), uint8(16), []byte("\x01\x00\x00\x00\x00\x00\x00\x00/\x00\x00\x00\x00\x00\x00\x00"))
	f.Add(uint64(999), uint8(38), []byte{})
	f.Fuzz(func(t *testing.T, code uint64, minor uint8, data []byte) {
		x := &fuzzExchange{p: wire.P(1, minor), r: wire.NewReader(bytes.NewReader(data)), w: wire.NewWriter(io.Discard)}
		err := d.Serve(context.Background(), code, x)
		if _, ok := d.Lookup(code, x.p); !ok && !errors.Is(err, wire.ErrNoOp) {
			t.Fatalf("op %d at %v does not exist, Serve: %v", code, x.p, err)
		}
		if err != nil && x.ended && !errors.Is(err, wire.ErrReplySent) {
			t.Fatalf("op %d: error %v after the end of the log", code, err)
		}
	})
}

// TestDispatchNilReply: a handler that returns neither a reply nor an
// error gets wire.ErrNoReply from the generated route, before the end of
// the log; an unsupported op matches wire.ErrUnsupported.
func TestDispatchNilReply(t *testing.T) {
	d := messages.NewWorkerDispatcher(fuzzStore{})
	req, err := wire.Marshal(&messages.QueryPathInfoRequest{Path: "/nix/store/a1-hello"}, wire.P(1, 38))
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[messages.WorkerOpCode]error{messages.OpQueryPathInfo: wire.ErrNoReply, messages.OpQueryReferrers: wire.ErrUnsupported} {
		x := &fuzzExchange{p: wire.P(1, 38), r: wire.NewReader(bytes.NewReader(req)), w: wire.NewWriter(io.Discard)}
		if err := d.Serve(context.Background(), uint64(code), x); !errors.Is(err, want) || x.ended {
			t.Errorf("%v: %v (log ended: %v), want %v", code, err, x.ended, want)
		}
	}
}
