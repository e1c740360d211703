package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"strconv"
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

func init() {
	register(&command{
		name: "serve", args: "--socket PATH --data DIR [--store-dir DIR] [--require-sigs] [--trusted-public-key NAME:BASE64]... [--trusted-user USER]... [--no-files]",
		summary: "serve the store kept in DIR over the worker protocol (clients: --store 'unix://PATH?root=DIR/root')",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			socket := fs.String("socket", "", "unix socket to listen on (required)")
			data := fs.String("data", "", "data directory of the store, created if needed: metadata in DIR/db.sqlite, NARs in DIR/nar (required)")
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
			var trustedUsers []string
			fs.Func("trusted-user", "a user (name or uid) whose clients are trusted, as Nix's trusted-users; repeatable (default: every client, whoever it runs as)", func(s string) error {
				trustedUsers = append(trustedUsers, s)
				return nil
			})
			noFiles := fs.Bool("no-files", false, "do not unpack paths into DIR/root (Nix's C++ clients read a unix:// store's files from disk, and then cannot)")
			maxConns := fs.Int("max-conns", 64, "connections served at once")
			grace := fs.Duration("shutdown-timeout", 30*time.Second, "how long running operations may go on after SIGINT or SIGTERM")
			return func(ctx context.Context, e *env, _ []string) error {
				if *socket == "" || *data == "" {
					return usagef("--socket PATH and --data DIR are required")
				}
				if *requireSigs && len(keys) == 0 {
					fmt.Fprintln(e.stderr, "nixwire serve: warning: --require-sigs without --trusted-public-key accepts only content-addressed paths")
				}
				trust, err := trustUsers(trustedUsers)
				if err != nil {
					return usagef("%v", err)
				}
				if *requireSigs && trust == nil {
					fmt.Fprintln(e.stderr, "nixwire serve: warning: every client is trusted and may skip the signature checks of --require-sigs; give --trusted-user to trust only some users")
				}
				cfg := serveConfig{socket: *socket, data: *data, storeDir: *storeDir, requireSigs: *requireSigs, keys: keys, noFiles: *noFiles, maxConns: *maxConns, grace: *grace, trust: trust}
				// Running operations get their shutdown time.
				e.windDown.Store(int64(max(*grace, 0) + defaultWindDown))
				return runServe(ctx, cfg, e.stderr)
			}
		},
	})
}

type serveConfig struct {
	socket, data, storeDir string
	requireSigs            bool
	keys                   []signature.PublicKey
	noFiles                bool
	maxConns               int
	grace                  time.Duration
	trust                  func(net.Conn) bool // nil: every client
}

// trustUsers returns the Server.Trust of --trusted-user: the peers
// running as one of users (names or uids; root is not implied) are
// trusted, the others not. No users: nil, every client is trusted.
func trustUsers(users []string) (func(net.Conn) bool, error) {
	if len(users) == 0 {
		return nil, nil
	}
	uids := map[uint32]bool{}
	for _, name := range users {
		id := name
		if u, err := user.Lookup(name); err == nil {
			id = u.Uid
		}
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--trusted-user %q: no such user", name)
		}
		uids[uint32(n)] = true
	}
	return func(nc net.Conn) bool {
		uid, ok := server.PeerUID(nc)
		return ok && uids[uid]
	}, nil
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
	srv := &server.Server{Handler: messages.NewWorkerDispatcher(h), MaxConns: cfg.maxConns, Log: log, Trust: cfg.trust}
	ln, err := server.ListenUnix(cfg.socket)
	if err != nil {
		return err
	}
	defer os.Remove(cfg.socket)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM) // the command's ctx ends on Ctrl-C already
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
