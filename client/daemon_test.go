package client_test

// Tests against the real Nix daemons of internal/nixdaemon: Nix 2.8
// (protocol 1.34) and Nix 2.26 (1.38). Skipped without them, failed under
// CI=true.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// daemonCases are the real daemons and what their handshake must give.
var daemonCases = []struct {
	name        string
	which       func() (*nixdaemon.Daemon, error)
	proto       wire.Version
	nixVersion  string // prefix
	trusted     messages.TrustedFlag
	daemonProto wire.Version
}{
	{"nix-2.8", nixdaemon.Legacy, wire.V(1, 34), "2.8.", messages.TrustedFlagUnknown, wire.V(1, 34)},
	{"nix-2.26", nixdaemon.Modern, wire.V(1, 38), "2.26.", messages.TrustedFlagTrusted, wire.V(1, 38)},
}

// forEachDaemon runs f as a subtest for each real daemon.
func forEachDaemon(t *testing.T, f func(t *testing.T, d *nixdaemon.Daemon)) {
	for _, dc := range daemonCases {
		t.Run(dc.name, func(t *testing.T) { f(t, nixdaemon.Require(t, dc.which)) })
	}
}

// dial starts `nix-daemon --stdio` and shakes hands, with substitutes off.
func dial(t *testing.T, d *nixdaemon.Daemon, opt client.Options) *client.Conn {
	t.Helper()
	dc, err := d.StartStdio(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if opt.Settings == nil {
		opt.Settings = client.DefaultSettings()
		opt.Settings.UseSubstitutes = false
	}
	c, err := client.Handshake(dc, opt)
	if err != nil {
		dc.Close()
		t.Fatalf("Handshake: %v\ndaemon stderr: %s", err, dc.Stderr())
	}
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			t.Logf("daemon stderr: %s", dc.Stderr())
		}
	})
	return c
}

func TestDaemonHandshake(t *testing.T) {
	for _, dc := range daemonCases {
		t.Run(dc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, dc.which)
			c := dial(t, d, client.Options{})
			info := c.Info()
			if info.Proto.Version != dc.proto || info.DaemonProtocol != dc.daemonProto || !strings.HasPrefix(info.DaemonVersion, dc.nixVersion) ||
				info.DaemonVersion != d.Version || info.Trusted != dc.trusted || info.Proto.Features.Len() != 0 {
				t.Fatalf("Info = %+v, want protocol %s, Nix %s, trusted %v", info, dc.proto, d.Version, dc.trusted)
			}
			paths, err := c.QueryAllValidPaths(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %+v, %d valid paths", dc.name, info, len(paths))
		})
	}
}

func TestDaemonHandshakeOlderVersions(t *testing.T) {
	cases := []struct {
		offer       wire.Version
		wantVersion bool // daemon version string (≥ 1.33)
		wantTrust   bool // trust flag (≥ 1.35)
	}{
		{wire.V(1, 10), false, false},
		{wire.V(1, 25), false, false},
		{wire.V(1, 33), true, false},
		{wire.V(1, 35), true, true},
	}
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		for _, tc := range cases {
			c := dial(t, d, client.Options{MaxVersion: tc.offer})
			info := c.Info()
			want := min(tc.offer, wire.Version(d.Protocol))
			if info.Proto.Version != want || (info.DaemonVersion != "") != tc.wantVersion ||
				(info.Trusted == messages.TrustedFlagTrusted) != (tc.wantTrust && want >= wire.V(1, 35)) {
				t.Errorf("offering %s: Info = %+v", tc.offer, info)
			}
			if ok, err := c.IsValidPath(ctx(t), "/nix/store/00000000000000000000000000000000-nothing"); err != nil || ok {
				t.Errorf("offering %s: IsValidPath = %v, %v", tc.offer, ok, err)
			}
		}
	})
}

// dirNAR is the NAR of a small directory tree, entries sorted by name.
func dirNAR() []byte {
	var b bytes.Buffer
	w := nar.NewWriter(&b)
	w.Directory()
	w.Entry("bin")
	w.Directory()
	w.Entry("hello")
	w.File(true, 21)
	io.WriteString(w, "#!/bin/sh\necho hello\n")
	w.EndDirectory()
	w.Entry("empty")
	w.File(false, 0)
	w.Entry("link")
	w.Symlink("bin/hello")
	w.EndDirectory()
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// narFiles lists a NAR's nodes as "path type [contents|target]".
func narFiles(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	n, err := nar.Walk(bytes.NewReader(b), func(h *nar.Header, r io.Reader) error {
		s := "/" + h.Path + " " + h.Type.String()
		switch h.Type {
		case nar.TypeRegular:
			c, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			if h.Executable {
				s += " +x"
			}
			s += " " + string(c)
		case nar.TypeSymlink:
			s += " " + h.Target
		}
		out = append(out, s)
		return nil
	})
	if err != nil || n != int64(len(b)) {
		t.Fatalf("NAR from the daemon: Walk = %d, %v", n, err)
	}
	return out
}

// checkPath checks a path added by AddToStore against the daemon: it is
// valid, QueryPathInfo agrees, and its NAR matches its hash, size and
// wantFiles.
func checkPath(t *testing.T, c *client.Conn, info *messages.ValidPathInfo, caPrefix string, wantFiles ...string) []byte {
	t.Helper()
	if !strings.HasPrefix(string(info.CA), caPrefix) {
		t.Errorf("%s: CA %q, want prefix %q", info.Path, info.CA, caPrefix)
	}
	if ok, err := c.IsValidPath(ctx(t), info.Path); err != nil || !ok {
		t.Fatalf("IsValidPath(%s) = %v, %v", info.Path, ok, err)
	}
	q, err := c.QueryPathInfo(ctx(t), info.Path)
	if err != nil || q == nil {
		t.Fatalf("QueryPathInfo(%s) = %v, %v", info.Path, q, err)
	}
	if q.NarHash != info.NarHash || q.NarSize != info.NarSize || q.CA != info.CA || len(q.References) != len(info.References) {
		t.Errorf("QueryPathInfo = %+v, AddToStore said %+v", q, info)
	}
	var buf bytes.Buffer
	n, err := c.NarFromPath(ctx(t), info.Path, &buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("NarFromPath(%s) = %d, %v", info.Path, n, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	if hex.EncodeToString(sum[:]) != string(info.NarHash) || uint64(n) != info.NarSize {
		t.Errorf("NAR of %s: sha256 %x, %d bytes; path info says %s, %d bytes", info.Path, sum, n, info.NarHash, info.NarSize)
	}
	if got := narFiles(t, buf.Bytes()); !slices.Equal(got, wantFiles) {
		t.Errorf("NAR of %s holds %q, want %q", info.Path, got, wantFiles)
	}
	return buf.Bytes()
}

func TestDaemonAddToStore(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		// The default protocol streams the data (framed, ≥ 1.25); 1.24
		// uses AddTextToStore and raw NARs.
		for _, v := range []wire.Version{client.DefaultVersion, wire.V(1, 24)} {
			c := dial(t, d, client.Options{MaxVersion: v})
			t.Logf("protocol %s", c.Proto())

			text, err := c.AddToStore(ctx(t), "nixwire-text", client.MethodText, nil, false, strings.NewReader("hello, text\n"))
			if err != nil {
				t.Fatalf("AddToStore text: %v", err)
			}
			checkPath(t, c, text, "text:sha256:", "/ regular hello, text\n")

			big := bytes.Repeat([]byte("nixwire flat file, "), 60000) // > 1 MiB: many frames
			flat, err := c.AddToStore(ctx(t), "nixwire-flat", client.MethodFlat, nil, false, bytes.NewReader(big))
			if err != nil {
				t.Fatalf("AddToStore flat: %v", err)
			}
			checkPath(t, c, flat, "fixed:sha256:", "/ regular "+string(big))

			tree := dirNAR()
			dir, err := c.AddToStore(ctx(t), "nixwire-dir", client.MethodNAR, nil, false, bytes.NewReader(tree))
			if err != nil {
				t.Fatalf("AddToStore NAR: %v", err)
			}
			got := checkPath(t, c, dir, "fixed:r:sha256:",
				"/ directory", "/bin directory", "/bin/hello regular +x #!/bin/sh\necho hello\n", "/empty regular ", "/link symlink bin/hello")
			if !bytes.Equal(got, tree) {
				t.Errorf("NarFromPath gave a NAR different from the one added")
			}

			// A text path referring to the others.
			refs := []messages.StorePath{dir.Path, flat.Path}
			slices.Sort(refs)
			withRefs, err := c.AddToStore(ctx(t), "nixwire-refs", client.MethodText, refs, false, strings.NewReader(string(dir.Path)+"\n"+string(flat.Path)))
			if err != nil || !slices.Equal(withRefs.References, refs) {
				t.Fatalf("AddToStore with references = %+v, %v", withRefs, err)
			}
			if referrers, err := c.QueryReferrers(ctx(t), dir.Path); err != nil || !slices.Contains(referrers, withRefs.Path) {
				t.Errorf("QueryReferrers = %v, %v", referrers, err)
			}

			missing := messages.StorePath("/nix/store/00000000000000000000000000000000-nixwire-missing")
			valid, err := c.QueryValidPaths(ctx(t), []messages.StorePath{text.Path, flat.Path, missing}, false)
			want := []messages.StorePath{text.Path, flat.Path}
			slices.Sort(want)
			if err != nil || !slices.Equal(valid, want) {
				t.Errorf("QueryValidPaths = %v, %v; want %v", valid, err, want)
			}
			m, err := c.QueryMissing(ctx(t), []messages.DerivedPath{messages.DerivedPath(text.Path), messages.DerivedPath(missing)})
			if err != nil || len(m.WillBuild)+len(m.WillSubstitute) != 0 || !slices.Equal(m.Unknown, []messages.StorePath{missing}) {
				t.Errorf("QueryMissing = %+v, %v", m, err)
			}
			if err := c.AddTempRoot(ctx(t), text.Path); err != nil {
				t.Errorf("AddTempRoot: %v", err)
			}
			hashPart := strings.TrimPrefix(string(text.Path), "/nix/store/")[:32]
			if p, err := c.QueryPathFromHashPart(ctx(t), hashPart); err != nil || p != text.Path {
				t.Errorf("QueryPathFromHashPart = %q, %v", p, err)
			}
		}
	})
}

// TestDaemonAddToStoreMatchesNixStore checks that a one-file NAR added with
// MethodNAR lands at the path `nix-store --add` gives the same file.
func TestDaemonAddToStoreMatchesNixStore(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		const contents = "added twice, by nix-store and by nixwire\n"
		want, err := d.AddToStore(t.Context(), "nixwire-same", []byte(contents))
		if err != nil {
			t.Fatalf("nix-store --add: %v", err)
		}
		c := dial(t, d, client.Options{})
		info, err := c.AddToStore(ctx(t), "nixwire-same", client.MethodNAR, nil, false, bytes.NewReader(narOf(contents)))
		if err != nil || string(info.Path) != want {
			t.Fatalf("AddToStore = %+v, %v; nix-store --add gave %s", info, err, want)
		}
	})
}

// randomPath returns a store path that does not exist yet.
func randomPath(name string) messages.StorePath {
	const nix32 = "0123456789abcdfghijklmnpqrsvwxyz"
	b := make([]byte, 32)
	for i := range b {
		b[i] = nix32[rand.IntN(len(nix32))]
	}
	return messages.StorePath("/nix/store/" + string(b) + "-" + name)
}

// deletePath removes path from the store on a fresh connection (so that
// no temporary root of the connection that added it keeps it alive).
func deletePath(t *testing.T, d *nixdaemon.Daemon, path messages.StorePath) {
	c := dial(t, d, client.Options{})
	res, err := c.CollectGarbage(ctx(t), messages.GCOptions{Action: messages.GCActionDeleteSpecific, Paths: []messages.StorePath{path}})
	if err != nil || !slices.Contains(res.Paths, string(path)) {
		t.Errorf("CollectGarbage(DeleteSpecific %s) = %+v, %v", path, res, err)
	}
}

func TestDaemonAddToStoreNar(t *testing.T) {
	contents := narOf("imported with AddToStoreNar\n")
	sum := sha256.Sum256(contents)
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		// Framed (≥ 1.23), pulled with STDERR_READ (1.21–1.22), raw (< 1.21).
		versions := []wire.Version{client.DefaultVersion, wire.V(1, 22), wire.V(1, 20)}
		for _, v := range versions {
			c := dial(t, d, client.Options{MaxVersion: v})
			info := &messages.ValidPathInfo{
				Path:    randomPath("nixwire-import"),
				NarHash: messages.NarHash(hex.EncodeToString(sum[:])),
				NarSize: uint64(len(contents)),
			}
			src := bytes.NewReader(contents)
			if err := c.AddToStoreNar(ctx(t), info, src, client.ImportOptions{DontCheckSigs: true}); err != nil {
				t.Fatalf("protocol %s: AddToStoreNar: %v", c.Proto(), err)
			}
			if src.Len() != 0 {
				t.Fatalf("protocol %s: %d bytes of the NAR were not sent", c.Proto(), src.Len())
			}
			var buf bytes.Buffer
			if _, err := c.NarFromPath(ctx(t), info.Path, &buf); err != nil || !bytes.Equal(buf.Bytes(), contents) {
				t.Fatalf("protocol %s: NarFromPath = %v", c.Proto(), err)
			}
			c.Close()
			deletePath(t, d, info.Path)
		}
	})
}

func TestDaemonErrorAfterStartWork(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		c := dial(t, d, client.Options{})
		known, err := c.AddToStore(ctx(t), "nixwire-known", client.MethodText, nil, false, strings.NewReader("known\n"))
		if err != nil {
			t.Fatal(err)
		}

		err = c.EnsurePath(ctx(t), "/nix/store/00000000000000000000000000000000-nixwire-missing")
		var de *client.DaemonError
		if !errors.As(err, &de) || de.Closed || de.Legacy || de.Level != messages.VerbosityError || errors.Is(err, client.ErrClosed) {
			t.Fatalf("EnsurePath = %#v, want an open DaemonError", err)
		}
		want := "nix-daemon: EnsurePath: path '/nix/store/00000000000000000000000000000000-nixwire-missing' does not exist and cannot be created"
		if err.Error() != want || !strings.Contains(de.Message, "\x1b[35;1m") {
			t.Errorf("error %q (raw %q), want %q with ANSI escapes in the raw message", err, de.Message, want)
		}
		if ok, err := c.IsValidPath(ctx(t), known.Path); err != nil || !ok {
			t.Fatalf("after the error: IsValidPath = %v, %v", ok, err)
		}

		// A NAR with the wrong hash: the daemon reads the whole framed
		// stream, then refuses it; the Conn stays usable.
		bad := &messages.ValidPathInfo{Path: randomPath("nixwire-bad"), NarHash: messages.NarHash(strings.Repeat("0", 64)), NarSize: uint64(len(narOf("x")))}
		err = c.AddToStoreNar(ctx(t), bad, bytes.NewReader(narOf("x")), client.ImportOptions{DontCheckSigs: true})
		if !errors.As(err, &de) || de.Closed || !strings.Contains(err.Error(), "hash mismatch") {
			t.Fatalf("AddToStoreNar with a wrong hash = %v", err)
		}
		if ok, err := c.IsValidPath(ctx(t), known.Path); err != nil || !ok {
			t.Fatalf("after the refused import: IsValidPath = %v, %v", ok, err)
		}
		if c.Err() != nil {
			t.Fatalf("Conn.Err() = %v", c.Err())
		}
	})
}

// waitBroken waits for the Conn to be broken (by the copy of an error that
// came before the daemon hung up).
func waitBroken(t *testing.T, c *client.Conn) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); c.Err() == nil; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the Conn is still usable after an error the daemon sends before hanging up")
		}
	}
	if !errors.Is(c.Err(), client.ErrClosed) {
		t.Fatalf("Conn.Err() = %v", c.Err())
	}
}

func TestDaemonErrorBeforeStartWork(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		c := dial(t, d, client.Options{})
		_, err := c.IsValidPath(ctx(t), "/nix/store/invalid-path")
		var de *client.DaemonError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "'invalid-path' is too short to be a valid store path") {
			t.Fatalf("IsValidPath(invalid) = %v, want a DaemonError", err)
		}
		// The copy of the error may come with it (de.Closed) or just after:
		// either way the Conn is closed once it is in.
		waitBroken(t, c)
		var ce *client.ConnError
		if err := c.Err(); !errors.As(err, &ce) || !errors.As(err, &de) {
			t.Fatalf("Conn.Err() = %v", err)
		}
		// The next op fails with the connection, never with the other
		// op's error.
		_, err = c.IsValidPath(ctx(t), "/nix/store/00000000000000000000000000000000-x")
		if !errors.Is(err, client.ErrClosed) || !errors.As(err, &ce) || ce.Op != "IsValidPath" || errors.As(err, &de) {
			t.Fatalf("op on the closed Conn: %v", err)
		}

		// NarFromPath of a path missing on disk: the daemon fails inside
		// the NAR stream, and hangs up.
		c = dial(t, d, client.Options{})
		_, err = c.NarFromPath(ctx(t), "/nix/store/00000000000000000000000000000000-nixwire-missing", io.Discard)
		if !errors.As(err, &de) || !de.Closed || !strings.Contains(err.Error(), "nixwire-missing") {
			t.Fatalf("NarFromPath(missing) = %v", err)
		}
	})
}

func TestDaemonLegacyErrorFormat(t *testing.T) {
	d := nixdaemon.Require(t, nixdaemon.Legacy)
	c := dial(t, d, client.Options{MaxVersion: wire.V(1, 25)})
	err := c.EnsurePath(ctx(t), "/nix/store/00000000000000000000000000000000-nixwire-missing")
	var de *client.DaemonError
	if !errors.As(err, &de) || !de.Legacy || de.Status != 1 || de.Closed {
		t.Fatalf("EnsurePath = %#v, want a legacy DaemonError", err)
	}
	want := "nix-daemon: EnsurePath: error: path '/nix/store/00000000000000000000000000000000-nixwire-missing' does not exist and cannot be created"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := c.QueryAllValidPaths(ctx(t)); err != nil {
		t.Fatalf("after a legacy error: %v", err)
	}
	_, err = c.IsValidPath(ctx(t), "/nix/store/invalid-path")
	if !errors.As(err, &de) || !de.Legacy {
		t.Fatalf("legacy error before startWork: %v", err)
	}
	waitBroken(t, c)
}

func TestDaemonQueryPathInfoLegacy(t *testing.T) {
	// Before 1.17 the daemon reports an invalid path as an error; there is
	// no NarFromPath yet.
	d := nixdaemon.Require(t, nixdaemon.Legacy)
	c := dial(t, d, client.Options{MaxVersion: wire.V(1, 16)})
	info, err := c.QueryPathInfo(ctx(t), "/nix/store/00000000000000000000000000000000-nixwire-missing")
	if err != nil || info != nil {
		t.Fatalf("QueryPathInfo(missing) = %+v, %v", info, err)
	}
	text, err := c.AddToStore(ctx(t), "nixwire-text", client.MethodText, nil, false, strings.NewReader("hello, text\n"))
	if err != nil || !strings.HasPrefix(string(text.CA), "text:sha256:") {
		t.Fatalf("AddToStore at 1.16 = %+v, %v", text, err)
	}
	if _, err := c.NarFromPath(ctx(t), text.Path, io.Discard); !errors.Is(err, client.ErrUnsupported) {
		t.Fatalf("NarFromPath at 1.16: %v", err)
	}
}

func TestDaemonFindRootsAndLogs(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		var frames int
		settings := client.DefaultSettings()
		settings.UseSubstitutes = false
		settings.Verbosity = messages.VerbosityVomit
		c := dial(t, d, client.Options{Settings: settings, Logger: func(context.Context, string, messages.Stderr) { frames++ }})
		if _, err := c.FindRoots(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddToStore(ctx(t), "nixwire-text", client.MethodText, nil, false, strings.NewReader("hello, text\n")); err != nil {
			t.Fatal(err)
		}
		if frames == 0 {
			t.Errorf("no log frames at verbosity Vomit")
		}
	})
}

// startSocket starts d listening on a unix socket in a new short
// directory (unix socket paths are short), both removed at the end of the
// test; it returns the socket and the directory.
func startSocket(t *testing.T, d *nixdaemon.Daemon) (sock, dir string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "nw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock, stop, err := d.StartSocket(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return sock, dir
}

func TestDaemonSocket(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		sock, dir := startSocket(t, d)
		c, err := client.DialUnix(ctx(t), sock, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.Info().DaemonVersion != d.Version && c.Proto().AtLeast(1, 33) {
			t.Errorf("Info = %+v", c.Info())
		}
		if _, err := c.QueryAllValidPaths(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := client.DialUnix(ctx(t), filepath.Join(dir, "none"), client.Options{}); err == nil {
			t.Fatal("DialUnix to a missing socket succeeded")
		}
	})
}

func TestDaemonMoreOps(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		c := dial(t, d, client.Options{})
		info, err := c.AddToStore(ctx(t), "nixwire-more", client.MethodText, nil, false, strings.NewReader("more ops\n"))
		if err != nil {
			t.Fatal(err)
		}
		const sig = "nixwire-test-1:c2lnbmF0dXJlIG9mIG5vdGhpbmc="
		if err := c.AddSignatures(ctx(t), info.Path, []messages.Signature{sig}); err != nil {
			t.Fatalf("AddSignatures: %v", err)
		}
		if q, err := c.QueryPathInfo(ctx(t), info.Path); err != nil || !slices.Contains(q.Sigs, sig) {
			t.Errorf("after AddSignatures: %+v, %v", q, err)
		}
		res, err := c.BuildPathsWithResults(ctx(t), []messages.DerivedPath{messages.DerivedPath(info.Path)}, messages.BuildModeNormal)
		if err != nil || len(res) != 1 || res[0].Result.Status != messages.BuildStatusAlreadyValid || res[0].Path != messages.DerivedPath(info.Path) {
			t.Errorf("BuildPathsWithResults = %+v, %v", res, err)
		}
		if err := c.BuildPaths(ctx(t), []messages.DerivedPath{messages.DerivedPath(info.Path)}, messages.BuildModeNormal); err != nil {
			t.Errorf("BuildPaths: %v", err)
		}
		if subs, err := c.QuerySubstitutablePaths(ctx(t), []messages.StorePath{info.Path}); err != nil || len(subs) != 0 {
			t.Errorf("QuerySubstitutablePaths = %v, %v (no substituters are configured)", subs, err)
		}
		settings := client.DefaultSettings()
		settings.UseSubstitutes = false
		settings.KeepGoing = true
		if err := c.SetOptions(ctx(t), settings); err != nil {
			t.Errorf("SetOptions: %v", err)
		}
		if errs, err := c.VerifyStore(ctx(t), client.VerifyOptions{}); err != nil {
			t.Errorf("VerifyStore = %v, %v", errs, err)
		}
		// Both daemons answer an empty map for a path that is no derivation.
		if outs, err := c.QueryDerivationOutputMap(ctx(t), info.Path); err != nil || len(outs) != 0 {
			t.Errorf("QueryDerivationOutputMap of a non-derivation = %v, %v", outs, err)
		}
		if err := c.Err(); err != nil {
			t.Fatalf("Conn.Err() = %v", err)
		}
	})
}

// TestDaemonAddMultipleToStore imports two paths, one referring to the
// other, in one operation (framed, ≥ 1.32) and through the per-path
// fallback (1.31), then reads them back.
func TestDaemonAddMultipleToStore(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		for _, v := range []wire.Version{client.DefaultVersion, wire.V(1, 31)} {
			c := dial(t, d, client.Options{MaxVersion: v})
			dep := randomPath("nixwire-multi-dep")
			top := randomPath("nixwire-multi-top")
			nars := [][]byte{narOf("the dependency\n"), narOf("refers to " + string(dep) + "\n")}
			var paths []client.PathToAdd
			for i, path := range []messages.StorePath{dep, top} {
				sum := sha256.Sum256(nars[i])
				info := &messages.ValidPathInfo{
					Path:    path,
					NarHash: messages.NarHash(hex.EncodeToString(sum[:])),
					NarSize: uint64(len(nars[i])),
				}
				if path == top {
					info.References = []messages.StorePath{dep}
				}
				paths = append(paths, client.PathToAdd{Info: info, NAR: bytes.NewReader(nars[i])})
			}
			if err := c.AddMultipleToStore(ctx(t), paths, client.ImportOptions{DontCheckSigs: true}); err != nil {
				t.Fatalf("protocol %s: AddMultipleToStore: %v", c.Proto(), err)
			}
			info, err := c.QueryPathInfo(ctx(t), top)
			if err != nil || info == nil || !slices.Equal(info.References, []messages.StorePath{dep}) {
				t.Fatalf("protocol %s: QueryPathInfo(top) = %+v, %v", c.Proto(), info, err)
			}
			for i, path := range []messages.StorePath{dep, top} {
				var buf bytes.Buffer
				if _, err := c.NarFromPath(ctx(t), path, &buf); err != nil || !bytes.Equal(buf.Bytes(), nars[i]) {
					t.Fatalf("protocol %s: NarFromPath(%s) = %v", c.Proto(), path, err)
				}
			}
			c.Close()
			deletePath(t, d, top)
			deletePath(t, d, dep)
		}
	})
}
