package storehandler_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/wire"
)

// benchPair is nixwire's store and Nix 2.8's daemon holding the same
// paths, each with a connection of nixwire's client at 1.34.
type benchPair struct {
	ours, daemon *client.Conn
	paths        []messages.StorePath
}

func newBenchPair(b *testing.B, contents [][]byte) *benchPair {
	b.Helper()
	d := nixdaemon.Require(b, nixdaemon.Legacy)
	ctx := context.Background()
	sock := startDaemon(b, d)
	s := serve(b, nil)
	bp := &benchPair{ours: dial(b, s.sock, wire.V(1, 34)), daemon: dial(b, sock, wire.V(1, 34))}
	for i, c := range contents {
		p, err := d.AddToStore(ctx, fmt.Sprintf("nixwire-bench-%d-%d", len(c), i), c)
		if err != nil {
			b.Fatal(err)
		}
		sp := messages.StorePath(p)
		info, err := bp.daemon.QueryPathInfo(ctx, sp)
		if err != nil || info == nil {
			b.Fatalf("QueryPathInfo(%s): %v", p, err)
		}
		// Copy the path into nixwire's store, streaming the NAR.
		pr, pw := io.Pipe()
		go func() {
			_, err := bp.daemon.NarFromPath(ctx, sp, pw)
			pw.CloseWithError(err)
		}()
		if err := bp.ours.AddToStoreNar(ctx, info, pr, client.ImportOptions{DontCheckSigs: true}); err != nil {
			b.Fatal(err)
		}
		bp.paths = append(bp.paths, sp)
	}
	return bp
}

// BenchmarkQueryPathInfo2000 answers 2000 QueryPathInfo (100 rounds over
// 20 paths) per op, from nixwire's store and from Nix 2.8's daemon, with
// the same client. Run with -count to interleave the two:
//
//	go test ./server/storehandler -run '^$' -bench QueryPathInfo2000 -count 5
func BenchmarkQueryPathInfo2000(b *testing.B) {
	contents := make([][]byte, 20)
	for i := range contents {
		contents[i] = []byte(fmt.Sprintf("bench path %d\n", i))
	}
	bp := newBenchPair(b, contents)
	bp.each(b, 0, func(ctx context.Context, c *client.Conn) error {
		for i := 0; i < 2000; i++ {
			if _, err := c.QueryPathInfo(ctx, bp.paths[i%len(bp.paths)]); err != nil {
				return err
			}
		}
		return nil
	})
}

// each runs op as a sub-benchmark on each side, nixwire's first.
func (bp *benchPair) each(b *testing.B, bytes int64, op func(context.Context, *client.Conn) error) {
	for _, side := range []struct {
		name string
		c    *client.Conn
	}{{"nixwire", bp.ours}, {"nix-daemon-2.8", bp.daemon}} {
		b.Run(side.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(bytes)
			for b.Loop() {
				if err := op(ctx, side.c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNarFromPath64MiB streams the NAR of a 64 MiB file from each
// side into io.Discard. B/op (client and server are in this process for
// nixwire) shows the NAR is never buffered.
func BenchmarkNarFromPath64MiB(b *testing.B) {
	big := make([]byte, 64<<20)
	rand.Read(big)
	bp := newBenchPair(b, [][]byte{big})
	bp.each(b, int64(len(big)), func(ctx context.Context, c *client.Conn) error {
		_, err := c.NarFromPath(ctx, bp.paths[0], io.Discard)
		return err
	})
}

// zeroNAR streams the NAR of a file of size zero bytes without holding it.
func zeroNAR(size uint64) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := nar.NewWriter(pw)
		w.File(false, size)
		w.ReadFrom(io.LimitReader(zeros{}, int64(size)))
		pw.CloseWithError(w.Close())
	}()
	return pr
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// BenchmarkAddToStoreNar64MiB uploads a 64 MiB path (a new path each
// time) to nixwire's store: B/op stays far below the upload's size.
func BenchmarkAddToStoreNar64MiB(b *testing.B) {
	// Without unpacking into a real store directory: the upload alone.
	s := serve(b, func(h *storehandler.Handler) { h.RealStoreDir = "" })
	c := dial(b, s.sock, wire.V(1, 38))
	ctx := context.Background()
	const size = 64 << 20
	hs := sha256.New()
	n, _ := io.Copy(hs, zeroNAR(size))
	sum := hex.EncodeToString(hs.Sum(nil))
	b.ReportAllocs()
	b.SetBytes(n)
	for b.Loop() {
		info := narInfo(b, "big", nil)
		info.NarHash, info.NarSize = messages.NarHash(sum), uint64(n)
		if err := c.AddToStoreNar(ctx, info, zeroNAR(size), client.ImportOptions{DontCheckSigs: true}); err != nil {
			b.Fatal(err)
		}
	}
}
