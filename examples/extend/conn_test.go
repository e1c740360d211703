package extend_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/examples/extend"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// dial starts a fake acmed announcing version with Nix's
// realisation-with-path-not-hash feature, served through the generated
// dispatch (extend.NewExtDispatcher), and shakes hands with it through
// client.Conn offering up to 1.39.
func dial(t *testing.T, version wire.Version) *client.Conn {
	t.Helper()
	d := &clienttest.Daemon{
		Version:    version,
		Features:   []string{messages.FeatureRealisationWithPathNotHash},
		Dispatcher: extend.NewExtDispatcher(newAcmed()),
	}
	nc, done := d.Start()
	conn, err := client.Handshake(nc, client.Options{
		Protocol:   extend.ExtProtocol,
		MaxVersion: wire.V(1, 39),
		Features:   []string{messages.FeatureRealisationWithPathNotHash},
	})
	if err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	t.Cleanup(func() {
		conn.Close()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	return conn
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestConn runs acmed's ops through client.Conn against the fake daemon at
// 1.38 and 1.39: the new op, and QueryPathInfo with the derived reply,
// which carries the tags at 1.39 only (at 1.38 the op is Nix's and its
// handler is Nix's QueryPathInfo).
func TestConn(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 38), wire.V(1, 39)} {
		t.Run(v.String(), func(t *testing.T) {
			conn := dial(t, v)
			ctx := testCtx(t)
			if got := conn.Proto().Version; got != v {
				t.Fatalf("negotiated %v, want %v", got, v)
			}

			var prov extend.QueryProvenanceReply
			if err := conn.Call(ctx, &extend.QueryProvenanceRequest{Path: helloPath}, &prov); err != nil {
				t.Fatalf("QueryProvenance: %v", err)
			}
			want := provenance()
			want.OutputID = "" // not on the wire with the feature
			if v < wire.V(1, 39) {
				want.Tags = nil
			}
			if prov.Provenance == nil || !reflect.DeepEqual(*prov.Provenance, want) {
				t.Errorf("QueryProvenance = %+v, want %+v", prov.Provenance, want)
			}

			var info extend.QueryPathInfoTaggedReply
			if err := conn.Call(ctx, &messages.QueryPathInfoRequest{Path: helloPath}, &info); err != nil {
				t.Fatalf("QueryPathInfo: %v", err)
			}
			wantTags := []extend.Tag(nil)
			if v >= wire.V(1, 39) {
				wantTags = provenance().Tags
			}
			if !reflect.DeepEqual(info.Info, pathInfo()) || !slices.Equal(info.Tags, wantTags) {
				t.Errorf("QueryPathInfo = %+v, want hello's info and tags %q", info, wantTags)
			}

			// Nix's own typed method works on the same Conn.
			nixInfo, err := conn.QueryPathInfo(ctx, helloPath)
			if err != nil || nixInfo == nil || nixInfo.NarSize != pathInfo().NarSize {
				t.Errorf("Conn.QueryPathInfo = %+v, %v", nixInfo, err)
			}
		})
	}
}

// TestConnUnsupported checks the two ways an op is missing: an op the
// handler leaves out is a daemon error that keeps the Conn usable, and an
// op that does not exist at the negotiated version is refused by the
// client before anything is sent.
func TestConnUnsupported(t *testing.T) {
	conn := dial(t, wire.V(1, 39))
	ctx := testCtx(t)
	var reply messages.IsValidPathReply
	err := conn.Call(ctx, &messages.IsValidPathRequest{Path: helloPath}, &reply)
	var de *client.DaemonError
	if !errors.As(err, &de) || conn.Err() != nil {
		t.Fatalf("IsValidPath: %v (Conn: %v), want a daemon error on a usable Conn", err, conn.Err())
	}
	if err := conn.Call(ctx, &extend.QueryProvenanceRequest{Path: helloPath}, new(extend.QueryProvenanceReply)); err != nil {
		t.Fatalf("QueryProvenance after the error: %v", err)
	}

	old := dial(t, wire.V(1, 37))
	err = old.Call(ctx, &extend.QueryProvenanceRequest{Path: helloPath}, new(extend.QueryProvenanceReply))
	if !errors.Is(err, client.ErrUnsupported) {
		t.Errorf("QueryProvenance at 1.37: %v, want ErrUnsupported", err)
	}
}

// TestOptions checks the client's checks of an extended protocol.
func TestOptions(t *testing.T) {
	d := &clienttest.Daemon{}
	nc, _ := d.Start()
	_, err := client.Handshake(nc, client.Options{MaxVersion: wire.V(1, 39)})
	if err == nil {
		t.Error("MaxVersion 1.39 without an extended protocol was accepted")
	}
	nc, _ = d.Start()
	bad := &wire.Protocol{Name: "Alone", Ops: extend.ExtOps}
	if _, err := client.Handshake(nc, client.Options{Protocol: bad}); err == nil {
		t.Error("a protocol that does not extend the worker protocol was accepted")
	}
}
