package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/server"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/store/sqlitestore"
)

const serveUsage = `usage: nixwire serve --socket PATH --data DIR [--store-dir DIR] [--require-sigs] [--trusted-public-key NAME:BASE64 ...] [--no-files]

Serve the store kept in DIR (created if needed: metadata in DIR/db.sqlite,
NARs in DIR/nar) over the Nix worker protocol on the unix socket PATH, to
clients such as "nix-store --store 'unix://PATH?root=DIR/root'". Nix's
clients read the files of a unix:// store's paths from disk themselves, so
every path is also unpacked below DIR/root (unless --no-files). Clients on the socket are
trusted; with --require-sigs an imported path needs a signature by one of
the trusted keys unless it is content-addressed. SIGINT or SIGTERM stops the
server gracefully: no new connections, running operations get
--shutdown-timeout to finish.
`

// serveCmd is `nixwire serve`: it parses its flags and serves until a
// signal, returning the exit status.
func serveCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage) }
	socket := fs.String("socket", "", "unix socket to listen on (required)")
	data := fs.String("data", "", "data directory of the store (required)")
	storeDir := fs.String("store-dir", store.DefaultStoreDir, "store directory the paths are named in")
	requireSigs := fs.Bool("require-sigs", false, "refuse imported paths without a trusted signature unless content-addressed")
	var keys []signature.PublicKey
	fs.Func("trusted-public-key", "a trusted public key, NAME:BASE64 (repeatable)", func(s string) error {
		k, err := signature.ParsePublicKey(s)
		if err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	})
	noFiles := fs.Bool("no-files", false, "do not unpack paths into DATA/root (C++ clients then cannot read their files)")
	maxConns := fs.Int("max-conns", 64, "connections served at once")
	grace := fs.Duration("shutdown-timeout", 30*time.Second, "how long running operations may go on after a signal")
	if fs.Parse(args) != nil {
		return 2
	}
	if fs.NArg() != 0 || *socket == "" || *data == "" {
		fmt.Fprint(stderr, serveUsage)
		return 2
	}
	if *requireSigs && len(keys) == 0 {
		fmt.Fprintln(stderr, "nixwire serve: warning: --require-sigs without --trusted-public-key accepts only content-addressed paths")
	}
	cfg := serveConfig{socket: *socket, data: *data, storeDir: *storeDir, requireSigs: *requireSigs, keys: keys, noFiles: *noFiles, maxConns: *maxConns, grace: *grace}
	if err := runServe(ctx, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "nixwire serve: %v\n", err)
		return 1
	}
	return 0
}

type serveConfig struct {
	socket, data, storeDir string
	requireSigs            bool
	keys                   []signature.PublicKey
	noFiles                bool
	maxConns               int
	grace                  time.Duration
}

func runServe(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	st, err := sqlitestore.Open(cfg.data, sqlitestore.Options{StoreDir: cfg.storeDir})
	if err != nil {
		return err
	}
	defer st.Close()
	// AddToStore spools dumps here; what an interrupted one left is removed.
	tmp := cfg.data + "/spool"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h := &storehandler.Handler{Store: st, RequireSigs: cfg.requireSigs, TrustedKeys: cfg.keys, TempDir: tmp, Log: log}
	if !cfg.noFiles {
		// Nix's clients on unix://PATH?root=DATA/root read the files of
		// paths from here themselves.
		h.RealStoreDir = filepath.Join(cfg.data, "root", strings.TrimPrefix(cfg.storeDir, "/"))
		if err := storehandler.CleanRealStoreDir(h.RealStoreDir); err != nil {
			return err
		}
	}
	srv := &server.Server{Handler: messages.NewWorkerDispatcher(h), MaxConns: cfg.maxConns, Log: log}
	ln, err := server.ListenUnix(cfg.socket)
	if err != nil {
		return err
	}
	defer os.Remove(cfg.socket)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	log.Info("nixwire serve: listening", "socket", cfg.socket, "data", cfg.data, "store", cfg.storeDir)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("nixwire serve: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, server.ErrServerClosed) {
		return err
	}
	return nil
}
