package trace_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/trace"
)

// echoDaemon listens on a socket in dir and, for every connection, sends
// toClient and records everything it receives.
func echoDaemon(t *testing.T, dir string, toClient []byte) (sock string, received func() []byte) {
	t.Helper()
	sock = filepath.Join(dir, "up.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var got bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		go func() {
			c.Write(toClient)
			c.(*net.UnixConn).CloseWrite()
		}()
		var b bytes.Buffer
		io.Copy(&b, c)
		mu.Lock()
		got.Write(b.Bytes())
		mu.Unlock()
	}()
	return sock, func() []byte {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return got.Bytes()
	}
}

func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// exchange sends toDaemon through the proxy and returns what came back.
func exchange(t *testing.T, proxySock string, toDaemon []byte) []byte {
	t.Helper()
	c, err := net.Dial("unix", proxySock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write(toDaemon)
		c.(*net.UnixConn).CloseWrite()
		wrote <- err
	}()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	var back bytes.Buffer
	if _, err := io.Copy(&back, c); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	return back.Bytes()
}

// TestGarbageForwardedUnchanged: bytes that are not the protocol pass
// both ways unchanged, and the decoder says once that it cannot decode.
func TestGarbageForwardedUnchanged(t *testing.T) {
	dir := shortDir(t)
	up, down := make([]byte, 3<<20+5), make([]byte, 2<<20+3)
	rand.Read(up)
	rand.Read(down)
	upSock, received := echoDaemon(t, dir, down)
	sink := newBufferSink()
	proxySock := startProxy(t, dir, upSock, sink)
	back := exchange(t, proxySock, up)
	if !bytes.Equal(back, down) {
		t.Errorf("the client got %d bytes, not the daemon's %d unchanged", len(back), len(down))
	}
	if !bytes.Equal(received(), up) {
		t.Errorf("the daemon did not get the client's %d bytes unchanged", len(up))
	}
	evs := waitClosed(t, sink)
	n := 0
	for _, e := range evs {
		if e.Kind == trace.KindUndecodable {
			n++
			t.Logf("undecodable: %s", e.Note)
		}
	}
	if n != 1 {
		t.Errorf("%d undecodable events; want 1", n)
	}
}

// TestUndecodableReportedWhileOpen: when decoding gives up, what it
// reported reaches the sink at once, while the connection (forwarded
// undecoded) stays open, not when it closes.
func TestUndecodableReportedWhileOpen(t *testing.T) {
	dir := shortDir(t)
	upSock, _ := echoDaemon(t, dir, nil)
	sink := newBufferSink()
	proxySock := startProxy(t, dir, upSock, sink)
	c, err := net.Dial("unix", proxySock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("not the protocol at all\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !bytes.Contains(sink.bytes(), []byte(`"kind":"undecodable"`)); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("with the connection open the sink holds %q", sink.bytes())
		}
	}
}

// blockingSink blocks every event until released, like a decoder output
// that cannot keep up.
type blockingSink struct {
	release chan struct{}
	mu      sync.Mutex
	events  []*trace.Event
}

func (s *blockingSink) Event(e *trace.Event) {
	<-s.release
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
}

// TestForwardingDoesNotWaitForDecoder: with the decoder stuck, a transfer
// far larger than the queue still goes through, and the proxy reports
// once that it fell behind.
func TestForwardingDoesNotWaitForDecoder(t *testing.T) {
	dir := shortDir(t)
	// A valid client hello, so the decoder starts and then blocks in the
	// sink, followed by 16 MiB.
	up := append([]byte{0x63, 0x78, 0x69, 0x6e, 0, 0, 0, 0}, make([]byte, 16<<20)...)
	upSock, received := echoDaemon(t, dir, []byte("hi"))
	sink := &blockingSink{release: make(chan struct{})}
	ln, err := net.Listen("unix", filepath.Join(dir, "p.sock"))
	if err != nil {
		t.Fatal(err)
	}
	p := &trace.Proxy{
		Dial:     func(ctx context.Context) (net.Conn, error) { return net.Dial("unix", upSock) },
		Sink:     sink,
		MaxQueue: 1 << 20,
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { defer close(served); p.Serve(ctx, ln) }()
	// The first event (open) blocks; everything else must flow anyway.
	back := exchange(t, ln.Addr().String(), up)
	if string(back) != "hi" || len(received()) != len(up) {
		t.Errorf("forwarding waited for the decoder or changed bytes: back %q, daemon got %d of %d", back, len(received()), len(up))
	}
	close(sink.release)
	cancel()
	<-served
	behind := 0
	for _, e := range sink.events {
		if e.Kind == trace.KindBehind {
			behind++
		}
	}
	if behind != 1 {
		t.Errorf("%d behind events; want 1", behind)
	}
}

func TestTextSink(t *testing.T) {
	var b bytes.Buffer
	s := trace.NewTextSink(&b)
	s.Event(&trace.Event{Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Conn: 3, From: trace.FromClient, Kind: trace.KindRequest,
		Op: "QueryPathInfo", Type: "QueryPathInfoRequest", Msg: map[string]string{"Path": "/nix/store/x"}})
	s.Event(&trace.Event{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Conn: 3, From: trace.FromDaemon, Kind: trace.KindStream,
		Op: "NarFromPath", Stream: &trace.Stream{Kind: "nar", Size: 120, Hash: "sha256:ab"}})
	// No HTML escapes, as in the JSON sink.
	s.Event(&trace.Event{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Conn: 3, From: trace.FromDaemon, Kind: trace.KindStderr,
		Type: "StderrNext", Msg: map[string]string{"Message": "a -> b && <c>"}})
	if b.Len() != 0 {
		t.Errorf("text sink wrote %d bytes before Flush", b.Len())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "03:04:05.000006 #3 client request QueryPathInfo {\"Path\":\"/nix/store/x\"}\n" +
		"03:04:05.000000 #3 daemon stream NarFromPath nar stream: 120 bytes, sha256:ab\n" +
		"03:04:05.000000 #3 daemon stderr StderrNext {\"Message\":\"a -> b && <c>\"}\n"
	if b.String() != want {
		t.Errorf("text sink wrote\n%s\nwant\n%s", b.String(), want)
	}
}

// TestSinkFlushesDestination checks that a sink's Flush reaches through a
// destination that buffers too, as the CLI's standard output does: a
// trace to stdout shows each line once the proxy is quiet, not at exit.
func TestSinkFlushesDestination(t *testing.T) {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	for _, s := range []interface {
		trace.Sink
		trace.Flusher
	}{trace.NewJSONSink(bw), trace.NewTextSink(bw)} {
		b.Reset()
		s.Event(&trace.Event{Conn: 1, Kind: trace.KindOpen})
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "open") {
			t.Errorf("%T: after Flush the destination got %q", s, b.String())
		}
	}
}

func TestJSONSinkLines(t *testing.T) {
	var b bytes.Buffer
	s := trace.NewJSONSink(&b)
	s.Event(&trace.Event{Conn: 1, Kind: trace.KindOpen, Note: "<&>"})
	s.Event(&trace.Event{Conn: 1, Kind: trace.KindClose, Msg: func() {}}) // not encodable: still one line
	s.Flush()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"note":"<&>"`) || !strings.Contains(lines[1], `"kind":"close"`) {
		t.Errorf("JSON sink wrote %q", b.String())
	}
}

// TestServeEndsOpenConnections: when its context ends, Serve closes the
// connections still open and returns.
func TestServeEndsOpenConnections(t *testing.T) {
	dir := shortDir(t)
	upSock, _ := echoDaemon(t, dir, nil)
	ln, err := net.Listen("unix", filepath.Join(dir, "p.sock"))
	if err != nil {
		t.Fatal(err)
	}
	p := &trace.Proxy{
		Dial: func(ctx context.Context) (net.Conn, error) { return net.Dial("unix", upSock) },
		Sink: trace.NewJSONSink(io.Discard),
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, ln) }()
	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("idle client"))
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-served:
		if err != context.Canceled {
			t.Errorf("Serve = %v; want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return with a connection open")
	}
}
