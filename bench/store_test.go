package bench

// Store primitives: nixwire's nar, nixhash and storepath against go-nix's
// nar, nixbase32 and storepath, on the same inputs (sub-benchmarks
// impl=nixwire and impl=go-nix).

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	gonixnar "github.com/nix-community/go-nix/pkg/nar"
	gonix32 "github.com/nix-community/go-nix/pkg/nixbase32"
	gonixpath "github.com/nix-community/go-nix/pkg/storepath"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/storepath"
)

// bigTree writes a directory with a 64 MiB file and a small one.
func bigTree(b *testing.B) string {
	dir := filepath.Join(b.TempDir(), "tree")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	big := make([]byte, 64<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	if err := os.WriteFile(filepath.Join(dir, "big"), big, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small"), []byte("x"), 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkDumpPath64MiB writes the NAR of a directory holding a 64 MiB
// file into SHA-256 (how a narHash is computed).
func BenchmarkDumpPath64MiB(b *testing.B) {
	dir := bigTree(b)
	var ours, theirs bytes.Buffer
	if _, err := nar.DumpPath(&ours, dir); err != nil {
		b.Fatal(err)
	}
	if err := gonixnar.DumpPath(&theirs, dir); err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(ours.Bytes(), theirs.Bytes()) {
		b.Fatal("the two NARs differ")
	}
	size := int64(ours.Len())
	ours, theirs = bytes.Buffer{}, bytes.Buffer{}
	b.Run("impl=nixwire", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := nar.DumpPath(sha256.New(), dir); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=go-nix", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if err := gonixnar.DumpPath(sha256.New(), dir); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkNix32Encode(b *testing.B) {
	d := nixhash.Sum(nixhash.SHA256, []byte("x")).Digest()
	buf := make([]byte, nixhash.Nix32EncodedLen(len(d)))
	b.Run("impl=nixwire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			nixhash.EncodeNix32(buf, d)
		}
	})
	b.Run("impl=go-nix", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gonix32.Encode(buf, d)
		}
	})
}

func BenchmarkNix32Decode(b *testing.B) {
	s := nixhash.Sum(nixhash.SHA256, []byte("x")).Nix32()
	sb := []byte(s)
	dst := make([]byte, 32)
	b.Run("impl=nixwire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !nixhash.DecodeNix32(dst, s) {
				b.Fatal("decode")
			}
		}
	})
	b.Run("impl=go-nix", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gonix32.Decode(dst, sb); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkStorePathParse(b *testing.B) {
	const s = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello-2.12.1"
	b.Run("impl=nixwire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := storepath.Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=go-nix", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gonixpath.FromAbsolutePath(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
