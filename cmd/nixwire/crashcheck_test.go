package main

import (
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
)

// checkStore checks, through c, the store of a freshly restarted server
// no client uploads to: see TestServeCrashSafety. NarFromPath is re-hashed
// for the paths acknowledged or found since the last check and a few
// others, or for all of them when full.
func checkStore(t *testing.T, iter int, c *client.Conn, data string, l *ledger, full bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*opTimeout)
	defer cancel()
	if left := leftovers(data); len(left) != 0 {
		t.Fatalf("iteration %d: temporary files survived the server's startup: %v", iter, left)
	}
	for p, want := range l.maybe {
		info, err := c.QueryPathInfo(ctx, p)
		if err != nil {
			t.Fatalf("iteration %d: QueryPathInfo %s: %v", iter, p, err)
		}
		if info != nil {
			checkInfo(t, iter, "cut-off upload", info, want)
			want.fileSum = [sha256.Size]byte{} // the kill may have come before the unpacking
			l.add(p, want)
			l.promoted++
		}
	}
	clear(l.maybe)
	for p := range l.never {
		if ok, err := c.IsValidPath(ctx, p); err != nil || ok {
			t.Fatalf("iteration %d: upload %s with a wrong hash: valid %v (%v)", iter, p, ok, err)
		}
	}
	all, err := c.QueryAllValidPaths(ctx)
	if err != nil {
		t.Fatalf("iteration %d: QueryAllValidPaths: %v", iter, err)
	}
	valid := make(map[messages.StorePath]bool, len(all))
	for _, p := range all {
		valid[p] = true
		if _, ok := l.acked[p]; ok {
			continue
		}
		// An AddToStore the kill cut off after it registered the path:
		// it must be whole, and stay.
		info, err := c.QueryPathInfo(ctx, p)
		if err != nil || info == nil {
			t.Fatalf("iteration %d: QueryPathInfo %s, listed valid: %v, %v", iter, p, info, err)
		}
		l.add(p, expect{narHash: info.NarHash, narSize: info.NarSize, refs: slices.Sorted(slices.Values(info.References))})
		l.promoted++
	}
	for p, want := range l.acked {
		if !valid[p] {
			t.Fatalf("iteration %d: acknowledged upload %s is missing after the restart", iter, p)
		}
		info, err := c.QueryPathInfo(ctx, p)
		if err != nil || info == nil {
			t.Fatalf("iteration %d: QueryPathInfo %s: %v, %v", iter, p, info, err)
		}
		checkInfo(t, iter, "acknowledged upload", info, want)
		if want.fileSum != ([sha256.Size]byte{}) {
			if _, err := os.Lstat(filepath.Join(realStoreDir(data), filepath.Base(string(p)))); err != nil {
				t.Fatalf("iteration %d: acknowledged upload %s is not unpacked: %v", iter, p, err)
			}
		}
	}
	ents, err := os.ReadDir(realStoreDir(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if p := messages.StorePath(store.DefaultStoreDir + "/" + e.Name()); !valid[p] {
			t.Fatalf("iteration %d: %s is unpacked but not valid", iter, p)
		}
	}
	rehash := l.fresh
	if full {
		rehash = l.order
	} else {
		for range 3 {
			if len(l.order) > 0 {
				rehash = append(rehash, l.order[rand.IntN(len(l.order))])
			}
		}
	}
	for _, p := range rehash {
		checkNAR(t, ctx, iter, c, data, p, l.acked[p])
	}
	l.fresh = nil
}

// checkInfo compares the metadata the server gives for a path with what
// was uploaded.
func checkInfo(t *testing.T, iter int, what string, info *messages.ValidPathInfo, want expect) {
	t.Helper()
	refs := slices.Sorted(slices.Values(info.References))
	if info.NarHash != want.narHash || info.NarSize != want.narSize || !slices.Equal(refs, want.refs) {
		t.Fatalf("iteration %d: %s %s: NAR %s, %d bytes, references %v; uploaded %s, %d bytes, %v",
			iter, what, info.Path, info.NarHash, info.NarSize, refs, want.narHash, want.narSize, want.refs)
	}
}

// checkNAR re-hashes the NAR NarFromPath streams for p, and the file
// unpacked into the real store directory.
func checkNAR(t *testing.T, ctx context.Context, iter int, c *client.Conn, data string, p messages.StorePath, want expect) {
	t.Helper()
	h := sha256.New()
	n, err := c.NarFromPath(ctx, p, h)
	if err != nil {
		t.Fatalf("iteration %d: NarFromPath %s: %v", iter, p, err)
	}
	if got := store.FormatNarHash([sha256.Size]byte(h.Sum(nil))); got != want.narHash || uint64(n) != want.narSize {
		t.Fatalf("iteration %d: NarFromPath %s: %d bytes of hash %s; want %d bytes of %s", iter, p, n, got, want.narSize, want.narHash)
	}
	if want.fileSum == ([sha256.Size]byte{}) {
		return
	}
	f, err := os.Open(filepath.Join(realStoreDir(data), filepath.Base(string(p))))
	if err != nil {
		t.Fatalf("iteration %d: %v", iter, err)
	}
	defer f.Close()
	h.Reset()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if [sha256.Size]byte(h.Sum(nil)) != want.fileSum {
		t.Fatalf("iteration %d: the unpacked file of %s differs from the upload", iter, strings.TrimPrefix(string(p), store.DefaultStoreDir+"/"))
	}
}
