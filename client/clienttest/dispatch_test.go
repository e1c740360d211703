//lint:file-ignore SA1019 ExportPath is the one op whose data comes in STDERR_WRITE frames

package clienttest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

const path = messages.StorePath("/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo")

// narOf returns the NAR of a regular file holding data.
func narOf(data string) []byte {
	var b []byte
	for _, s := range []string{"nix-archive-1", "(", "type", "regular", "contents", data, ")"} {
		b = wire.AppendString(b, s)
	}
	return b
}

// store is a messages.WorkerHandler of a few ops, served through the
// generated dispatcher; the others are unsupported.
type store struct {
	messages.UnimplementedWorkerHandler
	uploaded []byte // the last NAR uploaded
}

func (s *store) IsValidPath(_ context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	return &messages.IsValidPathReply{Valid: req.Path == path}, nil
}

func (s *store) EnsurePath(context.Context, *messages.EnsurePathRequest) (*messages.Ack, error) {
	return nil, errors.New("cannot ensure " + string(path))
}

func (s *store) AddToStoreNar(_ context.Context, req *messages.AddToStoreNarRequest, in io.Reader) error {
	var buf bytes.Buffer
	// A raw NAR ends where its grammar says; nar.Copy reads exactly that.
	if _, err := nar.Copy(&buf, in); err != nil {
		return err
	}
	s.uploaded = buf.Bytes()
	return nil
}

func (s *store) NarFromPath(context.Context, *messages.NarFromPathRequest) (wire.StreamFunc, error) {
	return func(w io.Writer) error { _, err := w.Write(narOf("served")); return err }, nil
}

func (s *store) ExportPath(context.Context, *messages.ExportPathRequest) (*messages.Ack, wire.StreamFunc, error) {
	return &messages.Ack{}, func(w io.Writer) error { _, err := io.WriteString(w, "exported"); return err }, nil
}

func dial(t *testing.T, v wire.Version, h messages.WorkerHandler) (*client.Conn, <-chan error) {
	t.Helper()
	d := &clienttest.Daemon{Version: v, Dispatcher: messages.NewWorkerDispatcher(h)}
	nc, done := d.Start()
	conn, err := client.Handshake(nc, client.Options{})
	if err != nil {
		t.Fatalf("Handshake at %v: %v", v, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, done
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDispatcher serves ops through messages.NewWorkerDispatcher: a plain
// op, an upload in each of its three transports (framed ≥ 1.23, pulled
// 1.21–1.22, raw before), a raw NAR reply, data pushed before the reply,
// an op the handler fails and one it leaves out; the Conn stays usable.
func TestDispatcher(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 17), wire.V(1, 21), wire.V(1, 22), wire.V(1, 23), wire.V(1, 38)} {
		t.Run(v.String(), func(t *testing.T) {
			s := &store{}
			conn, _ := dial(t, v, s)
			ctx := testCtx(t)
			if ok, err := conn.IsValidPath(ctx, path); err != nil || !ok {
				t.Fatalf("IsValidPath = %v, %v", ok, err)
			}

			up := narOf(strings.Repeat("x", 100000))
			info := &messages.ValidPathInfo{Path: path, NarHash: messages.NarHash(strings.Repeat("ab", 32)), NarSize: uint64(len(up))}
			if err := conn.AddToStoreNar(ctx, info, bytes.NewReader(up), client.ImportOptions{DontCheckSigs: true}); err != nil {
				t.Fatalf("AddToStoreNar: %v", err)
			}
			if !bytes.Equal(s.uploaded, up) {
				t.Errorf("uploaded %d bytes, want the %d of the NAR", len(s.uploaded), len(up))
			}

			var got bytes.Buffer
			if _, err := conn.NarFromPath(ctx, path, &got); err != nil || !bytes.Equal(got.Bytes(), narOf("served")) {
				t.Errorf("NarFromPath = %q, %v", got.Bytes(), err)
			}

			got.Reset()
			if err := conn.DoStream(ctx, messages.OpExportPath, &messages.ExportPathRequest{Path: path}, nil, nil, &got); err != nil || got.String() != "exported" {
				t.Errorf("ExportPath = %q, %v", got.String(), err)
			}

			var de *client.DaemonError
			if err := conn.EnsurePath(ctx, path); !errors.As(err, &de) || !strings.Contains(de.Message, "cannot ensure") {
				t.Errorf("EnsurePath: %v, want the handler's error", err)
			}
			if _, err := conn.QueryReferrers(ctx, path); !errors.As(err, &de) || !strings.Contains(de.Message, "operation QueryReferrers is not supported") {
				t.Errorf("QueryReferrers: %v, want operation not supported", err)
			}
			if ok, err := conn.IsValidPath(ctx, "/nix/store/other"); err != nil || ok || conn.Err() != nil {
				t.Errorf("IsValidPath after the errors = %v, %v (Conn: %v)", ok, err, conn.Err())
			}
		})
	}
}

// TestDispatcherUnknownOp: an op the protocol does not have at the
// negotiated version is refused as Nix does (twice, then the daemon hangs
// up), also with a Dispatcher. The client sends it through a hand-made
// extension whose entry has neither NewRequest nor NewReply: the client
// sends the op code alone and never calls them.
func TestDispatcherUnknownOp(t *testing.T) {
	d := &clienttest.Daemon{Dispatcher: messages.NewWorkerDispatcher(&store{})}
	nc, done := d.Start()
	bogus := &wire.Protocol{Name: "Bogus", Base: messages.WorkerProtocol, Ops: wire.OpTable{{Name: "Bogus", Code: 77}}}
	conn, err := client.Handshake(nc, client.Options{Protocol: bogus})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Do(testCtx(t), messages.WorkerOpCode(77), nil, nil)
	var de *client.DaemonError
	if !errors.As(err, &de) || !strings.Contains(de.Message, "invalid operation 77") {
		t.Fatalf("Bogus: %v, want the daemon's refusal", err)
	}
	if err := <-done; err != nil {
		t.Errorf("daemon: %v", err)
	}
	if err := conn.Do(testCtx(t), messages.WorkerOpCode(77), nil, new(messages.Ack)); err == nil {
		t.Error("a reply for an op without NewReply was accepted")
	}
}
