package storehandler_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/server"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/store/sqlitestore"
)

// A store of one's own behind the worker protocol: an embedded store
// served on a unix socket, and a client that adds a text file to it.
func Example() {
	dir, err := os.MkdirTemp("", "nwex")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlitestore.Open(filepath.Join(dir, "data"), sqlitestore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	srv := &server.Server{Handler: messages.NewWorkerDispatcher(storehandler.New(st))}
	ln, err := server.ListenUnix(filepath.Join(dir, "sock"))
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	ctx := context.Background()
	c, err := client.DialUnix(ctx, filepath.Join(dir, "sock"), client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	info, err := c.AddToStore(ctx, "hello.txt", client.MethodText, nil, false, bytes.NewReader([]byte("hello\n")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Path)
	fmt.Println(info.CA)
	// Output:
	// /nix/store/qa1w9gdfrba6jl2r57mb3c43863gqywp-hello.txt
	// text:sha256:00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq
}
