package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/store/storetest"
)

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.Path(store.DefaultStoreDir, "a", "a")
	b := storetest.Path(store.DefaultStoreDir, "b", "b")
	storetest.Add(t, s, a, storetest.FileNAR([]byte("a")))
	storetest.Add(t, s, b, storetest.FileNAR([]byte("b")), a)
	if err := s.AddIndirectRoot(context.Background(), "/some/link"); err != nil {
		t.Fatal(err)
	}
	want, _ := s.QueryPathInfo(context.Background(), b)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.QueryPathInfo(context.Background(), b)
	if err != nil || got.NarHash != want.NarHash || len(got.References) != 1 || got.RegistrationTime != want.RegistrationTime {
		t.Errorf("after reopening: %+v, %v; want %+v", got, err, want)
	}
	if err := s.Verify(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestOpenRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kept := storetest.Path(store.DefaultStoreDir, "kept", "kept")
	storetest.Add(t, s, kept, storetest.FileNAR([]byte("kept")))
	s.Close()
	// What a crash leaves: a half-written upload, and a NAR renamed into
	// place whose transaction never committed.
	orphan := storetest.Path(store.DefaultStoreDir, "orphan", "orphan")
	leftovers := []string{
		filepath.Join(dir, tmpDir, "upload-123"),
		filepath.Join(dir, narDir, filepath.Base(string(orphan))+narExt),
	}
	for _, f := range leftovers {
		if err := os.WriteFile(f, []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range leftovers {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived Open: %v", f, err)
		}
	}
	if err := s.Verify(context.Background()); err != nil {
		t.Error(err)
	}
	if ok, _ := s.IsValid(context.Background(), kept); !ok {
		t.Error("the registered path is gone")
	}
}

func TestVerifyFindsDamage(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	p := storetest.Path(store.DefaultStoreDir, "p", "p")
	storetest.Add(t, s, p, storetest.FileNAR([]byte("original")))
	if err := os.WriteFile(s.narFile(p), storetest.FileNAR([]byte("tampered")), 0o644); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(s.dir, narDir, "stray"+narExt)
	if err := os.WriteFile(stray, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := s.Verify(context.Background())
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Verify: %v; want ErrCorrupt", err)
	}
	t.Log(err)
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 2 {
		t.Errorf("Verify found %d problems; want 2 (hash and stray file)", n)
	}
}

func TestHostileUploadLeavesNoFiles(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	p := storetest.Path(store.DefaultStoreDir, "h", "h")
	nar := storetest.FileNAR(bytes.Repeat([]byte("h"), 100000))
	info := storetest.Info(p, nar)
	info.NarHash = store.FormatNarHash(sha256.Sum256(nil))
	if err := s.AddPath(context.Background(), info, bytes.NewReader(nar)); !errors.Is(err, store.ErrHashMismatch) {
		t.Fatal(err)
	}
	info = storetest.Info(p, nar, storetest.Path(store.DefaultStoreDir, "gone", "gone"))
	if err := s.AddPath(context.Background(), info, bytes.NewReader(nar)); !errors.Is(err, store.ErrMissingReference) {
		t.Fatal(err)
	}
	for _, d := range []string{tmpDir, narDir} {
		ents, _ := os.ReadDir(filepath.Join(s.dir, d))
		if len(ents) != 0 {
			t.Errorf("%s holds %d files after failed uploads", d, len(ents))
		}
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: %v; want ErrLocked", err)
	}
	s.Close()
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s.Close()
}

func TestStoreDirRecorded(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{StoreDir: "/gnu/store"})
	if err != nil {
		t.Fatal(err)
	}
	if s.StoreDir() != "/gnu/store" {
		t.Errorf("StoreDir = %q", s.StoreDir())
	}
	s.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrStoreDir) {
		t.Errorf("Open with another store dir: %v; want ErrStoreDir", err)
	}
	if _, err := Open(t.TempDir(), Options{StoreDir: "relative"}); err == nil {
		t.Error("Open accepted a relative store dir")
	}
}

// randomContents is an endless deterministic stream of pseudo-random
// bytes that holds nothing in memory.
type randomContents struct{ r *rand.ChaCha8 }

func newRandomContents(seed byte) io.Reader {
	return &randomContents{r: rand.NewChaCha8([32]byte{seed})}
}

func (r *randomContents) Read(p []byte) (int, error) { return r.r.Read(p) }

// bigUpload returns the metadata of a NAR of one file of size bytes and a
// function making a fresh stream of that NAR.
func bigUpload(t testing.TB, size int64) (*messages.ValidPathInfo, func() io.Reader) {
	h := sha256.New()
	if _, err := io.Copy(h, storetest.NewFileNARReader(size, newRandomContents(1))); err != nil {
		t.Fatal(err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	info := &messages.ValidPathInfo{
		Path:    storetest.Path(store.DefaultStoreDir, "big", "big"),
		NarHash: store.FormatNarHash(sum),
		NarSize: uint64(storetest.NARSize(size)),
	}
	return info, func() io.Reader { return storetest.NewFileNARReader(size, newRandomContents(1)) }
}

// TestUploadMemoryBounded uploads and reads back a 64 MiB NAR and checks
// that the process allocated a small fraction of that.
func TestUploadMemoryBounded(t *testing.T) {
	const size = 64 << 20
	info, nar := bigUpload(t, size)
	s := openTemp(t)
	defer s.Close()
	src := nar()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := s.AddPath(context.Background(), info, src); err != nil {
		t.Fatal(err)
	}
	r, _, err := s.OpenNAR(context.Background(), info.Path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, onlyReader{r})
	r.Close()
	runtime.ReadMemStats(&after)
	if err != nil || uint64(n) != info.NarSize {
		t.Fatalf("read back %d bytes, %v", n, err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("64 MiB upload and read-back allocated %d KiB in total", alloc>>10)
	if alloc > 4<<20 {
		t.Errorf("64 MiB upload and read-back allocated %d bytes; want under 4 MiB", alloc)
	}
}

// onlyReader hides WriteTo/ReadFrom so that io.Copy uses a plain buffer.
type onlyReader struct{ io.Reader }

// BenchmarkAddPath64MiB uploads a 64 MiB NAR per iteration, against
// hashing and copying the same stream to a plain file (the baseline: what
// an upload cannot avoid).
func BenchmarkAddPath64MiB(b *testing.B) {
	const size = 64 << 20
	info, nar := bigUpload(b, size)
	b.Run("baseline=hash+write+fsync", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(info.NarSize))
		dir := b.TempDir()
		for i := 0; i < b.N; i++ {
			f, err := os.Create(filepath.Join(dir, "f"))
			if err != nil {
				b.Fatal(err)
			}
			h := sha256.New()
			if _, err := io.Copy(io.MultiWriter(f, h), nar()); err != nil {
				b.Fatal(err)
			}
			f.Sync()
			f.Close()
		}
	})
	b.Run("AddPath", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(info.NarSize))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := openTemp(b)
			b.StartTimer()
			if err := s.AddPath(context.Background(), info, nar()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	})
}

// BenchmarkQueryPathInfo is the metadata lookup behind op QueryPathInfo.
func BenchmarkQueryPathInfo(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	base := storetest.Path(store.DefaultStoreDir, "base", "base")
	storetest.Add(b, s, base, storetest.FileNAR([]byte("base")))
	p := storetest.Path(store.DefaultStoreDir, "p", "p")
	info := storetest.Info(p, storetest.FileNAR([]byte("p")), base, p)
	info.Sigs = []messages.Signature{"cache.example.org-1:AAAA"}
	if err := s.AddPath(context.Background(), info, bytes.NewReader(storetest.FileNAR([]byte("p")))); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := s.QueryPathInfo(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}
