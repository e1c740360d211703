package server

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// narServer serves a narHandler holding one NAR of size bytes at
// validPath, on a unix socket.
func narServer(t *testing.T, s *Server, size int) (sock string, n []byte) {
	t.Helper()
	n = nar.FileNAR(false, bytes.Repeat([]byte("0123456789abcdef"), size/16))
	s.Handler = messages.NewWorkerDispatcher(&narHandler{nars: map[messages.StorePath][]byte{validPath: n}})
	return listen(t, s), n
}

// askNar sends NarFromPath of validPath and reads up to STDERR_LAST.
func askNar(t *testing.T, r *wire.Reader, w *wire.Writer, p wire.Proto) {
	t.Helper()
	w.Uint64(uint64(messages.OpNarFromPath))
	(&messages.NarFromPathRequest{Path: validPath}).EncodeWire(w, p)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f, err := messages.DecodeStderr(r, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(*messages.StderrLast); !ok {
		t.Fatalf("NarFromPath: frame %T, want StderrLast", f)
	}
}

// connCount is how many connections s serves.
func connCount(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// TestWriteTimeoutStalledReader: a client that asks for a NAR of several
// MiB and never reads it is given up after WriteTimeout, freeing its
// slot; meanwhile the other connections are served.
func TestWriteTimeoutStalledReader(t *testing.T) {
	s := &Server{MaxConns: 2, WriteTimeout: time.Second}
	sock, _ := narServer(t, s, 8<<20)
	r, w, p := rawUnix(t, sock)
	askNar(t, r, w, p) // and never read the NAR
	// While the stalled client holds its slot, another is served.
	start := time.Now()
	c := dial(t, sock)
	var back bytes.Buffer
	if _, err := c.NarFromPath(context.Background(), validPath, &back); err != nil {
		t.Fatalf("a reading client next to a stalled one: %v", err)
	}
	c.Close()
	// The stalled connection ends, though its client keeps it open.
	for connCount(s) > 0 {
		if time.Since(start) > 10*time.Second {
			t.Fatal("a client that stopped reading still holds its connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWriteTimeoutSlowReader: a client that reads slowly but steadily
// gets its whole NAR, though the transfer lasts many times WriteTimeout.
func TestWriteTimeoutSlowReader(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	s := &Server{WriteTimeout: timeout}
	sock, n := narServer(t, s, 2<<20)
	r, w, p := rawUnix(t, sock)
	askNar(t, r, w, p)
	start := time.Now()
	got := make([]byte, 0, len(n))
	buf := make([]byte, 64<<10)
	for len(got) < len(n) {
		time.Sleep(100 * time.Millisecond)
		k, err := io.ReadFull(r, buf[:min(len(buf), len(n)-len(got))])
		got = append(got, buf[:k]...)
		if err != nil {
			t.Fatalf("after %d of %d bytes: %v", len(got), len(n), err)
		}
	}
	if !bytes.Equal(got, n) {
		t.Error("the NAR came back different")
	}
	if el := time.Since(start); el < 2*timeout {
		t.Logf("transfer took only %v: the test did not outlast the timeout", el)
	}
	// The connection is still usable.
	askNar(t, r, w, p)
}
