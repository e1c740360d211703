package client_test

import (
	"context"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// allocFreeDaemon answers QueryPathInfo and IsValidPath with pre-encoded
// replies, reading requests into a reused buffer, so that the fake
// daemon allocates nothing per op and AllocsPerRun counts the client's
// allocations only.
func allocFreeDaemon(info *messages.UnkeyedValidPathInfo) *clienttest.Daemon {
	p := wire.P(1, 38)
	last, _ := (&messages.StderrLast{}).AppendWire(wire.AppendUint64(nil, 0x616c7473), p)
	qpi, _ := (&messages.QueryPathInfoReply{Info: info}).AppendWire(append([]byte(nil), last...), p)
	valid, _ := (&messages.IsValidPathReply{Valid: true}).AppendWire(append([]byte(nil), last...), p)
	ack, _ := (&messages.Ack{Value: 1}).AppendWire(append([]byte(nil), last...), p)
	var buf []byte
	answer := func(reply []byte) clienttest.Handler {
		return func(op *clienttest.Op) error {
			var err error
			if buf, err = op.R.AppendBytes(buf[:0], 0, 4096); err != nil {
				return err
			}
			op.W.Write(reply)
			return op.W.Flush()
		}
	}
	return &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpQueryPathInfo: answer(qpi),
		messages.OpIsValidPath:   answer(valid),
		messages.OpEnsurePath:    answer(ack),
	}}
}

// TestAllocsPerCall guards that a call allocates only what its reply
// decodes to (strings and slices) and its result.
func TestAllocsPerCall(t *testing.T) {
	// Under the race detector sync.Pool drops a quarter of what is put
	// back: the pooled call and messages are then allocated again.
	slack := 0.0
	if raceEnabled {
		slack = 2
	}
	info := &messages.UnkeyedValidPathInfo{
		NarHash:    "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s",
		References: []messages.StorePath{testPath, testPath},
		Sigs:       []messages.Signature{},
		NarSize:    120,
	}
	c, _ := fakeConn(t, allocFreeDaemon(info), client.Options{})
	ctxs := map[string]context.Context{"Background": context.Background()}
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctxs["WithCancel"] = cancellable
	for name, ctx := range ctxs {
		// QueryPathInfo: the result, NarHash, the References slice and its
		// two strings (Sigs is empty, Deriver and CA are "").
		if n := testing.AllocsPerRun(200, func() {
			if got, err := c.QueryPathInfo(ctx, testPath); err != nil || got == nil {
				t.Fatal(got, err)
			}
		}); n > 5+slack {
			t.Errorf("%s: QueryPathInfo: %v allocations per call, want at most %v", name, n, 5+slack)
		}
		if n := testing.AllocsPerRun(200, func() {
			if ok, err := c.IsValidPath(ctx, testPath); err != nil || !ok {
				t.Fatal(ok, err)
			}
		}); n > slack {
			t.Errorf("%s: IsValidPath: %v allocations per call, want at most %v", name, n, slack)
		}
		if n := testing.AllocsPerRun(200, func() {
			if err := c.EnsurePath(ctx, testPath); err != nil {
				t.Fatal(err)
			}
		}); n > slack {
			t.Errorf("%s: EnsurePath: %v allocations per call, want at most %v", name, n, slack)
		}
	}
}

func BenchmarkFakeQueryPathInfo(b *testing.B) {
	info := &messages.UnkeyedValidPathInfo{NarHash: "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", References: []messages.StorePath{testPath}}
	nc, _ := allocFreeDaemon(info).Start()
	c, err := client.Handshake(nc, client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.QueryPathInfo(ctx, testPath); err != nil {
			b.Fatal(err)
		}
	}
}
