package storehandler_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/server"
	"github.com/nixwire/nixwire/wire"
)

// scriptConn is a net.Conn whose client side is a script: reads come
// from in and end with io.EOF (the client hangs up after its last byte),
// writes are counted and dropped. Nothing it does blocks, so a server
// that does not return has hung by itself.
type scriptConn struct {
	mu      sync.Mutex
	in      io.Reader
	written int
}

func (c *scriptConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.in.Read(p)
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.written += len(p)
	return len(p), nil
}

func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return scriptAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return scriptAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

type scriptAddr struct{}

func (scriptAddr) Network() string { return "script" }
func (scriptAddr) String() string  { return "script" }

// panicLog is a slog.Handler that records the messages of records about a
// panic (the server recovers handler panics and logs them).
type panicLog struct {
	mu     sync.Mutex
	panics []string
}

func (l *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *panicLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *panicLog) WithGroup(string) slog.Handler            { return l }

func (l *panicLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "panic") {
		return nil
	}
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "panic" || a.Key == "stack" {
			msg += "\n" + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.panics = append(l.panics, msg)
	l.mu.Unlock()
	return nil
}

func (l *panicLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.panics
	l.panics = nil
	return p
}

// fuzzVersion maps a fuzzed byte onto the versions a server accepts,
// 1.18 to 1.38.
func fuzzVersion(b uint8) wire.Version { return wire.V(1, 18+b%21) }

// clientHandshake is what a client of version v sends to shake hands.
func clientHandshake(t testing.TB, v wire.Version) []byte {
	var b bytes.Buffer
	w := wire.NewWriter(&b)
	p := wire.Proto{Version: v}
	(&messages.WorkerClientHello{}).EncodeWire(w, p)
	(&messages.WorkerClientVersion{Version: uint32(v)}).EncodeWire(w, p)
	if p.AtLeast(1, 38) {
		(&messages.FeatureSet{}).EncodeWire(w, p)
	}
	(&messages.ClientPostHandshake{}).EncodeWire(w, p)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// opSeeds are valid op streams at v: one request of each of a few ops
// (with its data where it has some), then truncated and forged ones.
func opSeeds(t testing.TB, v wire.Version) [][]byte {
	p := wire.Proto{Version: v}
	hello := nar.FileNAR(false, []byte("hello\n"))
	info := narInfo(t, "fuzz", hello)
	enc := func(code messages.WorkerOpCode, req interface {
		EncodeWire(*wire.Writer, wire.Proto) error
	}, data func(w *wire.Writer)) []byte {
		var b bytes.Buffer
		w := wire.NewWriter(&b)
		w.Uint64(uint64(code))
		if req != nil {
			if err := req.EncodeWire(w, p); err != nil {
				t.Fatal(err)
			}
		}
		if data != nil {
			data(w)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	framed := func(payload []byte) func(w *wire.Writer) {
		return func(w *wire.Writer) {
			fw := wire.NewFramedWriter(w, 32<<10)
			fw.Write(payload)
			fw.Close()
		}
	}
	seeds := [][]byte{
		enc(messages.OpSetOptions, &messages.ClientSettings{Verbosity: messages.VerbosityDebug}, nil),
		enc(messages.OpIsValidPath, &messages.IsValidPathRequest{Path: info.Path}, nil),
		enc(messages.OpQueryPathInfo, &messages.QueryPathInfoRequest{Path: helloText}, nil),
		enc(messages.OpQueryValidPaths, &messages.QueryValidPathsRequest{Paths: []messages.StorePath{info.Path, helloText}}, nil),
		//lint:ignore SA1019 clients before 1.25 still send it, and the server serves it
		enc(messages.OpAddTextToStore, &messages.AddTextToStoreRequest{Name: "hello.txt", Text: []byte("hello\n")}, nil),
		enc(messages.OpAddTempRoot, &messages.AddTempRootRequest{Path: helloText}, nil),
		enc(messages.OpNarFromPath, &messages.NarFromPathRequest{Path: helloText}, nil),
		enc(messages.OpQueryAllValidPaths, nil, nil),
		enc(messages.OpBuildPaths, &messages.BuildPathsRequest{Targets: []messages.DerivedPath{messages.DerivedPath(helloText)}}, nil),
	}
	if p.AtLeast(1, 23) {
		seeds = append(seeds, enc(messages.OpAddToStoreNar, &messages.AddToStoreNarRequest{Info: *info, DontCheckSigs: true}, framed(hello)))
	} else if !p.AtLeast(1, 21) {
		seeds = append(seeds, enc(messages.OpAddToStoreNar, &messages.AddToStoreNarRequest{Info: *info, DontCheckSigs: true}, func(w *wire.Writer) { w.Write(hello) }))
	}
	if p.AtLeast(1, 32) {
		var multi bytes.Buffer
		mw := wire.NewWriter(&multi)
		mw.Uint64(1)
		(&messages.AddMultipleToStoreEntry{Info: *info}).EncodeWire(mw, wire.Proto{})
		mw.Write(hello)
		mw.Flush()
		seeds = append(seeds, enc(messages.OpAddMultipleToStore, &messages.AddMultipleToStoreRequest{DontCheckSigs: true}, framed(multi.Bytes())))
	}
	// All of them in one session, and the session cut short.
	all := bytes.Join(seeds, nil)
	seeds = append(seeds, all, all[:len(all)*2/3])
	// Forged counts and lengths.
	seeds = append(seeds,
		enc(messages.OpQueryValidPaths, nil, func(w *wire.Writer) { w.Uint64(1 << 40) }),
		enc(messages.OpIsValidPath, nil, func(w *wire.Writer) { w.Uint64(1 << 40) }),
		//lint:ignore SA1019 clients before 1.25 still send it, and the server serves it
		enc(messages.OpAddTextToStore, nil, func(w *wire.Writer) { w.String("x"); w.Uint64(1 << 62) }),
	)
	if p.AtLeast(1, 23) {
		seeds = append(seeds, enc(messages.OpAddToStoreNar, &messages.AddToStoreNarRequest{Info: *info}, func(w *wire.Writer) { w.Uint64(1 << 40) }))
	}
	return seeds
}

// FuzzServerConn serves arbitrary op streams, after a valid handshake at
// a fuzzed version, with the store handler over a real store: the server
// never panics (not even a recovered handler panic) and the connection
// ends soon after the client's last byte.
func FuzzServerConn(f *testing.F) {
	for _, minor := range []uint8{0, 2, 3, 5, 14, 16, 20} { // 1.18, 1.20, 1.21, 1.23, 1.32, 1.34, 1.38
		for _, s := range opSeeds(f, fuzzVersion(minor)) {
			f.Add(minor, s)
		}
	}
	h, st := fuzzHandler(f)
	plog := &panicLog{}
	srv := &server.Server{Handler: messages.NewWorkerDispatcher(h), Log: slog.New(plog)}
	verified := -1 // paths in the store when it was last verified
	f.Fuzz(func(t *testing.T, minor uint8, ops []byte) {
		serveScript(t, srv, plog, fuzzVersion(minor), ops)
		// Verifying rehashes every NAR: only when a path was added.
		paths, err := st.QueryAllValidPaths(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != verified {
			if err := st.Verify(context.Background()); err != nil {
				t.Fatalf("store inconsistent: %v", err)
			}
			verified = len(paths)
		}
	})
}

// serveScript serves one connection whose client shakes hands at v and
// then sends ops: it fails if the server panics, hangs or sends nothing.
func serveScript(t *testing.T, srv *server.Server, plog *panicLog, v wire.Version, ops []byte) {
	nc := &scriptConn{in: io.MultiReader(bytes.NewReader(clientHandshake(t, v)), bytes.NewReader(ops))}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeConn(context.Background(), nc)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the connection did not end after the client's last byte", v)
	}
	if p := plog.take(); len(p) > 0 {
		t.Fatalf("%s: the server panicked: %s", v, strings.Join(p, "\n"))
	}
	if nc.written == 0 {
		t.Fatalf("%s: the server sent nothing, not even its handshake", v)
	}
}

// TestServerConnSeeds: the fuzz target's seed sessions reach the handler
// (the text and the NARs they add are in the store afterwards), so that
// fuzzing starts from streams the server understands.
func TestServerConnSeeds(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 18), wire.V(1, 34), wire.V(1, 38)} {
		h, st := fuzzHandler(t)
		plog := &panicLog{}
		srv := &server.Server{Handler: messages.NewWorkerDispatcher(h), Log: slog.New(plog)}
		seeds := opSeeds(t, v)
		var all []byte
		for _, s := range seeds {
			if len(s) > len(all) {
				all = s // the whole session
			}
		}
		serveScript(t, srv, plog, v, all)
		paths, err := st.QueryAllValidPaths(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// hello.txt by AddTextToStore, the NAR by AddToStoreNar (and at
		// 1.32 and later the same path again by AddMultipleToStore).
		if len(paths) != 2 {
			t.Errorf("%s: the seed session left %q in the store, want hello.txt and one NAR", v, paths)
		}
	}
}
