package sqlitestore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/nixwire/nixwire/store/sqlitestore"
	"github.com/nixwire/nixwire/store/storetest"
)

// A store is opened on a data directory; an upload is the path's metadata
// (computed by the caller) and a stream of its NAR.
func Example() {
	dir, err := os.MkdirTemp("", "store")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := sqlitestore.Open(dir, sqlitestore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()
	nar := storetest.FileNAR([]byte("hello\n"))
	info := storetest.Info("/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello", nar)
	if err := s.AddPath(ctx, info, bytes.NewReader(nar)); err != nil {
		log.Fatal(err)
	}

	got, err := s.QueryPathInfo(ctx, info.Path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.NarSize, got.NarHash) // the hash `nix-store --dump FILE | sha256sum` prints
	r, size, err := s.OpenNAR(ctx, info.Path)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	n, _ := io.Copy(io.Discard, r)
	fmt.Println(n == int64(size))
	// Output:
	// 120 1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13
	// true
}
