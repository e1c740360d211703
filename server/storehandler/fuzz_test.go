package storehandler_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/store/sqlitestore"
	"github.com/nixwire/nixwire/wire"
)

// fuzzHandler is a handler over a store shared by the fuzz target's
// executions (opening one is slow), called directly (no server: a context
// without a session is trusted and AddToStore takes the layout before
// 1.25).
func fuzzHandler(f testing.TB) (*storehandler.Handler, *sqlitestore.Store) {
	dir, err := os.MkdirTemp("", "nwfz")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(dir) })
	st, err := sqlitestore.Open(filepath.Join(dir, "data"), sqlitestore.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	return &storehandler.Handler{Store: st, TempDir: dir}, st
}

// multiStream is AddMultipleToStore's framed payload for the given
// entries (count, then each ValidPathInfo at 1.16 and its NAR).
func multiStream(t testing.TB, infos []*messages.ValidPathInfo, nars [][]byte) []byte {
	var b bytes.Buffer
	w := wire.NewWriter(&b)
	w.Uint64(uint64(len(infos)))
	for i, info := range infos {
		if err := (&messages.AddMultipleToStoreEntry{Info: *info}).EncodeWire(w, wire.Proto{}); err != nil {
			t.Fatal(err)
		}
		w.Write(nars[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzAddMultipleToStore feeds arbitrary payloads to AddMultipleToStore
// under require-sigs: it never panics, and whatever it accepts leaves the
// store consistent.
func FuzzAddMultipleToStore(f *testing.F) {
	leafNAR := nar.FileNAR(false, []byte("leaf"))
	leaf := narInfo(f, "leaf", leafNAR)
	hello := nar.FileNAR(false, []byte("hello\n"))
	ca := &messages.ValidPathInfo{Path: helloFlatSHA1, NarHash: helloNarHash, NarSize: 120, CA: helloSHA1CA}
	f.Add(multiStream(f, []*messages.ValidPathInfo{leaf}, [][]byte{leafNAR}), false)
	f.Add(multiStream(f, []*messages.ValidPathInfo{ca}, [][]byte{hello}), true)
	f.Add(multiStream(f, []*messages.ValidPathInfo{ca, leaf}, [][]byte{hello, leafNAR}), true)
	f.Add([]byte{}, false)
	h, st := fuzzHandler(f)
	strict := &storehandler.Handler{Store: st, TempDir: h.TempDir, RequireSigs: true}
	f.Fuzz(func(t *testing.T, payload []byte, requireSigs bool) {
		h := h
		if requireSigs {
			h = strict
		}
		h.AddMultipleToStore(context.Background(), &messages.AddMultipleToStoreRequest{}, bytes.NewReader(payload))
		if err := st.Verify(context.Background()); err != nil {
			t.Fatalf("store inconsistent: %v", err)
		}
	})
}

// FuzzAddToStoreLegacy feeds arbitrary dumps to AddToStore's layout
// before 1.25 (a NAR, flat or recursive): it never panics, and an accepted
// flat upload is a regular file.
func FuzzAddToStoreLegacy(f *testing.F) {
	f.Add(nar.FileNAR(false, []byte("hello\n")), false, "sha256")
	f.Add(nar.FileNAR(true, []byte("hello\n")), true, "sha1")
	f.Add(dirNAR(f, map[string]string{"a": "x", "b": "y"}), true, "sha512")
	f.Add(dirNAR(f, map[string]string{"a": "x"}), false, "md5")
	f.Add([]byte("nix-archive-1"), true, "sha256")
	h, st := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, dump []byte, recursive bool, algo string) {
		req := &messages.AddToStoreRequest{Name: "fuzz", Fixed: true, Recursive: recursive, HashAlgo: algo}
		reply, err := h.AddToStore(context.Background(), req, bytes.NewReader(dump))
		if err == nil && reply.Path == "" {
			t.Fatal("success without a path")
		}
		if err := st.Verify(context.Background()); err != nil {
			t.Fatalf("store inconsistent: %v", err)
		}
	})
}
