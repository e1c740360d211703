package server

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// testDispatcher serves SetOptions and IsValidPath (true for paths in
// valid) by hand, through the Exchange, and refuses everything else.
type testDispatcher struct {
	valid map[messages.StorePath]bool
	fail  error // returned by IsValidPath when set
}

func (d *testDispatcher) Serve(ctx context.Context, code uint64, ex wire.Exchange) error {
	p := ex.Proto()
	switch messages.WorkerOpCode(code) {
	case messages.OpSetOptions:
		var s messages.ClientSettings
		if err := s.DecodeWire(ex.Reader(), p); err != nil {
			return err
		}
		ex.StartWork(&s)
		if err := ex.EndLog(); err != nil {
			return err
		}
		return ex.Writer().Flush()
	case messages.OpIsValidPath:
		var req messages.IsValidPathRequest
		if err := req.DecodeWire(ex.Reader(), p); err != nil {
			return err
		}
		ex.StartWork(&req)
		LoggerFrom(ctx).Log(messages.VerbosityError, "checking "+string(req.Path))
		if d.fail != nil {
			return d.fail
		}
		if err := ex.EndLog(); err != nil {
			return err
		}
		reply := messages.IsValidPathReply{Valid: d.valid[req.Path]}
		reply.EncodeWire(ex.Writer(), p)
		return ex.Writer().Flush()
	}
	return wire.ErrNoOp
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
		s := &Server{Handler: &testDispatcher{valid: map[messages.StorePath]bool{validPath: true}}, Version: tc.server, NixVersion: "2.99-test"}
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
	s := &Server{Handler: &testDispatcher{}, Features: []string{"a", "b", "c"}}
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
	s := &Server{Handler: &testDispatcher{}}
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
		d := &testDispatcher{fail: &Error{Message: "no such luck", Status: 3}}
		s := &Server{Handler: d}
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
		// An unknown op: two error frames, then the server hangs up.
		if _, err := c.QueryAllValidPaths(context.Background()); err == nil {
			t.Errorf("%s: unknown op succeeded", v)
		}
		if _, err := c.IsValidPath(context.Background(), validPath); err == nil {
			t.Errorf("%s: connection still usable after an unknown op", v)
		}
		c.Close()
	}
}
