//lint:file-ignore SA1019 ExportPath is the one op whose data comes in STDERR_WRITE frames

package client_test

// Tests against the in-process fake daemon (clienttest), for what real
// daemons cannot produce on demand.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

const testPath = messages.StorePath("/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo")

// fakeConn starts d and shakes hands with it.
func fakeConn(t *testing.T, d *clienttest.Daemon, opt client.Options) (*client.Conn, <-chan error) {
	t.Helper()
	nc, done := d.Start()
	c, err := client.Handshake(nc, opt)
	if err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, done
}

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// isValid is a handler answering IsValidPath with true.
func isValid(op *clienttest.Op) error {
	var req messages.IsValidPathRequest
	if err := op.Decode(&req); err != nil {
		return err
	}
	if err := op.Last(); err != nil {
		return err
	}
	return op.Reply(&messages.IsValidPathReply{Valid: true})
}

// checkUsable runs IsValidPath, which the daemon must answer with true.
func checkUsable(t *testing.T, c *client.Conn) {
	t.Helper()
	if ok, err := c.IsValidPath(ctx(t), testPath); err != nil || !ok {
		t.Fatalf("Conn not usable: IsValidPath = %v, %v", ok, err)
	}
}

func TestFakeHandshake(t *testing.T) {
	cases := []struct {
		name         string
		daemon       clienttest.Daemon
		opt          client.Options
		wantProto    string
		wantVersion  string
		wantTrusted  messages.TrustedFlag
		wantFeatures string
	}{
		{"1.38 features", clienttest.Daemon{Features: []string{"a", "b"}, Trusted: messages.TrustedFlagNotTrusted},
			client.Options{Features: []string{"c", "b"}}, "1.38+b", "2.26.3-clienttest", messages.TrustedFlagNotTrusted, "a,b"},
		{"client lower", clienttest.Daemon{Features: []string{"a"}}, client.Options{MaxVersion: wire.V(1, 35), Features: []string{"a"}},
			"1.35", "2.26.3-clienttest", messages.TrustedFlagUnknown, ""},
		{"daemon 1.34", clienttest.Daemon{Version: wire.V(1, 34), NixVersion: "2.8.0", Trusted: messages.TrustedFlagTrusted},
			client.Options{}, "1.34", "2.8.0", messages.TrustedFlagUnknown, ""},
		{"daemon 1.32", clienttest.Daemon{Version: wire.V(1, 32)}, client.Options{}, "1.32", "", messages.TrustedFlagUnknown, ""},
		{"daemon 1.10", clienttest.Daemon{Version: wire.V(1, 10)}, client.Options{}, "1.10", "", messages.TrustedFlagUnknown, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.daemon.Handlers = map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}
			c, _ := fakeConn(t, &tc.daemon, tc.opt)
			info := c.Info()
			if info.Proto.String() != tc.wantProto || info.DaemonVersion != tc.wantVersion || info.Trusted != tc.wantTrusted || info.DaemonFeatures.String() != tc.wantFeatures {
				t.Fatalf("Info = %+v, want proto %s, version %q, trusted %v, daemon features %q", info, tc.wantProto, tc.wantVersion, tc.wantTrusted, tc.wantFeatures)
			}
			checkUsable(t, c)
		})
	}
}

func TestFakeHandshakeRefused(t *testing.T) {
	cases := []struct {
		name    string
		daemon  []byte // what the daemon sends
		wantErr string
	}{
		{"magic", wire.AppendUint64(wire.AppendUint64(nil, 0x1234), 0x126), "not a Nix daemon"},
		{"major 2", wire.AppendUint64(wire.AppendUint64(nil, 0x6478696f), 0x206), "major must be 1"},
		{"too old", wire.AppendUint64(wire.AppendUint64(nil, 0x6478696f), 0x109), "older than 1.10"},
		{"hang-up", nil, "closed the connection"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nc, sc := net.Pipe()
			go func() {
				io.ReadFull(sc, make([]byte, 8))
				sc.Write(tc.daemon)
				sc.Close()
			}()
			_, err := client.Handshake(nc, client.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Handshake error = %v, want %q", err, tc.wantErr)
			}
		})
	}
	if _, err := client.Handshake(&bytes.Buffer{}, client.Options{MaxVersion: wire.V(1, 39)}); err == nil {
		t.Fatal("MaxVersion 1.39 accepted")
	}
}

func TestFakeStartupSession(t *testing.T) {
	var logged []string
	logger := func(_ context.Context, _ string, f messages.Stderr) { logged = append(logged, fmt.Sprintf("%T", f)) }
	d := &clienttest.Daemon{Startup: []messages.Stderr{&messages.StderrNext{Message: "welcome\n"}}}
	fakeConn(t, d, client.Options{Logger: logger})
	if !reflect.DeepEqual(logged, []string{"*messages.StderrNext"}) {
		t.Fatalf("logged %v", logged)
	}

	d = &clienttest.Daemon{Startup: []messages.Stderr{clienttest.ErrorFrame("cannot open store", wire.P(1, 38))}}
	nc, _ := d.Start()
	_, err := client.Handshake(nc, client.Options{})
	var de *client.DaemonError
	if !errors.As(err, &de) || de.Message != "cannot open store" || de.Op != "" {
		t.Fatalf("startup error: %v", err)
	}
}

func TestFakeSetOptions(t *testing.T) {
	var got messages.ClientSettings
	settings := &messages.ClientSettings{KeepGoing: true, Verbosity: messages.VerbosityVomit, MaxBuildJobs: 7,
		Overrides: []messages.Setting{{Name: "substituters", Value: ""}}}
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpSetOptions: func(op *clienttest.Op) error {
			if err := op.Decode(&got); err != nil {
				return err
			}
			return op.Last()
		},
		messages.OpIsValidPath: isValid,
	}}
	c, _ := fakeConn(t, d, client.Options{Settings: settings})
	checkUsable(t, c)
	if !reflect.DeepEqual(&got, settings) {
		t.Fatalf("daemon got settings %+v, want %+v", got, *settings)
	}

	// Not sent when disable-set-options is negotiated.
	d = &clienttest.Daemon{Features: []string{messages.FeatureDisableSetOptions}, Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpSetOptions:  func(op *clienttest.Op) error { return errors.New("SetOptions sent") },
		messages.OpIsValidPath: isValid,
	}}
	c, done := fakeConn(t, d, client.Options{Features: []string{messages.FeatureDisableSetOptions}})
	checkUsable(t, c)
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFakeActivities(t *testing.T) {
	frames := []messages.Stderr{
		&messages.StderrStartActivity{ID: 1<<32 | 7, Level: messages.VerbosityInfo, Type: messages.ActivityTypeBuild, Text: "building foo",
			Fields: []messages.Field{&messages.FieldString{Value: "/nix/store/x.drv"}, &messages.FieldInt{Value: 1}}, Parent: 1 << 32},
		&messages.StderrResult{ID: 1<<32 | 7, Type: messages.ResultTypeBuildLogLine, Fields: []messages.Field{&messages.FieldString{Value: "make: ok"}}},
		&messages.StderrResult{ID: 1<<32 | 7, Type: messages.ResultType(999)},
		&messages.StderrNext{Message: "note\n"},
		&messages.StderrStopActivity{ID: 1<<32 | 7},
	}
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpBuildPaths: func(op *clienttest.Op) error {
			var req messages.BuildPathsRequest
			if err := op.Decode(&req); err != nil {
				return err
			}
			if err := op.Send(frames...); err != nil {
				return err
			}
			op.Last()
			return op.Reply(&messages.Ack{Value: 1})
		},
	}}
	var got []messages.Stderr
	c, _ := fakeConn(t, d, client.Options{Logger: func(_ context.Context, _ string, f messages.Stderr) { got = append(got, f) }})
	if err := c.BuildPaths(ctx(t), []messages.DerivedPath{"/nix/store/x.drv!out"}, messages.BuildModeNormal); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, frames) {
		t.Fatalf("logger got %#v\nwant %#v", got, frames)
	}
}

func TestFakeUnknownStderrCode(t *testing.T) {
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: func(op *clienttest.Op) error {
			op.Decode(&messages.IsValidPathRequest{})
			op.W.Uint64(0x12345678)
			return op.W.Flush()
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	_, err := c.IsValidPath(ctx(t), testPath)
	var pe *client.ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "invalid union tag 0x12345678") || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("err = %v, want a ProtocolError about the code, with the Conn closed", err)
	}
	if _, err := c.IsValidPath(ctx(t), testPath); !errors.As(err, &pe) {
		t.Fatalf("next op: %v, want the same ProtocolError", err)
	}
}

func TestFakeErrors(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 38), wire.V(1, 25)} {
		t.Run(v.String(), func(t *testing.T) {
			d := &clienttest.Daemon{Version: v, Handlers: map[messages.WorkerOpCode]clienttest.Handler{
				messages.OpIsValidPath: isValid,
				messages.OpEnsurePath: func(op *clienttest.Op) error {
					op.Decode(&messages.EnsurePathRequest{})
					return op.Error("path '\x1b[35;1m/nix/store/x\x1b[0m' does not exist")
				},
			}}
			c, _ := fakeConn(t, d, client.Options{})
			err := c.EnsurePath(ctx(t), testPath)
			var de *client.DaemonError
			if !errors.As(err, &de) || de.Closed || errors.Is(err, client.ErrClosed) {
				t.Fatalf("err = %#v, want an open DaemonError", err)
			}
			want := "nix-daemon: EnsurePath: path '/nix/store/x' does not exist"
			if v < wire.V(1, 26) {
				want = "nix-daemon: EnsurePath: error: path '/nix/store/x' does not exist"
				if !de.Legacy || de.Status != 1 {
					t.Fatalf("legacy error %#v", de)
				}
			}
			if err.Error() != want {
				t.Fatalf("err = %q, want %q", err, want)
			}
			checkUsable(t, c)

			// An unknown op: refused twice, then the daemon hangs up.
			err = c.Do(ctx(t), messages.OpOptimiseStore, nil, nil)
			if !errors.As(err, &de) || !de.Closed || !errors.Is(err, client.ErrClosed) {
				t.Fatalf("unknown op: err = %#v, want a DaemonError with the Conn closed", err)
			}
			err = c.Err()
			var ce *client.ConnError
			if !errors.As(err, &ce) || !errors.As(err, &de) || !strings.Contains(err.Error(), "invalid operation 34") {
				t.Fatalf("Conn.Err() = %v", err)
			}
			if _, err := c.IsValidPath(ctx(t), testPath); !errors.Is(err, client.ErrClosed) || !errors.As(err, &ce) || ce.Op != "IsValidPath" || errors.As(err, &de) {
				t.Fatalf("op after hang-up: %v, want a ConnError of IsValidPath, not the other op's DaemonError", err)
			}
		})
	}
}

func TestFakeUnsupported(t *testing.T) {
	d := &clienttest.Daemon{Version: wire.V(1, 34), Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}
	c, _ := fakeConn(t, d, client.Options{})
	for _, err := range []error{
		c.Do(ctx(t), messages.OpAddPermRoot, &messages.AddPermRootRequest{Path: testPath, GCRoot: "/r"}, nil), // since 1.36
		c.Do(ctx(t), messages.OpNarFromPath, &messages.NarFromPathRequest{Path: testPath}, nil),               // needs a writer
		c.Do(ctx(t), messages.OpAddToStore, &messages.AddToStoreRequest{}, nil),                               // needs data
		c.Do(ctx(t), messages.WorkerOpCode(99), nil, nil),
		c.DoStream(ctx(t), messages.OpIsValidPath, &messages.IsValidPathRequest{Path: testPath}, nil, strings.NewReader("x"), nil),
	} {
		if !errors.Is(err, client.ErrUnsupported) {
			t.Errorf("err = %v, want ErrUnsupported", err)
		}
	}
	if err := c.Do(ctx(t), messages.OpIsValidPath, &messages.EnsurePathRequest{Path: testPath}, nil); err == nil || !strings.Contains(err.Error(), "want a *messages.IsValidPathRequest") {
		t.Errorf("wrong request type: %v", err)
	}
	if err := c.Do(ctx(t), messages.OpIsValidPath, nil, &messages.Ack{}); err == nil || !strings.Contains(err.Error(), "want a *messages.IsValidPathReply") {
		t.Errorf("wrong reply type: %v", err)
	}
	checkUsable(t, c)
}

func TestFakePull(t *testing.T) {
	nar := []byte(strings.Repeat("0123456789", 10))
	var got []byte
	d := &clienttest.Daemon{Version: wire.V(1, 22), Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: isValid,
		messages.OpAddToStoreNar: func(op *clienttest.Op) error {
			var req messages.AddToStoreNarRequest
			if err := op.Decode(&req); err != nil {
				return err
			}
			for {
				op.Send(&messages.StderrRead{Len: 7})
				op.W.Flush()
				var data messages.StderrReadData
				if err := op.Decode(&data); err != nil {
					return err
				}
				if len(data.Data) > 7 {
					return fmt.Errorf("got %d bytes for 7", len(data.Data))
				}
				if len(data.Data) == 0 {
					break
				}
				got = append(got, data.Data...)
			}
			return op.Last()
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	info := &messages.ValidPathInfo{Path: testPath, NarHash: "00", NarSize: uint64(len(nar))}
	if err := c.AddToStoreNar(ctx(t), info, bytes.NewReader(nar), client.ImportOptions{DontCheckSigs: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, nar) {
		t.Fatalf("daemon pulled %q, want %q", got, nar)
	}
	checkUsable(t, c)

	// A source that fails: answered as its end; the error is reported.
	boom := errors.New("disk on fire")
	err := c.AddToStoreNar(ctx(t), info, io.MultiReader(strings.NewReader("abc"), errReader{boom}), client.ImportOptions{DontCheckSigs: true})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the source's error", err)
	}
	checkUsable(t, c)

	// A STDERR_READ for an op that sends nothing breaks the Conn.
	d.Handlers[messages.OpEnsurePath] = func(op *clienttest.Op) error {
		op.Decode(&messages.EnsurePathRequest{})
		op.Send(&messages.StderrRead{Len: 8})
		return op.W.Flush()
	}
	if err := c.EnsurePath(ctx(t), testPath); !errors.Is(err, client.ErrClosed) || !strings.Contains(err.Error(), "STDERR_READ") {
		t.Fatalf("unexpected pull: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestFakePush(t *testing.T) {
	d := &clienttest.Daemon{Version: wire.V(1, 16), Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: isValid,
		messages.OpExportPath: func(op *clienttest.Op) error {
			op.Decode(&messages.ExportPathRequest{})
			op.Send(&messages.StderrWrite{Data: []byte("part one, ")}, &messages.StderrNext{Message: "log\n"}, &messages.StderrWrite{Data: []byte("part two")})
			op.Last()
			return op.Reply(&messages.Ack{Value: 1})
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	var out bytes.Buffer
	var ack messages.Ack
	if err := c.DoStream(ctx(t), messages.OpExportPath, &messages.ExportPathRequest{Path: testPath}, &ack, nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "part one, part two" || ack.Value != 1 {
		t.Fatalf("got %q, ack %d", out.String(), ack.Value)
	}
	// A failing writer: the data is drained, the Conn stays usable.
	err := c.DoStream(ctx(t), messages.OpExportPath, &messages.ExportPathRequest{Path: testPath}, nil, nil, failWriter{})
	if !errors.Is(err, errSink) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	checkUsable(t, c)
}

var errSink = errors.New("sink full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errSink }

// narOf returns the NAR of a regular file.
func narOf(contents string) []byte { return nar.FileNAR(false, []byte(contents)) }

func TestFakeNarFromPath(t *testing.T) {
	nar := narOf("file contents")
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: isValid,
		messages.OpNarFromPath: func(op *clienttest.Op) error {
			var req messages.NarFromPathRequest
			op.Decode(&req)
			if req.Path != testPath {
				// As Nix for a path missing on disk: an error inside the NAR.
				op.Send(&messages.StderrLast{})
				op.W.String("nix-archive-1")
				f := clienttest.ErrorFrame("getting status of '"+string(req.Path)+"': No such file or directory", op.Proto)
				op.Send(f, f)
				return op.W.Flush()
			}
			op.Send(&messages.StderrLast{})
			op.W.Write(nar)
			return op.W.Flush()
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	var out bytes.Buffer
	n, err := c.NarFromPath(ctx(t), testPath, &out)
	if err != nil || n != int64(len(nar)) || !bytes.Equal(out.Bytes(), nar) {
		t.Fatalf("NarFromPath = %d, %v", n, err)
	}
	if _, err := c.NarFromPath(ctx(t), testPath, failWriter{}); !errors.Is(err, errSink) {
		t.Fatalf("failing writer: %v", err)
	}
	checkUsable(t, c)
	_, err = c.NarFromPath(ctx(t), testPath+"-missing", io.Discard)
	var de *client.DaemonError
	if !errors.As(err, &de) || !de.Closed || !strings.Contains(err.Error(), "No such file") {
		t.Fatalf("missing path: %v", err)
	}
}

func TestFakeFramedStream(t *testing.T) {
	data := bytes.Repeat([]byte("framed data "), 20000) // several frames
	var got []byte
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: isValid,
		messages.OpAddToStore: func(op *clienttest.Op) error {
			var req messages.AddToStoreRequest
			op.Decode(&req)
			// Log while the data comes in, as a daemon may.
			op.Send(&messages.StderrNext{Message: "receiving\n"})
			op.W.Flush()
			fr := wire.NewFramedReader(op.R, 1<<20)
			b, err := io.ReadAll(fr)
			if err != nil {
				return err
			}
			got = b
			switch req.Name {
			case "fail":
				return op.Error("hash mismatch")
			case "early":
				return errors.New("never reached")
			}
			op.Last()
			return op.Reply(&messages.AddToStoreReply{Info: messages.ValidPathInfo{Path: testPath, NarHash: "00", NarSize: 1}})
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	info, err := c.AddToStore(ctx(t), "ok", client.MethodFlat, nil, false, bytes.NewReader(data))
	if err != nil || info.Path != testPath || !bytes.Equal(got, data) {
		t.Fatalf("AddToStore = %+v, %v; daemon got %d bytes of %d", info, err, len(got), len(data))
	}
	_, err = c.AddToStore(ctx(t), "fail", client.MethodFlat, nil, false, bytes.NewReader(data))
	var de *client.DaemonError
	if !errors.As(err, &de) || de.Closed {
		t.Fatalf("daemon error after the stream: %v", err)
	}
	checkUsable(t, c)

	// The source fails midway: the connection is closed, so that the
	// daemon cannot take the data as complete.
	boom := errors.New("read error")
	_, err = c.AddToStore(ctx(t), "x", client.MethodFlat, nil, false, io.MultiReader(bytes.NewReader(data), errReader{boom}))
	if !errors.Is(err, boom) || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("failing source: %v", err)
	}
}

func TestFakeErrorBeforeStreamEnds(t *testing.T) {
	// The daemon refuses the op without reading the stream: the stream is
	// out of sync, so the Conn is closed along with the error.
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpAddToStore: func(op *clienttest.Op) error {
			op.Decode(&messages.AddToStoreRequest{})
			op.Error("unknown content address method")
			return errors.New("hang up")
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	big := bytes.NewReader(make([]byte, 1<<20))
	_, err := c.AddToStore(ctx(t), "x", "bogus:method", nil, false, big)
	var de *client.DaemonError
	if !errors.As(err, &de) || !de.Closed || !errors.Is(c.Err(), client.ErrClosed) {
		t.Fatalf("err = %v; Conn.Err() = %v", err, c.Err())
	}
}

func TestFakeContextCancel(t *testing.T) {
	var once sync.Once
	started := make(chan struct{})
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: func(op *clienttest.Op) error {
			op.Decode(&messages.IsValidPathRequest{})
			once.Do(func() { close(started) })
			_, err := op.R.Uint64() // never answers; returns when the client hangs up
			return err
		},
	}}
	c, done := fakeConn(t, d, client.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-started; cancel() }()
	_, err := c.IsValidPath(ctx, testPath)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("err = %v, want context.Canceled and ErrClosed", err)
	}
	if err := <-done; err == nil {
		t.Fatal("the daemon saw no hang-up")
	}
	// Later ops fail with the connection, not with the other context.
	if _, err := c.IsValidPath(t.Context(), testPath); !errors.Is(err, client.ErrClosed) || errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}

	// A context done before the op starts returns its error, sends
	// nothing and leaves the Conn healthy.
	c2, _ := fakeConn(t, &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}, client.Options{})
	dead, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if _, err := c2.IsValidPath(dead, testPath); err != context.Canceled {
		t.Fatalf("dead context: %v, want exactly context.Canceled", err)
	}
	if c2.Err() != nil {
		t.Fatalf("Conn.Err() = %v after a dead context", c2.Err())
	}
	checkUsable(t, c2)
}

func TestFakeQueryPathInfoLegacy(t *testing.T) {
	info := messages.UnkeyedValidPathInfo{NarHash: "ab", NarSize: 8, References: []messages.StorePath{}}
	for _, v := range []wire.Version{wire.V(1, 16), wire.V(1, 38)} {
		t.Run(v.String(), func(t *testing.T) {
			d := &clienttest.Daemon{Version: v, Handlers: map[messages.WorkerOpCode]clienttest.Handler{
				messages.OpQueryPathInfo: func(op *clienttest.Op) error {
					var req messages.QueryPathInfoRequest
					op.Decode(&req)
					valid := req.Path == testPath
					if !valid && !op.Proto.AtLeast(1, 17) {
						return op.Error("path '" + string(req.Path) + "' is not valid")
					}
					op.Last()
					// Each field only where the protocol has it: encoding
					// refuses to drop a value.
					reply := &messages.QueryPathInfoReply{}
					switch {
					case !op.Proto.AtLeast(1, 17):
						reply.LegacyInfo = info
					case valid:
						reply.Info = &info
					}
					return op.Reply(reply)
				},
			}}
			c, _ := fakeConn(t, d, client.Options{})
			got, err := c.QueryPathInfo(ctx(t), testPath)
			if err != nil || got == nil || got.Path != testPath || got.NarHash != "ab" || got.NarSize != 8 {
				t.Fatalf("valid: %+v, %v", got, err)
			}
			got, err = c.QueryPathInfo(ctx(t), testPath+"x")
			if err != nil || got != nil {
				t.Fatalf("invalid: %+v, %v", got, err)
			}
		})
	}
}

func TestFakeRawNARRequest(t *testing.T) {
	var got []byte
	d := &clienttest.Daemon{Version: wire.V(1, 24), Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpAddToStore: func(op *clienttest.Op) error {
			var req messages.AddToStoreRequest
			op.Decode(&req)
			if !req.Fixed || !req.Recursive || req.HashAlgo != "sha256" {
				return fmt.Errorf("request %+v", req)
			}
			var buf bytes.Buffer
			if _, err := nar.Copy(&buf, op.R); err != nil {
				return err
			}
			got = buf.Bytes()
			op.Last()
			return op.Reply(&messages.AddToStoreReply{Path: testPath})
		},
		messages.OpQueryPathInfo: func(op *clienttest.Op) error {
			op.Decode(&messages.QueryPathInfoRequest{})
			op.Last()
			return op.Reply(&messages.QueryPathInfoReply{Info: &messages.UnkeyedValidPathInfo{NarHash: "00", NarSize: 1}})
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	in := narOf("raw")
	info, err := c.AddToStore(ctx(t), "raw", client.MethodNAR, nil, false, bytes.NewReader(append(in, "not sent"...)))
	if err != nil || info.Path != testPath || !bytes.Equal(got, in) {
		t.Fatalf("AddToStore = %+v, %v; daemon got %q", info, err, got)
	}
	// An invalid NAR is not sent on: the connection is closed instead.
	_, err = c.AddToStore(ctx(t), "raw", client.MethodNAR, nil, false, bytes.NewReader(in[:len(in)-8]))
	if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("truncated NAR: %v", err)
	}
}

func TestFakeCollectGarbageFeature(t *testing.T) {
	var got []messages.GCOptions
	d := &clienttest.Daemon{Features: []string{messages.FeatureDeleteDeadSpecificReferrers}, Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpCollectGarbage: func(op *clienttest.Op) error {
			var req messages.GCOptions
			if err := op.Decode(&req); err != nil {
				return err
			}
			got = append(got, req)
			op.Last()
			return op.Reply(&messages.GCResults{Paths: []string{"/nix/store/x"}, BytesFreed: 10})
		},
	}}
	for _, offer := range [][]string{{messages.FeatureDeleteDeadSpecificReferrers}, nil} {
		got = nil
		c, _ := fakeConn(t, d, client.Options{Features: offer})
		for _, paths := range [][]messages.StorePath{nil, {testPath}} {
			res, err := c.CollectGarbage(ctx(t), messages.GCOptions{Action: messages.GCActionDeleteSpecific, Paths: paths})
			if err != nil || res.BytesFreed != 10 {
				t.Fatalf("CollectGarbage = %+v, %v", res, err)
			}
		}
		if got[0].MaxFreed != math.MaxUint64 {
			t.Errorf("MaxFreed 0 sent as %d", got[0].MaxFreed)
		}
		if offer == nil {
			if got[0].Targets != nil || !slices.Equal(got[1].Paths, []messages.StorePath{testPath}) {
				t.Errorf("without the feature: %+v", got)
			}
			continue
		}
		if _, ok := got[0].Targets.(*messages.GCPathsWholeStore); !ok {
			t.Errorf("no paths: Targets %#v, want the whole store", got[0].Targets)
		}
		if s, ok := got[1].Targets.(*messages.GCPathsSpecific); !ok || !slices.Equal(s.Paths, []messages.StorePath{testPath}) {
			t.Errorf("paths: Targets %#v", got[1].Targets)
		}
	}
}

// TestFakeAddMultipleToStore checks the framed stream's contents byte by
// byte (count, entries at 1.16, NARs), and that an invalid NAR closes the
// connection instead of reaching the daemon.
func TestFakeAddMultipleToStore(t *testing.T) {
	var got []byte
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpAddMultipleToStore: func(op *clienttest.Op) error {
			var req messages.AddMultipleToStoreRequest
			if err := op.Decode(&req); err != nil {
				return err
			}
			data, err := io.ReadAll(wire.NewFramedReader(op.R, 1<<20))
			if err != nil {
				return err
			}
			got = data
			return op.Last()
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	nars := [][]byte{narOf("one"), narOf("two")}
	infos := []*messages.ValidPathInfo{
		{Path: testPath, NarHash: "00", NarSize: uint64(len(nars[0])), Ultimate: true, Sigs: []messages.Signature{"k:sig"}},
		{Path: testPath + "-2", NarHash: "11", NarSize: uint64(len(nars[1])), References: []messages.StorePath{testPath}},
	}
	paths := []client.PathToAdd{{Info: infos[0], NAR: bytes.NewReader(nars[0])}, {Info: infos[1], NAR: bytes.NewReader(nars[1])}}
	if err := c.AddMultipleToStore(ctx(t), paths, client.ImportOptions{DontCheckSigs: true}); err != nil {
		t.Fatalf("AddMultipleToStore: %v", err)
	}
	want := wire.AppendUint64(nil, 2)
	for i, info := range infos {
		var err error
		if want, err = info.AppendWire(want, wire.P(1, 16)); err != nil {
			t.Fatal(err)
		}
		want = append(want, nars[i]...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the daemon got\n%x\nwant\n%x", got, want)
	}

	bad := []client.PathToAdd{{Info: infos[0], NAR: bytes.NewReader(nars[0][:len(nars[0])-8])}}
	if err := c.AddMultipleToStore(ctx(t), bad, client.ImportOptions{DontCheckSigs: true}); !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, client.ErrClosed) {
		t.Fatalf("truncated NAR: %v, want io.ErrUnexpectedEOF with the Conn closed", err)
	}
}

// TestWaitAfterAnswerAndCancel checks that a call answered before its
// context ends is reported as answered, and leaves the Conn healthy, even
// when Wait finds both the answer and the context's end ready (select
// picks at random between them; QueryPathInfos waits for its other
// replies after the last one, so it meets this often).
func TestWaitAfterAnswerAndCancel(t *testing.T) {
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{messages.OpIsValidPath: isValid}}
	c, _ := fakeConn(t, d, client.Options{})
	for i := range 40 {
		cctx, cancel := context.WithCancel(ctx(t))
		var reply messages.IsValidPathReply
		p := c.Start(cctx, messages.OpIsValidPath, &messages.IsValidPathRequest{Path: testPath}, &reply)
		// Replies come in order: once a later call is answered, so is p.
		if _, err := c.IsValidPath(ctx(t), testPath); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := p.Wait(); err != nil || !reply.Valid {
			t.Fatalf("round %d: Wait = %v (valid %v), want the answer", i, err, reply.Valid)
		}
		if err := c.Err(); err != nil {
			t.Fatalf("round %d: the Conn broke: %v", i, err)
		}
	}
}
