package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/store/storetest"
)

// FuzzAddPath uploads arbitrary bytes declared with their own hash and
// size: the upload must succeed exactly when the bytes are one valid NAR,
// and a refused upload must leave nothing registered.
func FuzzAddPath(f *testing.F) {
	f.Add(storetest.FileNAR([]byte("hello")))
	f.Add(storetest.FileNAR(nil)[:20])
	f.Add([]byte("nix-archive-1"))
	s := openTemp(f)
	defer s.Close()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		sum := sha256.Sum256(data)
		p := storetest.Path(store.DefaultStoreDir, hex.EncodeToString(sum[:]), "fuzz")
		info := storetest.Info(p, data)
		n, scanErr := nar.Copy(io.Discard, bytes.NewReader(data))
		validNAR := scanErr == nil && n == int64(len(data))
		err := s.AddPath(ctx, info, bytes.NewReader(data))
		if validNAR != (err == nil) {
			t.Fatalf("valid NAR %v (%v), AddPath: %v", validNAR, scanErr, err)
		}
		ok, qerr := s.IsValid(ctx, p)
		if qerr != nil || ok != validNAR {
			t.Fatalf("IsValid = %v, %v after AddPath: %v", ok, qerr, err)
		}
	})
}
