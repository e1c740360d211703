package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// FuzzDaemonBytes feeds whatever a daemon might send after the handshake
// to a Conn running three pipelined operations: the Conn must never panic
// or hang, and every operation must return.
func FuzzDaemonBytes(f *testing.F) {
	p := wire.P(1, 37)
	last := wire.AppendUint64(nil, 0x616c7473)
	ok, _ := (&messages.IsValidPathReply{Valid: true}).AppendWire(append([]byte(nil), last...), p)
	info, _ := (&messages.QueryPathInfoReply{Info: &messages.UnkeyedValidPathInfo{NarHash: "00", References: []messages.StorePath{testPath}}}).AppendWire(append([]byte(nil), last...), p)
	errFrame, _ := (&messages.StderrError{Level: messages.VerbosityError, Name: "Error", Message: "boom"}).AppendWire(wire.AppendUint64(nil, 0x63787470), p)
	next, _ := (&messages.StderrNext{Message: "log\n"}).AppendWire(wire.AppendUint64(nil, 0x6f6c6d67), p)
	f.Add(append(append(append([]byte(nil), ok...), info...), ok...))
	f.Add(append(append(append([]byte(nil), next...), errFrame...), errFrame...))
	f.Add(append(append([]byte(nil), errFrame...), ok...))
	f.Add(info[:len(info)-3])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		// The first request gets the data as its answer, whatever it
		// holds; then the daemon hangs up.
		d := &clienttest.Daemon{Version: wire.V(1, 37), Handlers: map[messages.WorkerOpCode]clienttest.Handler{
			messages.OpIsValidPath: func(op *clienttest.Op) error {
				op.Decode(&messages.IsValidPathRequest{})
				op.W.Write(data)
				op.W.Flush()
				return errors.New("done")
			},
		}}
		cc, _ := d.Start()
		c, err := client.Handshake(cc, client.Options{Limits: client.Limits{MaxFrame: 64 << 10, MaxReply: 64 << 10}})
		if err != nil {
			t.Fatalf("handshake: %v", err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var r1, r3 messages.IsValidPathReply
		var r2 messages.QueryPathInfoReply
		calls := []client.Pending{
			c.Start(ctx, messages.OpIsValidPath, &messages.IsValidPathRequest{Path: testPath}, &r1),
			c.Start(ctx, messages.OpQueryPathInfo, &messages.QueryPathInfoRequest{Path: testPath}, &r2),
			c.Start(ctx, messages.OpIsValidPath, &messages.IsValidPathRequest{Path: testPath}, &r3),
		}
		for i, p := range calls {
			if err := p.Wait(); err == context.DeadlineExceeded {
				t.Fatalf("call %d hung", i)
			}
		}
	})
}
