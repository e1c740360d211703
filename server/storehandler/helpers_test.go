package storehandler_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/server"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/store/sqlitestore"
)

// served is a Handler over a fresh sqlitestore, served on a unix socket.
type served struct {
	sock string
	dir  string
	h    *storehandler.Handler
	st   *sqlitestore.Store
}

// serve starts a server on a new store; mod may configure the handler.
// The socket lives in a short directory (unix socket names are limited to
// 108 bytes).
func serve(t testing.TB, mod func(*storehandler.Handler)) *served {
	t.Helper()
	return serveAs(t, mod, false)
}

// serveAs is serve with a server that tells clients they are untrusted if
// untrusted is set.
func serveAs(t testing.TB, mod func(*storehandler.Handler), untrusted bool) *served {
	t.Helper()
	dir, err := os.MkdirTemp("", "nwsh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	st, err := sqlitestore.Open(filepath.Join(dir, "data"), sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "root", "nix", "store")
	if err := storehandler.CleanRealStoreDir(real); err != nil {
		t.Fatal(err)
	}
	h := &storehandler.Handler{Store: st, TempDir: dir, RealStoreDir: real}
	if mod != nil {
		mod(h)
	}
	srv := &server.Server{Handler: messages.NewWorkerDispatcher(h), Untrusted: untrusted, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sock := filepath.Join(dir, "sock")
	ln, err := server.ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
		st.Close()
	})
	return &served{sock: sock, dir: dir, h: h, st: st}
}

// startDaemon starts the real daemon d on a socket for the test's
// duration and returns the socket's path.
func startDaemon(t testing.TB, d *nixdaemon.Daemon) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	dir, err := os.MkdirTemp("", "nwdm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock, stop, err := d.StartSocket(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return sock
}
