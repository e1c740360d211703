package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// testHandler serves IsValidPath (true for paths in valid, logging a
// line) and leaves every other op out.
type testHandler struct {
	messages.UnimplementedWorkerHandler
	valid map[messages.StorePath]bool
	fail  error // returned by IsValidPath when set
}

func (h *testHandler) IsValidPath(ctx context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	LoggerFrom(ctx).Log(messages.VerbosityError, "checking "+string(req.Path))
	if h.fail != nil {
		return nil, h.fail
	}
	return &messages.IsValidPathReply{Valid: h.valid[req.Path]}, nil
}

func newTestServer(h *testHandler) *Server {
	return &Server{Handler: messages.NewWorkerDispatcher(h)}
}

// start serves one connection of s on a pipe and returns the client end.
func start(t *testing.T, s *Server) net.Conn {
	t.Helper()
	cl, sv := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeConn(context.Background(), sv)
	}()
	t.Cleanup(func() {
		cl.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("ServeConn did not return after the client hung up")
		}
	})
	return cl
}

const validPath = messages.StorePath("/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo")

func TestHandshakeVersions(t *testing.T) {
	for _, tc := range []struct {
		server, client, want wire.Version
	}{
		{0, wire.V(1, 38), wire.V(1, 38)},
		{0, wire.V(1, 34), wire.V(1, 34)},
		{0, wire.V(1, 21), wire.V(1, 21)},
		{0, wire.V(1, 18), wire.V(1, 18)},
		{wire.V(1, 34), wire.V(1, 38), wire.V(1, 34)},
	} {
		s := newTestServer(&testHandler{valid: map[messages.StorePath]bool{validPath: true}})
		s.Version, s.NixVersion = tc.server, "2.99-test"
		c, err := client.Handshake(start(t, s), client.Options{MaxVersion: tc.client})
		if err != nil {
			t.Fatalf("server %s, client %s: %v", tc.server, tc.client, err)
		}
		info := c.Info()
		if info.Proto.Version != tc.want {
			t.Errorf("server %s, client %s: negotiated %s, want %s", tc.server, tc.client, info.Proto.Version, tc.want)
		}
		wantNix := ""
		if tc.want.AtLeast(1, 33) {
			wantNix = "2.99-test"
		}
		if info.DaemonVersion != wantNix {
			t.Errorf("%s: daemon version %q, want %q", tc.want, info.DaemonVersion, wantNix)
		}
		wantTrust := messages.TrustedFlagUnknown
		if tc.want.AtLeast(1, 35) {
			wantTrust = messages.TrustedFlagTrusted
		}
		if info.Trusted != wantTrust {
			t.Errorf("%s: trusted %v, want %v", tc.want, info.Trusted, wantTrust)
		}
		ok, err := c.IsValidPath(context.Background(), validPath)
		if err != nil || !ok {
			t.Errorf("%s: IsValidPath = %v, %v; want true", tc.want, ok, err)
		}
		c.Close()
	}
}

func TestHandshakeFeatures(t *testing.T) {
	s := newTestServer(&testHandler{})
	s.Features = []string{"a", "b", "c"}
	c, err := client.Handshake(start(t, s), client.Options{Features: []string{"b", "c", "d"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Proto().Features.String(); got != "b,c" {
		t.Errorf("features %q, want b,c", got)
	}
	if got := c.Info().DaemonFeatures.String(); got != "a,b,c" {
		t.Errorf("daemon features %q, want a,b,c", got)
	}
}

func TestHandshakeRefusesOldClients(t *testing.T) {
	s := newTestServer(&testHandler{})
	cl := start(t, s)
	w, r := wire.NewWriter(cl), wire.NewReader(cl)
	go func() {
		(&messages.WorkerClientHello{}).EncodeWire(w, wire.Proto{})
		(&messages.WorkerClientVersion{Version: uint32(wire.V(1, 17))}).EncodeWire(w, wire.Proto{})
		w.Flush()
	}()
	var hello messages.WorkerServerHello
	if err := hello.DecodeWire(r, wire.Proto{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Uint64(); !errors.Is(err, io.EOF) {
		t.Errorf("after a 1.17 client's version: %v, want EOF (hang-up)", err)
	}
}

func TestOpErrors(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 21), wire.V(1, 38)} {
		d := &testHandler{fail: &Error{Message: "no such luck", Status: 3}}
		s := newTestServer(d)
		c, err := client.Handshake(start(t, s), client.Options{MaxVersion: v})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.IsValidPath(context.Background(), validPath)
		var de *client.DaemonError
		if !errors.As(err, &de) || client.StripANSI(de.Message) == "" {
			t.Fatalf("%s: IsValidPath error %v, want a DaemonError", v, err)
		}
		// The connection stays usable after an error of the op itself.
		d.fail = nil
		if _, err := c.IsValidPath(context.Background(), validPath); err != nil {
			t.Errorf("%s: after an op error: %v", v, err)
		}
		// An op the handler leaves out: an error, and the connection goes on.
		_, err = c.QueryAllValidPaths(context.Background())
		if !errors.As(err, &de) || !strings.Contains(de.Message, "not supported") {
			t.Errorf("%s: QueryAllValidPaths: %v, want a not-supported DaemonError", v, err)
		}
		if _, err := c.IsValidPath(context.Background(), validPath); err != nil {
			t.Errorf("%s: after an unsupported op: %v", v, err)
		}
		c.Close()
	}
}

// rawClient shakes hands at v by hand and returns the reader and writer of
// the connection, after the startup session.
func rawClient(t *testing.T, s *Server, v wire.Version) (*wire.Reader, *wire.Writer, wire.Proto) {
	t.Helper()
	return shakeHands(t, start(t, s), v)
}

// shakeHands performs the client's side of the handshake at v by hand.
func shakeHands(t *testing.T, cl net.Conn, v wire.Version) (*wire.Reader, *wire.Writer, wire.Proto) {
	t.Helper()
	r, w := wire.NewReader(cl), wire.NewWriter(cl)
	p := wire.Proto{Version: v}
	sent := make(chan struct{})
	defer func() { <-sent }()
	go func() {
		defer close(sent)
		(&messages.WorkerClientHello{}).EncodeWire(w, p)
		(&messages.WorkerClientVersion{Version: uint32(v)}).EncodeWire(w, p)
		if p.AtLeast(1, 38) {
			(&messages.FeatureSet{}).EncodeWire(w, p)
		}
		(&messages.ClientPostHandshake{}).EncodeWire(w, p)
		w.Flush()
	}()
	var hello messages.WorkerServerHello
	if err := hello.DecodeWire(r, p); err != nil {
		t.Fatal(err)
	}
	if p.AtLeast(1, 38) {
		var fs messages.FeatureSet
		if err := fs.DecodeWire(r, p); err != nil {
			t.Fatal(err)
		}
	}
	var info messages.ClientHandshakeInfo
	if err := info.DecodeWire(r, p); err != nil {
		t.Fatal(err)
	}
	if f, err := messages.DecodeStderr(r, p); err != nil {
		t.Fatal(err)
	} else if _, ok := f.(*messages.StderrLast); !ok {
		t.Fatalf("startup session: %T, want StderrLast", f)
	}
	return r, w, p
}

// TestPreWorkErrors: an unknown op and a request that does not decode are
// reported twice, then the server hangs up, as nix-daemon does.
func TestPreWorkErrors(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 21), wire.V(1, 38)} {
		for name, send := range map[string]func(w *wire.Writer){
			"unknown op": func(w *wire.Writer) { w.Uint64(9999) },
			"bad request": func(w *wire.Writer) {
				w.Uint64(uint64(messages.OpIsValidPath))
				w.String("not a store path")
			},
			"forged length": func(w *wire.Writer) {
				w.Uint64(uint64(messages.OpIsValidPath))
				w.Uint64(1 << 40)
			},
		} {
			r, w, p := rawClient(t, newTestServer(&testHandler{}), v)
			send(w)
			w.Flush()
			var msgs []string
			for range 2 {
				f, err := messages.DecodeStderr(r, p)
				if err != nil {
					t.Fatalf("%s at %s: %v", name, v, err)
				}
				e, ok := f.(*messages.StderrError)
				if !ok {
					t.Fatalf("%s at %s: frame %T, want StderrError", name, v, f)
				}
				msgs = append(msgs, e.Message)
			}
			if msgs[0] != msgs[1] || msgs[0] == "" {
				t.Errorf("%s at %s: error frames %q", name, v, msgs)
			}
			if _, err := r.Uint64(); !errors.Is(err, io.EOF) {
				t.Errorf("%s at %s: after the errors: %v, want EOF", name, v, err)
			}
		}
	}
}

// TestMaxRequest: a request over Server.MaxRequest fails as one that does
// not decode (reported twice, then the server hangs up); one within it is
// served. The path list is what a hostile client would grow: its decoder
// allows 2^20 paths of 4 KiB.
func TestMaxRequest(t *testing.T) {
	const max = 64 << 10
	send := func(w *wire.Writer, n int) {
		w.Uint64(uint64(messages.OpQueryValidPaths))
		w.Uint64(uint64(n))
		for i := range n {
			w.String(fmt.Sprintf("/nix/store/%032d-request-budget", i))
		}
		w.Bool(false) // substitute
		w.Flush()
	}
	s := newTestServer(&testHandler{})
	s.MaxRequest = max
	p := wire.Proto{Version: wire.V(1, 38)}
	r, w, _ := rawClient(t, s, p.Version)
	go send(w, 500) // 36 KB
	f, err := messages.DecodeStderr(r, p)
	if e, ok := f.(*messages.StderrError); err != nil || (ok && strings.Contains(e.Message, "MaxRequest")) {
		t.Fatalf("a request within MaxRequest: %v, %+v", err, f)
	}
	r, w, _ = rawClient(t, s, p.Version)
	go send(w, 2000) // 144 KB
	for range 2 {
		f, err := messages.DecodeStderr(r, p)
		if e, ok := f.(*messages.StderrError); err != nil || !ok || !strings.Contains(e.Message, "MaxRequest") {
			t.Fatalf("a request over MaxRequest: %v, %+v", err, f)
		}
	}
	if _, err := r.Uint64(); !errors.Is(err, io.EOF) {
		t.Errorf("after the errors: %v, want EOF", err)
	}
}

// with replaces the server's handler.
func (s *Server) with(d Dispatcher) *Server {
	s.Handler = d
	return s
}
