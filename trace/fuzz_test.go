package trace

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// decodeAll runs a decoder over what a client and a daemon sent, and
// returns the events.
func decodeAll(client, daemon []byte) []*Event {
	var evs []*Event
	sink := NewJSONSink(io.Discard)
	d := &decoder{
		emit: func(e *Event) { evs = append(evs, e); sink.Event(e) },
		ops:  messages.WorkerOps,
		cq:   newQueue(len(client) + 1), dq: newQueue(len(daemon) + 1),
	}
	d.cq.push(client)
	d.cq.end(io.EOF)
	d.dq.push(daemon)
	d.dq.end(io.EOF)
	d.run()
	return evs
}

// session returns both sides of a handshake at 1.34 and one
// QueryPathInfo, as a Nix 2.8 client and daemon send them.
func session(tb testing.TB) (client, daemon []byte) {
	p := wire.P(1, 34)
	app := func(b []byte, m wire.Message) []byte {
		b, err := m.AppendWire(b, p)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	client = app(client, &messages.WorkerClientHello{})
	client = app(client, &messages.WorkerClientVersion{Version: 0x122})
	client = app(client, &messages.ClientPostHandshake{})
	client = binary.LittleEndian.AppendUint64(client, uint64(messages.OpQueryPathInfo))
	client = app(client, &messages.QueryPathInfoRequest{Path: "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo"})
	daemon = app(daemon, &messages.WorkerServerHello{Version: 0x122})
	daemon = app(daemon, &messages.ClientHandshakeInfo{DaemonVersion: "2.8.0"})
	frame := func(b []byte, f messages.Stderr) []byte {
		b, err := messages.AppendStderr(b, f, p)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	daemon = frame(daemon, &messages.StderrLast{})
	daemon = frame(daemon, &messages.StderrNext{Message: "hello\n"})
	daemon = frame(daemon, &messages.StderrLast{})
	daemon = app(daemon, &messages.QueryPathInfoReply{Info: &messages.UnkeyedValidPathInfo{
		NarHash: "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13", NarSize: 120,
	}})
	return client, daemon
}

func TestDecodeSession(t *testing.T) {
	client, daemon := session(t)
	evs := decodeAll(client, daemon)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind+":"+e.Type)
	}
	want := []string{
		"open:", "handshake:WorkerClientHello", "handshake:WorkerServerHello", "handshake:WorkerClientVersion",
		"handshake:ClientPostHandshake", "handshake:ClientHandshakeInfo", "negotiated:Negotiated", "stderr:StderrLast",
		"request:QueryPathInfoRequest", "stderr:StderrNext", "stderr:StderrLast", "reply:QueryPathInfoReply",
	}
	if len(kinds) != len(want) {
		t.Fatalf("events %v;\nwant %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("event %d is %s; want %s", i, kinds[i], want[i])
		}
	}
	// Every truncation of either side ends in at most one undecodable
	// event, never a panic or a hang.
	for n := 0; n < len(client); n++ {
		checkOneStop(t, decodeAll(client[:n], daemon))
	}
	for n := 0; n < len(daemon); n++ {
		checkOneStop(t, decodeAll(client, daemon[:n]))
	}
}

func checkOneStop(t *testing.T, evs []*Event) {
	t.Helper()
	n := 0
	for _, e := range evs {
		if e.Kind == KindUndecodable {
			n++
		}
	}
	if n > 1 {
		t.Errorf("%d undecodable events; want at most 1", n)
	}
}

// FuzzDecode feeds arbitrary client and daemon bytes to the decoder: it
// must end without panicking and report at most one undecodable event.
func FuzzDecode(f *testing.F) {
	client, daemon := session(f)
	f.Add(client, daemon)
	f.Add(client[:20], daemon)
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, client, daemon []byte) {
		checkOneStop(t, decodeAll(client, daemon))
	})
}
