package trace_test

import (
	"context"
	"log"
	"net"
	"os"
	"time"

	"github.com/nixwire/nixwire/trace"
)

// A proxy in front of the system daemon, writing JSON lines to standard
// output until the context ends.
func ExampleProxy() {
	ln, err := net.Listen("unix", "/tmp/nixwire-trace.sock")
	if err != nil {
		log.Fatal(err)
	}
	p := &trace.Proxy{
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", "/nix/var/nix/daemon-socket/socket")
		},
		Sink: trace.NewJSONSink(os.Stdout),
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Serve(ctx, ln); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

// The text form of two events: a request, and the NAR a reply streamed.
func ExampleTextSink() {
	s := trace.NewTextSink(os.Stdout)
	at := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	s.Event(&trace.Event{Time: at, Conn: 1, From: trace.FromClient, Kind: trace.KindRequest, Op: "NarFromPath",
		Type: "NarFromPathRequest", Msg: map[string]string{"Path": "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello"}})
	s.Event(&trace.Event{Time: at, Conn: 1, From: trace.FromDaemon, Kind: trace.KindStream, Op: "NarFromPath",
		Stream: &trace.Stream{Kind: "nar", Size: 120, Hash: "sha256:0i3y5s5ys3b9jk9f1lc6n4mh2n8s4z7p1a0l2j1n2wp3mz2jgfpc"}})
	s.Flush() // a Proxy flushes by itself
	// Output:
	// 20:00:00.000000 #1 client request NarFromPath {"Path":"/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello"}
	// 20:00:00.000000 #1 daemon stream NarFromPath nar stream: 120 bytes, sha256:0i3y5s5ys3b9jk9f1lc6n4mh2n8s4z7p1a0l2j1n2wp3mz2jgfpc
}
