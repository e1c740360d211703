package trace

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// TestQueuesStopWhenDecodingEnds: after an unknown op whose answer the
// daemon sends as a plain reply, decoding ends without a word (the op was
// reported once); what the connection forwards afterwards must not pile
// up in queues nobody reads.
func TestQueuesStopWhenDecodingEnds(t *testing.T) {
	p := wire.P(1, 34)
	app := func(b []byte, m wire.Message) []byte {
		b, err := m.AppendWire(b, p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var client, daemon []byte
	client = app(client, &messages.WorkerClientHello{})
	client = app(client, &messages.WorkerClientVersion{Version: 0x122})
	client = app(client, &messages.ClientPostHandshake{})
	client = binary.LittleEndian.AppendUint64(client, 999) // an op of a newer daemon
	daemon = app(daemon, &messages.WorkerServerHello{Version: 0x122})
	daemon = app(daemon, &messages.ClientHandshakeInfo{DaemonVersion: "2.99"})
	daemon, _ = messages.AppendStderr(daemon, &messages.StderrLast{}, p)
	daemon, _ = messages.AppendStderr(daemon, &messages.StderrLast{}, p)
	daemon = binary.LittleEndian.AppendUint64(daemon, 1) // its reply
	d := &decoder{emit: func(*Event) {}, ops: messages.WorkerOps, cq: newQueue(1 << 20), dq: newQueue(1 << 20)}
	d.cq.push(client)
	d.dq.push(daemon)
	d.run()
	for range 100 {
		d.cq.push(make([]byte, 100))
		d.dq.push(make([]byte, 100))
	}
	for name, q := range map[string]*queue{"client": d.cq, "daemon": d.dq} {
		q.mu.Lock()
		if !q.stopped || q.waiting != 0 {
			t.Errorf("%s queue after decoding ended: stopped %v, %d bytes held", name, q.stopped, q.waiting)
		}
		q.mu.Unlock()
		q.end(io.EOF)
	}
}
