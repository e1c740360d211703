package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/store"
)

// Opener returns a new, empty store for one test; the suite closes it.
type Opener func(t *testing.T) store.Store

// Run runs the conformance suite against the stores open makes. Each
// subtest gets a fresh store.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AddAndQuery", testAddAndQuery},
		{"NotValid", testNotValid},
		{"BadPaths", testBadPaths},
		{"HostileUploads", testHostileUploads},
		{"AlreadyValid", testAlreadyValid},
		{"HashForms", testHashForms},
		{"Signatures", testSignatures},
		{"Roots", testRoots},
		{"Concurrent", testConcurrent},
		{"SamePathWaits", testSamePathWaits},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			tc.fn(t, s)
		})
	}
}

// Add uploads nar as path with refs and fails the test on an error.
func Add(t testing.TB, s store.Store, path messages.StorePath, nar []byte, refs ...messages.StorePath) *messages.ValidPathInfo {
	t.Helper()
	info := Info(path, nar, refs...)
	if err := s.AddPath(context.Background(), info, bytes.NewReader(nar)); err != nil {
		t.Fatalf("AddPath %s: %v", path, err)
	}
	return info
}

func testAddAndQuery(t *testing.T, s store.Store) {
	ctx := context.Background()
	dir := s.StoreDir()
	a := Path(dir, "a", "a-1.0")
	b := Path(dir, "b", "b")
	c := Path(dir, "c", "c")
	narA, narB := FileNAR([]byte("hello")), FileNAR(bytes.Repeat([]byte("b"), 100000))
	Add(t, s, a, narA)
	infoB := Info(b, narB, b, a)
	infoB.Deriver = Path(dir, "drv", "b.drv")
	infoB.RegistrationTime = 1700000000
	infoB.Ultimate = true
	infoB.Sigs = []messages.Signature{"k2:BBBB", "k1:AAAA"}
	infoB.CA = "fixed:r:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"
	if err := s.AddPath(ctx, infoB, bytes.NewReader(narB)); err != nil {
		t.Fatal(err)
	}

	for p, want := range map[messages.StorePath]bool{a: true, b: true, c: false} {
		if got, err := s.IsValid(ctx, p); err != nil || got != want {
			t.Errorf("IsValid(%s) = %v, %v; want %v", p, got, err, want)
		}
	}
	got, err := s.QueryValidPaths(ctx, []messages.StorePath{c, b, a, b, "/elsewhere/x"})
	if err != nil || !reflect.DeepEqual(got, []messages.StorePath{b, a}) {
		t.Errorf("QueryValidPaths = %v, %v; want [b a]", got, err)
	}
	all, err := s.QueryAllValidPaths(ctx)
	if want := sorted(a, b); err != nil || !reflect.DeepEqual(all, want) {
		t.Errorf("QueryAllValidPaths = %v, %v; want %v", all, err, want)
	}

	info, err := s.QueryPathInfo(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	want := *infoB
	want.References = sorted(a, b)
	want.Sigs = []messages.Signature{"k1:AAAA", "k2:BBBB"}
	if !reflect.DeepEqual(*info, want) {
		t.Errorf("QueryPathInfo(b) =\n%+v\nwant\n%+v", *info, want)
	}
	infoA, err := s.QueryPathInfo(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if infoA.RegistrationTime == 0 || infoA.References != nil || infoA.Deriver != "" || infoA.CA != "" || infoA.Sigs != nil || infoA.Ultimate {
		t.Errorf("QueryPathInfo(a) = %+v; want a registration time and nothing else set", infoA)
	}
	if u := store.Unkeyed(info); u.NarHash != info.NarHash || u.NarSize != info.NarSize || len(u.References) != 2 {
		t.Errorf("Unkeyed = %+v", u)
	}

	for p, want := range map[messages.StorePath][]messages.StorePath{a: {b}, b: {b}, c: nil} {
		got, err := s.QueryReferrers(ctx, p)
		if err != nil || !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("QueryReferrers(%s) = %v, %v; want %v", p, got, err, want)
		}
	}

	for p, want := range map[messages.StorePath]messages.StorePath{a: a, b: b, c: ""} {
		hp, _, _ := store.SplitPath(dir, p)
		got, err := s.QueryPathFromHashPart(ctx, hp)
		if err != nil || got != want {
			t.Errorf("QueryPathFromHashPart(%s) = %q, %v; want %q", hp, got, err, want)
		}
		// Hash parts are case-sensitive: in upper case, none (as Nix).
		if got, err := s.QueryPathFromHashPart(ctx, strings.ToUpper(hp)); got != "" || err != nil {
			t.Errorf("QueryPathFromHashPart(%s) = %q, %v; want none", strings.ToUpper(hp), got, err)
		}
	}

	for p, nar := range map[messages.StorePath][]byte{a: narA, b: narB} {
		r, size, err := s.OpenNAR(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(data, nar) || size != uint64(len(nar)) {
			t.Errorf("OpenNAR(%s): %d bytes (size %d), %v; want the uploaded %d", p, len(data), size, err, len(nar))
		}
	}
}

func sorted(ps ...messages.StorePath) []messages.StorePath {
	out := append([]messages.StorePath(nil), ps...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testNotValid(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := Path(s.StoreDir(), "missing", "missing")
	if _, err := s.QueryPathInfo(ctx, p); !errors.Is(err, store.ErrNotValid) {
		t.Errorf("QueryPathInfo: %v; want ErrNotValid", err)
	}
	if _, _, err := s.OpenNAR(ctx, p); !errors.Is(err, store.ErrNotValid) {
		t.Errorf("OpenNAR: %v; want ErrNotValid", err)
	}
	if err := s.AddSignatures(ctx, p, []messages.Signature{"k:x"}); !errors.Is(err, store.ErrNotValid) {
		t.Errorf("AddSignatures: %v; want ErrNotValid", err)
	}
	var pe *store.PathError
	if _, err := s.QueryPathInfo(ctx, p); !errors.As(err, &pe) || pe.Path != string(p) {
		t.Errorf("QueryPathInfo error %v does not name the path", err)
	}
}

func testBadPaths(t *testing.T, s store.Store) {
	ctx := context.Background()
	dir := s.StoreDir()
	good := Path(dir, "x", "x")
	bad := []messages.StorePath{
		"/elsewhere/00000000000000000000000000000000-x",
		messages.StorePath(dir + "/short-x"),
		messages.StorePath(dir + "/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-x"), // 'e' is not in Nix's base-32
		messages.StorePath(dir + "/00000000000000000000000000000000-"),
		messages.StorePath(dir + "/00000000000000000000000000000000-..-hidden"), // refused by Nix 2.8 and 2.26 alike (storepath.CheckName)
		messages.StorePath(dir + "/00000000000000000000000000000000-."),
		messages.StorePath(dir + "/00000000000000000000000000000000-a/b"),
		messages.StorePath(dir + "/00000000000000000000000000000000-" + string(bytes.Repeat([]byte("n"), 212))),
		messages.StorePath(string(good) + "\x00"),
	}
	for _, p := range bad {
		if _, err := s.IsValid(ctx, p); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("IsValid(%q): %v; want ErrBadPath", p, err)
		}
		if _, err := s.QueryPathInfo(ctx, p); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("QueryPathInfo(%q): %v; want ErrBadPath", p, err)
		}
		if _, err := s.QueryReferrers(ctx, p); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("QueryReferrers(%q): %v; want ErrBadPath", p, err)
		}
		if _, _, err := s.OpenNAR(ctx, p); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("OpenNAR(%q): %v; want ErrBadPath", p, err)
		}
		nar := FileNAR(nil)
		if err := s.AddPath(ctx, Info(p, nar), bytes.NewReader(nar)); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("AddPath(%q): %v; want ErrBadPath", p, err)
		}
		if err := s.AddPath(ctx, Info(good, nar, p), bytes.NewReader(nar)); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("AddPath with reference %q: %v; want ErrBadPath", p, err)
		}
		info := Info(good, nar)
		info.Deriver = p
		if err := s.AddPath(ctx, info, bytes.NewReader(nar)); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("AddPath with deriver %q: %v; want ErrBadPath", p, err)
		}
		if err := s.AddTempRoot(ctx, "o", p); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("AddTempRoot(%q): %v; want ErrBadPath", p, err)
		}
	}
	for _, hp := range []string{"", "short", strings.Repeat("0", 33)} {
		if _, err := s.QueryPathFromHashPart(ctx, hp); !errors.Is(err, store.ErrBadPath) {
			t.Errorf("QueryPathFromHashPart(%q): %v; want ErrBadPath", hp, err)
		}
	}
	// As Nix: of the right length, but not nix32, names no path.
	for _, hp := range []string{"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "0000000000000000000000000000000/"} {
		if got, err := s.QueryPathFromHashPart(ctx, hp); got != "" || err != nil {
			t.Errorf("QueryPathFromHashPart(%q) = %q, %v; want none", hp, got, err)
		}
	}
	if err := s.AddIndirectRoot(ctx, "relative/link"); !errors.Is(err, store.ErrBadPath) {
		t.Errorf("AddIndirectRoot(relative): %v; want ErrBadPath", err)
	}
	assertEmpty(t, s)
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

var errBoom = errors.New("boom")

// cancelingReader cancels a context once it has returned after bytes.
type cancelingReader struct {
	r      io.Reader
	after  int
	cancel context.CancelFunc
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	if r.after <= 0 {
		r.cancel()
	}
	n, err := r.r.Read(p[:min(len(p), max(r.after, 1))])
	r.after -= n
	return n, err
}

func testHostileUploads(t *testing.T, s store.Store) {
	dir := s.StoreDir()
	p := Path(dir, "hostile", "hostile")
	nar := FileNAR(bytes.Repeat([]byte("x"), 300000))
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	midway, cancelMidway := context.WithCancel(context.Background())
	defer cancelMidway()
	cases := []struct {
		name string
		edit func(*messages.ValidPathInfo)
		src  io.Reader
		ctx  context.Context
		want error
	}{
		{"wrong hash", func(i *messages.ValidPathInfo) { i.NarHash = store.FormatNarHash(sha256.Sum256(nil)) }, nil, nil, store.ErrHashMismatch},
		{"declared too small", func(i *messages.ValidPathInfo) { i.NarSize-- }, nil, nil, store.ErrSizeMismatch},
		{"declared too large", func(i *messages.ValidPathInfo) { i.NarSize += 8 }, nil, nil, store.ErrSizeMismatch},
		{"declared zero", func(i *messages.ValidPathInfo) { i.NarSize = 0 }, nil, nil, store.ErrSizeMismatch},
		{"short stream", nil, bytes.NewReader(nar[:len(nar)/2]), nil, store.ErrInvalidNAR},
		{"short stream is unexpected EOF", nil, bytes.NewReader(nar[:len(nar)-3]), nil, io.ErrUnexpectedEOF},
		{"empty stream", nil, bytes.NewReader(nil), nil, store.ErrInvalidNAR},
		{"reader error", nil, &failingReader{data: nar[:200000], err: errBoom}, nil, errBoom},
		{"not a NAR", nil, bytes.NewReader(bytes.Repeat([]byte{1}, len(nar))), nil, store.ErrInvalidNAR},
		{"missing reference", func(i *messages.ValidPathInfo) { i.References = []messages.StorePath{Path(dir, "nope", "nope")} }, nil, nil, store.ErrMissingReference},
		{"unreadable hash", func(i *messages.ValidPathInfo) { i.NarHash = "sha256:zzzz" }, nil, nil, store.ErrBadHash},
		{"sha512 hash", func(i *messages.ValidPathInfo) {
			i.NarHash = messages.NarHash(nixhash.Sum(nixhash.SHA512, nil).String())
		}, nil, nil, store.ErrBadHash},
		{"canceled", nil, nil, canceled, context.Canceled},
		{"canceled mid-upload", nil, &cancelingReader{r: bytes.NewReader(nar), after: 100000, cancel: cancelMidway}, midway, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info := Info(p, nar)
			if tc.edit != nil {
				tc.edit(info)
			}
			src := tc.src
			if src == nil {
				src = bytes.NewReader(nar)
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			err := s.AddPath(ctx, info, src)
			if !errors.Is(err, tc.want) {
				t.Fatalf("AddPath: %v; want %v", err, tc.want)
			}
			var pe *store.PathError
			if !errors.As(err, &pe) || pe.Path != string(p) {
				t.Errorf("error %v is not a *PathError naming the path", err)
			}
			assertEmpty(t, s)
		})
	}
}

// assertEmpty checks that no path is visible through any query.
func assertEmpty(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	all, err := s.QueryAllValidPaths(ctx)
	if err != nil || len(all) != 0 {
		t.Errorf("QueryAllValidPaths = %v, %v; want nothing", all, err)
	}
	p := Path(s.StoreDir(), "hostile", "hostile")
	if ok, err := s.IsValid(ctx, p); ok || err != nil {
		t.Errorf("IsValid(%s) = %v, %v; want false", p, ok, err)
	}
}

func testAlreadyValid(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := Path(s.StoreDir(), "again", "again")
	nar := FileNAR([]byte("first"))
	first := Add(t, s, p, nar)
	other := FileNAR([]byte("second, different"))
	// The NAR is read, and only it: what follows it (the next path of
	// an AddMultipleToStore) is left for the caller.
	next := []byte("the next path's bytes")
	src := bytes.NewReader(append(append([]byte(nil), other...), next...))
	if err := s.AddPath(ctx, Info(p, other), src); err != nil {
		t.Fatalf("AddPath of a valid path: %v", err)
	}
	if src.Len() != len(next) {
		t.Errorf("AddPath of a valid path left %d bytes unread, want the %d after its NAR", src.Len(), len(next))
	}
	info, err := s.QueryPathInfo(ctx, p)
	if err != nil || info.NarHash != first.NarHash {
		t.Errorf("the valid path changed: %+v, %v", info, err)
	}
}

func testHashForms(t *testing.T, s store.Store) {
	ctx := context.Background()
	nar := FileNAR([]byte("forms"))
	sum := sha256.Sum256(nar)
	for i, h := range []messages.NarHash{
		store.FormatNarHash(sum),
		"sha256:" + store.FormatNarHash(sum),
		messages.NarHash("sha256-" + base64.StdEncoding.EncodeToString(sum[:])),
		messages.NarHash(nixhash.Sum(nixhash.SHA256, nar).Text(nixhash.Nix32, true)),
	} {
		p := Path(s.StoreDir(), fmt.Sprint("form", i), "form")
		info := Info(p, nar)
		info.NarHash = h
		if err := s.AddPath(ctx, info, bytes.NewReader(nar)); err != nil {
			t.Fatalf("hash %q: %v", h, err)
		}
		got, err := s.QueryPathInfo(ctx, p)
		if err != nil || got.NarHash != store.FormatNarHash(sum) {
			t.Errorf("hash %q read back as %v, %v; want base16", h, got, err)
		}
	}
}

func testSignatures(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := Path(s.StoreDir(), "sigs", "sigs")
	nar := FileNAR([]byte("signed"))
	info := Info(p, nar)
	info.Sigs = []messages.Signature{"b:2"}
	if err := s.AddPath(ctx, info, bytes.NewReader(nar)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSignatures(ctx, p, []messages.Signature{"c:3", "a:1", "b:2", "a:1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSignatures(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.QueryPathInfo(ctx, p)
	if want := []messages.Signature{"a:1", "b:2", "c:3"}; err != nil || !reflect.DeepEqual(got.Sigs, want) {
		t.Errorf("Sigs = %v, %v; want %v", got.Sigs, err, want)
	}
}

func testRoots(t *testing.T, s store.Store) {
	ctx := context.Background()
	dir := s.StoreDir()
	a, b, missing := Path(dir, "ra", "ra"), Path(dir, "rb", "rb"), Path(dir, "rm", "rm")
	Add(t, s, a, FileNAR([]byte("a")))
	Add(t, s, b, FileNAR([]byte("b")))
	links := t.TempDir()
	toA := filepath.Join(links, "result")
	toMissing := filepath.Join(links, "stale")
	notLink := filepath.Join(links, "plain")
	for link, target := range map[string]string{toA: string(a) + "/bin/x", toMissing: string(missing)} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(notLink, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{toA, toMissing, notLink, filepath.Join(links, "never-created")} {
		if err := s.AddIndirectRoot(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddTempRoot(ctx, "7", b); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTempRoot(ctx, "7", missing); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTempRoot(ctx, "8", a); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindRoots(ctx)
	want := []store.Root{{Link: toA, Path: a}, {Link: "{temp:7}", Path: b}, {Link: "{temp:8}", Path: a}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("FindRoots = %v, %v;\nwant %v", got, err, want)
	}
	if err := s.RemoveTempRoots(ctx, "7"); err != nil {
		t.Fatal(err)
	}
	got, err = s.FindRoots(ctx)
	want = []store.Root{{Link: toA, Path: a}, {Link: "{temp:8}", Path: a}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("FindRoots after RemoveTempRoots = %v, %v;\nwant %v", got, err, want)
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	dir := s.StoreDir()
	base := Path(dir, "base", "base")
	Add(t, s, base, FileNAR([]byte("base")))
	const writers, perWriter = 4, 8
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				nar := FileNAR(bytes.Repeat([]byte{byte(w), byte(i)}, 5000+i))
				p := Path(dir, fmt.Sprint(w, "/", i), "p")
				if err := s.AddPath(ctx, Info(p, nar, base, p), bytes.NewReader(nar)); err != nil {
					errs <- err
				}
				// Every writer also uploads the same shared path.
				shared := FileNAR([]byte("shared"))
				if err := s.AddPath(ctx, Info(Path(dir, "shared", "shared"), shared), bytes.NewReader(shared)); err != nil {
					errs <- err
				}
			}
		}()
	}
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := s.QueryReferrers(ctx, base); err != nil {
					errs <- err
				}
				if _, err := s.QueryPathInfo(ctx, base); err != nil {
					errs <- err
				}
				all, err := s.QueryAllValidPaths(ctx)
				if err != nil {
					errs <- err
				}
				for _, p := range all {
					r, _, err := s.OpenNAR(ctx, p)
					if err != nil {
						errs <- fmt.Errorf("a listed path is not readable: %w", err)
						continue
					}
					r.Close()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	refs, err := s.QueryReferrers(ctx, base)
	if err != nil || len(refs) != writers*perWriter {
		t.Errorf("%d referrers of base, %v; want %d", len(refs), err, writers*perWriter)
	}
}

// testSamePathWaits: an upload of a path that waits behind another upload
// of it (here one whose client stalls) honours its context.
func testSamePathWaits(t *testing.T, s store.Store) {
	p := Path(s.StoreDir(), "waits", "waits")
	nar := FileNAR([]byte("waits"))
	stalled, release := io.Pipe()
	first := make(chan error, 1)
	go func() { first <- s.AddPath(context.Background(), Info(p, nar), stalled) }()
	release.Write(nar[:8]) // the first upload has begun
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	second := make(chan error, 1)
	go func() { second <- s.AddPath(ctx, Info(p, nar), bytes.NewReader(nar)) }()
	select {
	case err := <-second:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the waiting upload: %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an upload waiting behind a stalled one of the same path ignored its context")
	}
	release.Write(nar[8:])
	release.Close()
	if err := <-first; err != nil {
		t.Fatalf("the first upload: %v", err)
	}
	if ok, err := s.IsValid(context.Background(), p); err != nil || !ok {
		t.Fatalf("IsValid after the first upload = %v, %v", ok, err)
	}
}

func testClosed(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := Path(s.StoreDir(), "closed", "closed")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	nar := FileNAR(nil)
	checks := map[string]error{
		"AddPath": s.AddPath(ctx, Info(p, nar), bytes.NewReader(nar)),
	}
	_, checks["IsValid"] = s.IsValid(ctx, p)
	_, checks["QueryPathInfo"] = s.QueryPathInfo(ctx, p)
	_, checks["QueryAllValidPaths"] = s.QueryAllValidPaths(ctx)
	_, _, checks["OpenNAR"] = s.OpenNAR(ctx, p)
	for name, err := range checks {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v; want ErrClosed", name, err)
		}
	}
}
