package storehandler_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/storepath"
	"github.com/nixwire/nixwire/wire"
)

// Paths real Nix 2.8 gives a file "hello.txt" holding "hello\n"
// (nix-store --add, --add-fixed …, builtins.toFile).
const (
	helloRecSHA256  = "/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt"
	helloFlatSHA256 = "/nix/store/gy454w1cxaq731grqwylhzf4pp9r5izh-hello.txt"
	helloFlatSHA1   = "/nix/store/svdva85yi507g9vncgsaxvnd1r808h4w-hello.txt"
	helloFlatMD5    = "/nix/store/dra1cz5vbrhclpv4y1q0psnbkxz581bk-hello.txt"
	helloRecSHA512  = "/nix/store/8xkszhbayigjg9vbrrxfa1hp9qflbh6b-hello.txt"
	helloText       = "/nix/store/qa1w9gdfrba6jl2r57mb3c43863gqywp-hello.txt"
	helloNarHash    = "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13" // sha256-HDfQ…
	helloSHA1CA     = "fixed:sha1:iwjz551fyw0cxcjgf4l6c879zabd6wpm"
)

var clientVersions = []wire.Version{wire.V(1, 21), wire.V(1, 25), wire.V(1, 32), wire.V(1, 34), wire.V(1, 38)}

func dial(t testing.TB, sock string, v wire.Version) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialUnix(ctx, sock, client.Options{MaxVersion: v})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestClientAddToStore adds "hello\n" under every method and algorithm
// class through nixwire's client at each version, and checks the paths
// against those real Nix computes.
func TestClientAddToStore(t *testing.T) {
	for _, v := range clientVersions {
		t.Run(v.String(), func(t *testing.T) {
			s := serve(t, nil)
			c := dial(t, s.sock, v)
			ctx := ctxT(t)
			cases := []struct {
				method messages.ContentAddressMethod
				data   []byte
				want   messages.StorePath
			}{
				{"fixed:r:sha256", nar.FileNAR(false, []byte("hello\n")), helloRecSHA256},
				{"fixed:sha256", []byte("hello\n"), helloFlatSHA256},
				{"fixed:sha1", []byte("hello\n"), helloFlatSHA1},
				{"fixed:md5", []byte("hello\n"), helloFlatMD5},
				{"fixed:r:sha512", nar.FileNAR(false, []byte("hello\n")), helloRecSHA512},
				{"text:sha256", []byte("hello\n"), helloText},
			}
			for _, tc := range cases {
				info, err := c.AddToStore(ctx, "hello.txt", tc.method, nil, false, bytes.NewReader(tc.data))
				if err != nil {
					t.Fatalf("%s: %v", tc.method, err)
				}
				if info.Path != tc.want {
					t.Errorf("%s: path %s, want %s", tc.method, info.Path, tc.want)
				}
				if info.NarHash != helloNarHash || info.NarSize != 120 {
					t.Errorf("%s: NAR %s/%d, want %s/120", tc.method, info.NarHash, info.NarSize, helloNarHash)
				}
				var buf bytes.Buffer
				if _, err := c.NarFromPath(ctx, tc.want, &buf); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), nar.FileNAR(false, []byte("hello\n"))) {
					t.Errorf("%s: NarFromPath gave another NAR", tc.method)
				}
			}
			info, err := c.QueryPathInfo(ctx, helloFlatSHA1)
			if err != nil || info == nil || info.CA != helloSHA1CA {
				t.Errorf("QueryPathInfo: %+v, %v; want ca %s", info, err, helloSHA1CA)
			}
			// Before 1.25 a flat upload is a NAR of one regular file; the
			// NAR of a directory is refused ("regular file expected"),
			// and the connection stays usable.
			if !v.AtLeast(1, 25) {
				dirNAR := dirNAR(t, map[string]string{"a": "x"})
				req := &messages.AddToStoreRequest{Name: "d", Fixed: true, HashAlgo: "sha256"}
				var reply messages.AddToStoreReply
				err := c.DoStream(ctx, messages.OpAddToStore, req, &reply, bytes.NewReader(dirNAR), nil)
				if err == nil || !strings.Contains(err.Error(), "regular file expected") {
					t.Errorf("flat legacy AddToStore of a directory: %v", err)
				}
			}
			if ok, err := c.IsValidPath(ctx, helloText); err != nil || !ok {
				t.Errorf("IsValidPath after a refused upload: %v, %v", ok, err)
			}
		})
	}
}

// dirNAR returns the NAR of a directory of regular files.
func dirNAR(t testing.TB, files map[string]string) []byte {
	var b bytes.Buffer
	w := nar.NewWriter(&b)
	w.Directory()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sortStrings(names)
	for _, n := range names {
		w.Entry(n)
		w.File(false, uint64(len(files[n])))
		w.Write([]byte(files[n]))
	}
	w.EndDirectory()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// narInfo returns the metadata of an input-addressed path named name
// with the given NAR and references (its path is made from a random hash,
// as a build's output would be).
func narInfo(t testing.TB, name string, narBytes []byte, refs ...messages.StorePath) *messages.ValidPathInfo {
	var digest [storepath.DigestSize]byte
	rand.Read(digest[:])
	p, err := storepath.New(digest, name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(narBytes)
	return &messages.ValidPathInfo{
		Path:       messages.StorePath(storepath.Dir("/nix/store").String(p)),
		NarHash:    messages.NarHash(hex.EncodeToString(sum[:])),
		NarSize:    uint64(len(narBytes)),
		References: refs,
	}
}

// TestClientOps runs the query, import and root ops through nixwire's
// client at each version.
func TestClientOps(t *testing.T) {
	for _, v := range clientVersions {
		t.Run(v.String(), func(t *testing.T) {
			s := serve(t, nil)
			c := dial(t, s.sock, v)
			ctx := ctxT(t)
			leafNAR := nar.FileNAR(false, []byte("leaf"))
			leaf := narInfo(t, "leaf", leafNAR)
			topNAR := nar.FileNAR(true, []byte("top -> "+string(leaf.Path)))
			top := narInfo(t, "top", topNAR, leaf.Path)
			if v.AtLeast(1, 32) {
				err := c.AddMultipleToStore(ctx, []client.PathToAdd{{Info: leaf, NAR: bytes.NewReader(leafNAR)}, {Info: top, NAR: bytes.NewReader(topNAR)}}, client.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if err := c.AddToStoreNar(ctx, leaf, bytes.NewReader(leafNAR), client.ImportOptions{}); err != nil {
					t.Fatal(err)
				}
				if err := c.AddToStoreNar(ctx, top, bytes.NewReader(topNAR), client.ImportOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := c.QueryPathInfo(ctx, top.Path)
			if err != nil || got == nil {
				t.Fatalf("QueryPathInfo: %v, %v", got, err)
			}
			if got.NarHash != top.NarHash || got.NarSize != top.NarSize || len(got.References) != 1 || got.References[0] != leaf.Path {
				t.Errorf("QueryPathInfo = %+v, want %+v", got, top)
			}
			missing := messages.StorePath("/nix/store/00000000000000000000000000000000-gone")
			if info, err := c.QueryPathInfo(ctx, missing); err != nil || info != nil {
				t.Errorf("QueryPathInfo(missing) = %v, %v; want none", info, err)
			}
			valid, err := c.QueryValidPaths(ctx, []messages.StorePath{top.Path, missing, leaf.Path}, false)
			if err != nil || len(valid) != 2 {
				t.Errorf("QueryValidPaths = %v, %v", valid, err)
			}
			all, err := c.QueryAllValidPaths(ctx)
			if err != nil || len(all) != 2 {
				t.Errorf("QueryAllValidPaths = %v, %v", all, err)
			}
			refs, err := c.QueryReferrers(ctx, leaf.Path)
			if err != nil || len(refs) != 1 || refs[0] != top.Path {
				t.Errorf("QueryReferrers = %v, %v", refs, err)
			}
			hp := strings.TrimPrefix(string(leaf.Path), "/nix/store/")[:32]
			if p, err := c.QueryPathFromHashPart(ctx, hp); err != nil || p != leaf.Path {
				t.Errorf("QueryPathFromHashPart = %v, %v", p, err)
			}
			if p, err := c.QuerySubstitutablePaths(ctx, []messages.StorePath{missing}); err != nil || len(p) != 0 {
				t.Errorf("QuerySubstitutablePaths = %v, %v", p, err)
			}
			var buf bytes.Buffer
			if _, err := c.NarFromPath(ctx, top.Path, &buf); err != nil || !bytes.Equal(buf.Bytes(), topNAR) {
				t.Errorf("NarFromPath: %v (%d bytes)", err, buf.Len())
			}
			if _, err := c.NarFromPath(ctx, missing, &buf); err == nil {
				t.Error("NarFromPath of a missing path succeeded")
			}
			if err := c.EnsurePath(ctx, top.Path); err != nil {
				t.Errorf("EnsurePath(valid): %v", err)
			}
			if err := c.EnsurePath(ctx, missing); err == nil || !strings.Contains(err.Error(), "does not exist and cannot be created") {
				t.Errorf("EnsurePath(missing): %v", err)
			}
			m, err := c.QueryMissing(ctx, []messages.DerivedPath{messages.DerivedPath(top.Path), messages.DerivedPath(missing)})
			if err != nil || len(m.Unknown) != 1 || m.Unknown[0] != missing || len(m.WillBuild)+len(m.WillSubstitute) != 0 {
				t.Errorf("QueryMissing = %+v, %v", m, err)
			}
			if err := c.BuildPaths(ctx, []messages.DerivedPath{messages.DerivedPath(top.Path)}, messages.BuildModeNormal); err != nil {
				t.Errorf("BuildPaths(valid): %v", err)
			}
			if err := c.BuildPaths(ctx, []messages.DerivedPath{messages.DerivedPath(missing)}, messages.BuildModeNormal); err == nil || !strings.Contains(err.Error(), "cannot build") {
				t.Errorf("BuildPaths(missing): %v", err)
			}
			key, _ := signature.GenerateKey("test-1", rand.Reader)
			sig := messages.Signature("test-1:" + strings.SplitN(sign(t, key, leaf), ":", 2)[1])
			if err := c.AddSignatures(ctx, leaf.Path, []messages.Signature{sig}); err != nil {
				t.Fatal(err)
			}
			if info, _ := c.QueryPathInfo(ctx, leaf.Path); info == nil || len(info.Sigs) != 1 || info.Sigs[0] != sig {
				t.Errorf("signatures after AddSignatures: %+v", info)
			}
			if err := c.AddSignatures(ctx, missing, []messages.Signature{sig}); err == nil {
				t.Error("AddSignatures of a missing path succeeded")
			}

			// Roots: a temporary root lives as long as its connection.
			if err := c.AddTempRoot(ctx, top.Path); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(s.dir, "result")
			if err := os.Symlink(string(leaf.Path), link); err != nil {
				t.Fatal(err)
			}
			if err := c.AddIndirectRoot(ctx, link); err != nil {
				t.Fatal(err)
			}
			other := dial(t, s.sock, v)
			roots, err := other.FindRoots(ctx)
			if err != nil || len(roots) != 2 {
				t.Fatalf("FindRoots = %v, %v", roots, err)
			}
			c.Close()
			deadline := time.Now().Add(5 * time.Second)
			for {
				roots, err = other.FindRoots(ctx)
				if err != nil || len(roots) == 1 || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err != nil || len(roots) != 1 || roots[0].Link != link || roots[0].Path != leaf.Path {
				t.Errorf("FindRoots after the first connection ended = %v, %v; want only %s", roots, err, link)
			}
		})
	}
}

func sign(t testing.TB, key signature.SecretKey, info *messages.ValidPathInfo) string {
	t.Helper()
	dir := storepath.Dir("/nix/store")
	p, err := dir.Parse(string(info.Path))
	if err != nil {
		t.Fatal(err)
	}
	var refs []storepath.Path
	for _, r := range info.References {
		rp, err := dir.Parse(string(r))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, rp)
	}
	nh, err := nixhash.ParseAny(string(info.NarHash), nixhash.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := signature.Fingerprint(dir, p, nh, info.NarSize, refs)
	if err != nil {
		t.Fatal(err)
	}
	return key.Sign(fp).String()
}

// TestRequireSigs checks Nix's trust rules for imports under
// RequireSigs, through AddToStoreNar (1.25) and AddMultipleToStore (1.38).
// TestAddMultipleWithValidPath sends, in one AddMultipleToStore, a path
// the store has already and then a new one: the valid path's NAR is
// skipped, and only it (it once ate the rest of the stream, so that the
// new path failed). Nix 2.26's daemon registers the new path too.
func TestAddMultipleWithValidPath(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 32), wire.V(1, 38)} {
		t.Run(v.String(), func(t *testing.T) {
			s := serve(t, nil)
			c := dial(t, s.sock, v)
			ctx := ctxT(t)
			aNAR, bNAR := nar.FileNAR(false, []byte("a")), nar.FileNAR(false, []byte("b"))
			a, b := narInfo(t, "a", aNAR), narInfo(t, "b", bNAR)
			if err := c.AddToStoreNar(ctx, a, bytes.NewReader(aNAR), client.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := c.AddMultipleToStore(ctx, []client.PathToAdd{{Info: a, NAR: bytes.NewReader(aNAR)}, {Info: b, NAR: bytes.NewReader(bNAR)}}, client.ImportOptions{}); err != nil {
				t.Fatalf("AddMultipleToStore: %v", err)
			}
			if ok, err := c.IsValidPath(ctx, b.Path); err != nil || !ok {
				t.Fatalf("the path after the valid one: valid %v, %v", ok, err)
			}
		})
	}
}

// TestNarFromPathDamagedStore: a NAR file cut short or gone on disk is an
// ordinary error, before the reply, not a client waiting for the rest.
func TestNarFromPathDamagedStore(t *testing.T) {
	s := serve(t, nil)
	c := dial(t, s.sock, wire.V(1, 38))
	ctx := ctxT(t)
	data := nar.FileNAR(false, bytes.Repeat([]byte("damaged "), 10000))
	info := narInfo(t, "damaged", data)
	if err := c.AddToStoreNar(ctx, info, bytes.NewReader(data), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(s.dir, "data", "nar", filepath.Base(string(info.Path))+".nar")
	for _, damage := range []func() error{
		func() error { return os.Truncate(file, 60) },
		func() error { return os.Remove(file) },
	} {
		if err := damage(); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		short, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err := c.NarFromPath(short, info.Path, &out)
		cancel()
		var de *client.DaemonError
		if !errors.As(err, &de) || out.Len() != 0 {
			t.Fatalf("NarFromPath of a damaged NAR: %v (%d bytes), want the daemon's error before any byte", err, out.Len())
		}
		if ok, err := c.IsValidPath(ctx, info.Path); err != nil || !ok {
			t.Fatalf("the connection after the error: %v, %v", ok, err)
		}
	}
}

// TestLongNameUnpacked: a path with the longest name Nix allows (211
// bytes) is unpacked into the real store directory too (its temporary
// name once went past the 255 bytes a file name may have).
func TestLongNameUnpacked(t *testing.T) {
	s := serve(t, nil)
	c := dial(t, s.sock, wire.V(1, 38))
	data := nar.FileNAR(false, []byte("long name\n"))
	info := narInfo(t, strings.Repeat("b", 211), data)
	if err := c.AddToStoreNar(ctxT(t), info, bytes.NewReader(data), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(s.dir, "root", string(info.Path)))
	if err != nil || string(got) != "long name\n" {
		t.Fatalf("the unpacked file: %q, %v", got, err)
	}
}

// TestErrorsInNixWords: Nix's clients show the daemon's errors to their
// users; these are Nix's daemon's words (2.8 and 2.26 alike).
func TestErrorsInNixWords(t *testing.T) {
	s := serve(t, nil)
	c := dial(t, s.sock, wire.V(1, 38))
	ctx := ctxT(t)
	missing := narInfo(t, "missing", nil).Path
	check := func(what string, err error, want string) {
		t.Helper()
		var de *client.DaemonError
		if !errors.As(err, &de) || de.Message != want {
			t.Errorf("%s: %v; want the daemon's %q", what, err, want)
		}
	}
	_, err := c.NarFromPath(ctx, missing, io.Discard)
	check("NarFromPath of a path that is not valid", err, "path '"+string(missing)+"' is not valid")
	_, err = c.QueryPathFromHashPart(ctx, "abc")
	check("QueryPathFromHashPart of 3 bytes", err, "invalid hash part")
	check("EnsurePath of a path that is not valid", c.EnsurePath(ctx, missing), "path '"+string(missing)+"' does not exist and cannot be created")
	_, err = c.AddToStore(ctx, "refers", client.MethodText, []messages.StorePath{missing}, false, strings.NewReader("refers to "+string(missing)))
	check("AddToStore with a reference that is not valid", err, "path '"+string(missing)+"' is not valid")
	if p, err := c.QueryPathFromHashPart(ctx, strings.Repeat("E", 32)); p != "" || err != nil {
		t.Errorf("QueryPathFromHashPart of 32 bytes that are not nix32 = %q, %v; want none", p, err)
	}
}

func TestRequireSigs(t *testing.T) {
	key, _ := signature.GenerateKey("cache-1", rand.Reader)
	other, _ := signature.GenerateKey("cache-1", rand.Reader) // same name, another key
	for _, v := range []wire.Version{wire.V(1, 25), wire.V(1, 38)} {
		t.Run(v.String(), func(t *testing.T) {
			s := serve(t, func(h *storehandler.Handler) {
				h.RequireSigs = true
				h.TrustedKeys = []signature.PublicKey{key.Public()}
			})
			c := dial(t, s.sock, v)
			ctx := ctxT(t)
			add := func(info *messages.ValidPathInfo, data []byte, dontCheck bool) error {
				if v.AtLeast(1, 32) {
					return c.AddMultipleToStore(ctx, []client.PathToAdd{{Info: info, NAR: bytes.NewReader(data)}}, client.ImportOptions{DontCheckSigs: dontCheck})
				}
				return c.AddToStoreNar(ctx, info, bytes.NewReader(data), client.ImportOptions{DontCheckSigs: dontCheck})
			}
			data := nar.FileNAR(false, []byte("signed?"))

			unsigned := narInfo(t, "unsigned", data)
			if err := add(unsigned, data, false); err == nil || !strings.Contains(err.Error(), "lacks a valid signature") {
				t.Errorf("unsigned import: %v", err)
			}
			wrong := narInfo(t, "wrong", data)
			wrong.Sigs = []messages.Signature{messages.Signature(sign(t, other, wrong))}
			if err := add(wrong, data, false); err == nil {
				t.Error("import signed by an untrusted key accepted")
			}
			signed := narInfo(t, "signed", data)
			signed.Sigs = []messages.Signature{messages.Signature(sign(t, key, signed))}
			if err := add(signed, data, false); err != nil {
				t.Errorf("signed import: %v", err)
			}
			skipped := narInfo(t, "skipped", data)
			if err := add(skipped, data, true); err != nil {
				t.Errorf("dontCheckSigs from a trusted client: %v", err)
			}

			// Content-addressed: accepted unsigned when the CA gives the
			// path and matches the NAR.
			hello := nar.FileNAR(false, []byte("hello\n"))
			recCA := contentaddress.ContentAddress{Method: contentaddress.NAR, Hash: nixhash.Sum(nixhash.SHA256, hello)}
			ca := &messages.ValidPathInfo{Path: helloRecSHA256, NarHash: helloNarHash, NarSize: 120, CA: messages.ContentAddress(recCA.String())}
			if err := add(ca, hello, false); err != nil {
				t.Errorf("content-addressed import: %v", err)
			}
			flat := &messages.ValidPathInfo{Path: helloFlatSHA1, NarHash: helloNarHash, NarSize: 120, CA: helloSHA1CA}
			if err := add(flat, hello, false); err != nil {
				t.Errorf("flat content-addressed import: %v", err)
			}
			// A CA whose path matches but whose NAR does not.
			bye := nar.FileNAR(false, []byte("bye!!\n"))
			sum := sha256.Sum256(bye)
			lie := &messages.ValidPathInfo{Path: helloFlatSHA256, NarHash: messages.NarHash(hex.EncodeToString(sum[:])), NarSize: uint64(len(bye)), CA: "fixed:sha256:" + messages.ContentAddress(nixhash.Sum(nixhash.SHA256, []byte("hello\n")).Nix32())}
			err := add(lie, bye, true)
			if err == nil || !strings.Contains(err.Error(), "content address mismatch") {
				t.Errorf("import with a lying CA: %v", err)
			}
			if ok, _ := c.IsValidPath(ctx, helloFlatSHA256); ok {
				t.Error("path with a lying CA registered")
			}
		})
	}
}

// TestUntrustedClient checks what an untrusted client may not do: skip
// signature checks, add signatures, see root links.
func TestUntrustedClient(t *testing.T) {
	s := serveAs(t, func(h *storehandler.Handler) { h.RequireSigs = true }, true)
	c := dial(t, s.sock, wire.V(1, 38))
	ctx := ctxT(t)
	data := nar.FileNAR(false, []byte("untrusted"))
	info := narInfo(t, "untrusted", data)
	if err := c.AddToStoreNar(ctx, info, bytes.NewReader(data), client.ImportOptions{DontCheckSigs: true}); err == nil || !strings.Contains(err.Error(), "lacks a valid signature") {
		t.Errorf("dontCheckSigs from an untrusted client: %v", err)
	}
	hello := nar.FileNAR(false, []byte("hello\n"))
	recCA := contentaddress.ContentAddress{Method: contentaddress.NAR, Hash: nixhash.Sum(nixhash.SHA256, hello)}
	ca := &messages.ValidPathInfo{Path: helloRecSHA256, NarHash: helloNarHash, NarSize: 120, CA: messages.ContentAddress(recCA.String()), Ultimate: true}
	if err := c.AddToStoreNar(ctx, ca, bytes.NewReader(hello), client.ImportOptions{}); err != nil {
		t.Fatalf("content-addressed import from an untrusted client: %v", err)
	}
	if got, _ := c.QueryPathInfo(ctx, helloRecSHA256); got == nil || got.Ultimate {
		t.Errorf("an untrusted client set ultimate: %+v", got)
	}
	if err := c.AddSignatures(ctx, helloRecSHA256, []messages.Signature{"k:AAAA"}); err == nil {
		t.Error("AddSignatures from an untrusted client succeeded")
	}
	// Temporary roots (of two connections, on one path) are censored and
	// merged, as by Nix's daemon; an indirect root keeps its link.
	if err := c.AddTempRoot(ctx, helloRecSHA256); err != nil {
		t.Fatal(err)
	}
	if err := dial(t, s.sock, wire.V(1, 38)).AddTempRoot(ctx, helloRecSHA256); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(s.dir, "result")
	if err := os.Symlink(helloRecSHA256, link); err != nil {
		t.Fatal(err)
	}
	if err := c.AddIndirectRoot(ctx, link); err != nil {
		t.Fatal(err)
	}
	roots, err := c.FindRoots(ctx)
	want := []messages.GCRoot{{Link: link, Path: helloRecSHA256}, {Link: "{censored}", Path: helloRecSHA256}}
	slices.SortFunc(want, func(a, b messages.GCRoot) int { return strings.Compare(a.Link, b.Link) })
	if err != nil || !slices.Equal(roots, want) {
		t.Errorf("FindRoots for an untrusted client = %v, %v; want %v", roots, err, want)
	}
}

// TestHalfClose pipelines requests and closes its write side before
// reading the replies (quirk 10 of nix-daemon, which may then abort):
// nixwire's server answers every request.
func TestHalfClose(t *testing.T) {
	s := serve(t, nil)
	nc, err := net.Dial("unix", s.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	w := wire.NewWriter(nc)
	p := wire.Proto{Version: wire.V(1, 34)}
	w.Uint64(0x6e697863) // WORKER_MAGIC_1
	w.Uint64(uint64(wire.V(1, 34)))
	w.Uint64(0) // obsolete CPU affinity
	w.Uint64(0) // obsolete reserve space
	const n = 3
	for i := 0; i < n; i++ {
		w.Uint64(uint64(messages.OpIsValidPath))
		(&messages.IsValidPathRequest{Path: helloText}).EncodeWire(w, p)
	}
	must(t, w.Flush())
	must(t, nc.(*net.UnixConn).CloseWrite())
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := wire.NewReader(nc)
	var hello messages.WorkerServerHello
	must(t, hello.DecodeWire(r, p))
	if _, err := r.String(0, 100); err != nil { // the daemon's version (1.33+)
		t.Fatal(err)
	}
	if _, err := r.Uint64(); err != nil { // STDERR_LAST of the startup session
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		last, err := r.Uint64()
		if err != nil || last != 0x616c7473 { // STDERR_LAST
			t.Fatalf("reply %d: %x, %v", i, last, err)
		}
		var rep messages.IsValidPathReply
		if err := rep.DecodeWire(r, p); err != nil || rep.Valid {
			t.Fatalf("reply %d: %+v, %v", i, rep, err)
		}
	}
}
