package messages

// Recording of the vectors in testdata/vectors from the real daemons, run
// with `go test ./messages -run TestRecordVectors -record` (see the README
// there). Without -record the test is skipped and the committed files are
// only checked (vectors_test.go).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/wire"
)

var recordFlag = flag.Bool("record", false, "re-record messages/testdata/vectors from the real Nix daemons (see testdata/vectors/README.md)")

const vectorDir = "testdata/vectors"

// Store paths the recordings use. Their names are fixed so that the
// recordings are the same on every run and machine (except where the
// README says otherwise).
const (
	// recContent is added with nix-store --add as recVectorName; its store
	// path only depends on the content and name.
	recContent    = "nixwire test vector\n"
	recVectorName = "nixwire-vector"
	// recBuildOut is the output of the derivation built by BuildDerivation.
	recBuildDrv = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixwire-build.drv"
	recBuildOut = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixwire-build"
	// recNarPath is imported with AddToStoreNar at 1.21 (STDERR_READ).
	recNarPath    = "/nix/store/11111111111111111111111111111111-nixwire-read"
	recNarContent = "read me\n"
	// recMissing is a store path that exists nowhere.
	recMissing = "/nix/store/00000000000000000000000000000000-nixwire-nope"
	// recProxySocket is where the proxy for the real Nix clients listens;
	// Nix 2.26 sends it in SetOptions (setting "store"), so it is fixed.
	recProxySocket = "/tmp/nixwire-record/daemon.sock"
	// recPid replaces the daemon's pid in activity ids (pid<<32 | counter).
	recPid = 1
	// recTime replaces a BuildResult's start time (the stop time keeps
	// its distance to it).
	recTime = 1700000000
)

// recBuildDerivation is the trivial derivation the recordings build.
func recBuildDerivation() BasicDerivation {
	return BasicDerivation{
		Outputs:  map[OutputName]DerivationOutput{"out": {Path: recBuildOut}},
		Platform: "x86_64-linux",
		Builder:  "/bin/sh",
		Args:     []string{"-c", "echo hello; echo world >&2; echo x > $out"},
		Env:      map[string]string{"out": recBuildOut},
	}
}

// narRegular is the NAR of a regular, non-executable file (NAR grammar,
// spelled out).
func narRegular(content string) []byte {
	return new(hb).s("nix-archive-1", "(", "type", "regular", "contents", content, ")").bytes()
}

// hb builds bytes by hand, from the protocol notes, without the generated
// code: the hand-derived vectors.
type hb struct{ b []byte }

// u appends numbers.
func (h *hb) u(vs ...uint64) *hb {
	for _, v := range vs {
		h.b = binary.LittleEndian.AppendUint64(h.b, v)
	}
	return h
}

// s appends strings (length, bytes, zero padding to 8).
func (h *hb) s(ss ...string) *hb {
	for _, s := range ss {
		h.u(uint64(len(s)))
		h.b = append(h.b, s...)
		h.b = append(h.b, make([]byte, (8-len(s)%8)%8)...)
	}
	return h
}

// list appends a count and the strings.
func (h *hb) list(ss ...string) *hb { return h.u(uint64(len(ss))).s(ss...) }

// raw appends bytes as they are.
func (h *hb) raw(p []byte) *hb { h.b = append(h.b, p...); return h }

func (h *hb) bytes() []byte { return h.b }

// recorder writes vector files.
type recorder struct {
	t     *testing.T
	files map[string][]byte
}

func (r *recorder) save(name string, data []byte) {
	r.t.Helper()
	if _, dup := r.files[name]; dup {
		r.t.Fatalf("vector %s recorded twice", name)
	}
	r.files[name] = data
}

// normaliseIDs replaces the daemon's pid in activity ids (every aligned u64
// whose upper half is pid and whose lower half is a small counter).
func normaliseIDs(b []byte, pid int) []byte {
	for off := 0; off+8 <= len(b); off += 8 {
		v := binary.LittleEndian.Uint64(b[off:])
		if v>>32 == uint64(pid) && v&0xffffffff < 1<<20 {
			binary.LittleEndian.PutUint64(b[off:], recPid<<32|v&0xffffffff)
		}
	}
	return b
}

// normaliseBuildTimes sets StartTime to recTime (keeping StopTime-StartTime)
// in a BuildResult at ≥1.29 that starts at off in b.
func normaliseBuildTimes(t *testing.T, b []byte, off int, p wire.Proto) {
	t.Helper()
	var br BuildResult
	if _, err := br.ConsumeWire(b[off:], p); err != nil {
		t.Fatalf("BuildResult to normalise: %v", err)
	}
	at := off + 8 + wire.BytesSize(len(br.ErrorMsg)) + 16
	if br.StartTime == 0 && br.StopTime == 0 {
		return
	}
	binary.LittleEndian.PutUint64(b[at:], recTime)
	binary.LittleEndian.PutUint64(b[at+8:], uint64(recTime+br.StopTime-br.StartTime))
}

// normaliseRegistrationTime sets the RegistrationTime of a ValidPathInfo at
// off in b to recTime.
func normaliseRegistrationTime(t *testing.T, b []byte, off int, p wire.Proto) {
	t.Helper()
	var vi ValidPathInfo
	if _, err := vi.ConsumeWire(b[off:], p); err != nil {
		t.Fatalf("ValidPathInfo to normalise: %v", err)
	}
	at := off + wire.BytesSize(len(vi.Path)) + wire.BytesSize(len(vi.Deriver)) + wire.BytesSize(len(vi.NarHash)) + 8
	for _, r := range vi.References {
		at += wire.BytesSize(len(r))
	}
	binary.LittleEndian.PutUint64(b[at:], recTime)
}

// removePaths deletes those of paths that are valid, from a connection of
// its own (paths a connection used are its temporary roots), and returns
// what CollectGarbage answered, with the bytes of the exchange.
func removePaths(t *testing.T, d *nixdaemon.Daemon, paths ...StorePath) (req, reply []byte, res GCResults) {
	t.Helper()
	c := dialDaemon(t, d, handshake{client: wire.Version(d.Protocol), settings: &ClientSettings{UseBuildHook: 1, MaxBuildJobs: 1, BuildCores: 1, VerboseBuild: VerbosityVomit}})
	var valid QueryValidPathsReply
	c.call(OpQueryValidPaths, &QueryValidPathsRequest{Paths: paths}, &valid)
	if len(valid.Valid) == 0 {
		c.conn.Close()
		return nil, nil, res
	}
	s0, r0 := c.mark()
	c.call(OpCollectGarbage, &GCOptions{Action: GCActionDeleteSpecific, Paths: valid.Valid, MaxFreed: math.MaxUint64}, &res)
	req, reply = c.sentSince(s0), c.receivedSince(r0)
	if err := c.conn.Close(); err != nil {
		t.Fatal(err)
	}
	return req, reply, res
}

func TestRecordVectors(t *testing.T) {
	if !*recordFlag {
		t.Skip("run with -record to re-record testdata/vectors from the real daemons")
	}
	rec := &recorder{t: t, files: map[string][]byte{}}
	recordLegacy(t, rec)
	recordModern(t, rec)
	recordClients(t, rec)
	for name, data := range handDerivedVectors() {
		rec.save(name, data)
	}
	if err := os.MkdirAll(vectorDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range rec.files {
		if err := os.WriteFile(filepath.Join(vectorDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", name, len(data))
	}
}

// recordLegacy records from Nix 2.8 (protocol 1.34; also as 1.25 and 1.21).
func recordLegacy(t *testing.T, rec *recorder) {
	d := nixdaemon.Require(t, nixdaemon.Legacy)
	ctx := context.Background()
	vectorPath, err := d.AddToStore(ctx, recVectorName, []byte(recContent))
	if err != nil {
		t.Fatal(err)
	}
	removePaths(t, d, recBuildOut, recNarPath)

	c := dialDaemon(t, d, handshake{client: wire.V(1, 34)})
	// rec1 records one exchange: what the client sent and what the daemon
	// answered between two marks.
	rec1 := func(c *daemonConn, name string, do func()) (sent, received []byte) {
		s0, r0 := c.mark()
		do()
		sent, received = c.sentSince(s0), c.receivedSince(r0)
		received = normaliseIDs(received, c.conn.Pid())
		rec.save(name+".c2s.bin", sent)
		rec.save(name+".s2c.bin", received)
		return sent, received
	}

	// SetOptions with a setting the daemon rejects with a warning: a
	// STDERR_NEXT.
	rec1(c, "set-options-1.34", func() {
		c.call(OpSetOptions, &ClientSettings{
			Verbosity: VerbosityWarn, MaxBuildJobs: 1, UseBuildHook: 1, VerboseBuild: VerbosityVomit, BuildCores: 1,
			Overrides: []Setting{{Name: "max-jobs", Value: "nixwire"}},
		}, nil)
	})

	// BuildDerivation: activities with fields of both kinds, results, the
	// BuildResult.
	var replyAt int
	_, got := rec1(c, "build-derivation-1.34", func() {
		var br BuildResult
		c.op(OpBuildDerivation, &BuildDerivationRequest{DrvPath: recBuildDrv, Drv: recBuildDerivation()})
		if _, e := c.session(); e != nil {
			c.fatalf("BuildDerivation: %+v", e)
		}
		replyAt = int(c.r.Offset())
		c.recv(&br)
		if br.Status != BuildStatusBuilt {
			c.fatalf("BuildDerivation: %+v", br)
		}
	})
	normaliseBuildTimes(t, got, len(got)-(int(c.r.Offset())-replyAt), c.p)

	// ExportPath: the export stream in STDERR_WRITE frames.
	rec1(c, "export-path-1.34", func() {
		c.call(OpExportPath, &ExportPathRequest{Path: StorePath(vectorPath)}, &Ack{})
	})

	// BuildPaths of a path that does not exist: STDERR_ERROR after the
	// daemon started work (the connection stays usable).
	rec1(c, "build-paths-error-1.34", func() {
		c.op(OpBuildPaths, &BuildPathsRequest{Targets: []DerivedPath{recMissing}})
		if _, e := c.session(); e == nil {
			c.fatalf("BuildPaths of a missing path succeeded")
		}
	})

	rec1(c, "query-missing-1.34", func() {
		c.call(OpQueryMissing, &QueryMissingRequest{Targets: []DerivedPath{
			DerivedPath(vectorPath), recMissing, recMissing + ".drv!out",
		}}, &Missing{})
	})

	rec1(c, "query-substitutable-path-infos-1.34", func() {
		c.call(OpQuerySubstitutablePathInfos, &QuerySubstitutablePathInfosRequest{
			PathsCA: map[StorePath]ContentAddress{StorePath(vectorPath): ""},
		}, &QuerySubstitutablePathInfosReply{})
	})

	// AddToStore with its framed dump (≥1.25).
	_, got = rec1(c, "add-to-store-1.34", func() {
		c.op(OpAddToStore, &AddToStoreRequest{Name: "nixwire-framed", CAMethod: "text:sha256"})
		fw := wire.NewFramedWriter(c.w, 8)
		io.WriteString(fw, "framed text\n")
		if err := fw.Close(); err != nil {
			c.fatalf("framed: %v", err)
		}
		c.flush()
		if _, e := c.session(); e != nil {
			c.fatalf("AddToStore: %+v", e)
		}
		replyAt = int(c.r.Offset())
		c.recv(&AddToStoreReply{})
	})
	normaliseRegistrationTime(t, got, len(got)-(int(c.r.Offset())-replyAt), c.p)

	// A request the daemon cannot parse: STDERR_ERROR twice, then it hangs
	// up (quirk 2).
	rec1(c, "error-invalid-path-1.34", func() {
		c.op(OpIsValidPath, &IsValidPathRequest{Path: "/nix/store/invalid-path"})
		for range 2 {
			if _, e := c.session(); e == nil {
				c.fatalf("IsValidPath of an invalid path succeeded")
			}
		}
		c.expectHangup()
	})
	c.conn.Close()

	// The legacy error format (<1.26).
	c = dialDaemon(t, d, handshake{client: wire.V(1, 25)})
	rec1(c, "build-paths-error-1.25", func() {
		c.op(OpBuildPaths, &BuildPathsRequest{Targets: []DerivedPath{recMissing}})
		if _, e := c.session(); e == nil {
			c.fatalf("BuildPaths of a missing path succeeded")
		}
	})
	c.conn.Close()

	// AddToStoreNar at 1.21: the daemon pulls the NAR with STDERR_READ.
	c = dialDaemon(t, d, handshake{client: wire.V(1, 21)})
	rec1(c, "add-to-store-nar-1.21", func() {
		nar := narRegular(recNarContent)
		h := sha256.Sum256(nar)
		c.op(OpAddToStoreNar, &AddToStoreNarRequest{
			Info:          ValidPathInfo{Path: recNarPath, NarHash: NarHash(hex.EncodeToString(h[:])), NarSize: uint64(len(nar))},
			DontCheckSigs: true,
		})
		for {
			_ = c.conn.SetReadDeadline(time.Now().Add(daemonTimeout))
			f, err := DecodeStderr(c.r, c.p)
			if err != nil {
				c.fatalf("AddToStoreNar: %v", err)
			}
			switch f := f.(type) {
			case *StderrRead:
				n := min(int(f.Len), len(nar))
				c.send(&StderrReadData{Data: nar[:n]})
				c.flush()
				nar = nar[n:]
				continue
			case *StderrLast:
			default:
				c.fatalf("AddToStoreNar: unexpected frame %+v", f)
			}
			break
		}
	})
	c.conn.Close()

	// CollectGarbage deleting what the recordings created.
	req, reply, res := removePaths(t, d, recBuildOut, recNarPath)
	if len(res.Paths) != 2 {
		t.Fatalf("CollectGarbage deleted %v, want the build output and the imported path", res.Paths)
	}
	rec.save("collect-garbage-1.34.c2s.bin", req)
	rec.save("collect-garbage-1.34.s2c.bin", reply)
}

// recordModern records from the modern daemon (Nix 2.26, protocol 1.38).
func recordModern(t *testing.T, rec *recorder) {
	d := nixdaemon.Require(t, nixdaemon.Modern)
	removePaths(t, d, recBuildOut)
	defer removePaths(t, d, recBuildOut)

	// The handshake, offering the two features of Nix 2.35 (2.26 has none).
	c := dialDaemon(t, d, handshake{client: wire.V(1, 38), features: []string{FeatureDeleteDeadSpecificReferrers, FeatureRealisationWithPathNotHash}})
	rec.save("handshake-1.38.c2s.bin", c.sentSince(0))
	rec.save("handshake-1.38.s2c.bin", c.receivedSince(0))
	c.call(OpSetOptions, &ClientSettings{MaxBuildJobs: 1, UseBuildHook: 1, VerboseBuild: VerbosityVomit, BuildCores: 1}, nil)

	s0, r0 := c.mark()
	var br BuildResult
	c.op(OpBuildDerivation, &BuildDerivationRequest{DrvPath: recBuildDrv, Drv: recBuildDerivation()})
	if _, e := c.session(); e != nil {
		c.fatalf("BuildDerivation: %+v", e)
	}
	replyAt := int(c.r.Offset() - r0)
	c.recv(&br)
	if br.Status != BuildStatusBuilt {
		c.fatalf("BuildDerivation: %+v", br)
	}
	got := normaliseIDs(c.receivedSince(r0), c.conn.Pid())
	normaliseBuildTimes(t, got, replyAt, c.p)
	rec.save("build-derivation-1.38.c2s.bin", c.sentSince(s0))
	rec.save("build-derivation-1.38.s2c.bin", got)

	s0, r0 = c.mark()
	c.op(OpIsValidPath, &IsValidPathRequest{Path: "/nix/store/invalid-path"})
	for range 2 {
		if _, e := c.session(); e == nil {
			c.fatalf("IsValidPath of an invalid path succeeded")
		}
	}
	c.expectHangup()
	rec.save("error-invalid-path-1.38.c2s.bin", c.sentSince(s0))
	rec.save("error-invalid-path-1.38.s2c.bin", c.receivedSince(r0))
	c.conn.Close()
}

// recordClients records the real Nix clients (nix-store of 2.8 and 2.26)
// talking to their daemons through a recording proxy: handshake,
// SetOptions as Nix sends it, and `nix-store --check-validity`.
func recordClients(t *testing.T, rec *recorder) {
	for _, dc := range []struct {
		which func() (*nixdaemon.Daemon, error)
		name  string
	}{{nixdaemon.Legacy, "nix-2.8-client-1.34"}, {nixdaemon.Modern, "nix-2.26-client-1.38"}} {
		d := nixdaemon.Require(t, dc.which)
		path, err := d.AddToStore(context.Background(), recVectorName, []byte(recContent))
		if err != nil {
			t.Fatal(err)
		}
		c2s, s2c := proxyClient(t, d, d.NixStore, "--check-validity", "--print-invalid", path)
		rec.save(dc.name+".c2s.bin", c2s)
		rec.save(dc.name+".s2c.bin", s2c)
	}
}

// proxyClient runs the Nix client tool with args against a unix socket
// whose single connection is spliced to `d --stdio`, and returns what each
// side sent.
func proxyClient(t *testing.T, d *nixdaemon.Daemon, tool string, args ...string) (c2s, s2c []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(recProxySocket), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(recProxySocket)
	l, err := net.Listen("unix", recProxySocket)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(recProxySocket)
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var toDaemon, fromDaemon bytes.Buffer
	done := make(chan error, 1)
	go func() {
		cc, err := l.Accept()
		if err != nil {
			done <- err
			return
		}
		defer cc.Close()
		dconn, err := d.StartStdio(ctx)
		if err != nil {
			done <- err
			return
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			io.Copy(io.MultiWriter(cc, &fromDaemon), dconn)
			cc.Close()
		}()
		io.Copy(io.MultiWriter(dconn, &toDaemon), cc)
		// The client hung up after its last reply: now the daemon may go.
		dconn.Close()
		wg.Wait()
		done <- nil
	}()
	cmd := exec.CommandContext(ctx, tool, append([]string{"--store", "unix://" + recProxySocket}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return toDaemon.Bytes(), fromDaemon.Bytes()
}
