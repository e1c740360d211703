package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/storepath"
)

func init() {
	register(&command{name: "add", args: "FILE|DIR...", store: true, minArgs: 1, maxArgs: -1,
		summary: "add files or directories to the store and print their paths (nix-store --add)",
		setup:   simple(add)})
}

// add adds each argument as `nix-store --add` does: its NAR (nar.DumpPath)
// under its base name, recursive SHA-256, streamed to the daemon. The path
// the daemon reports is checked against the one computed from the NAR's
// hash (storepath), so that a daemon that stored something else is an
// error.
func add(ctx context.Context, e *env, args []string) error {
	for _, a := range args {
		if err := storepath.CheckName(filepath.Base(a)); err != nil {
			return fmt.Errorf("%s: cannot be a store path name: %w", a, err)
		}
	}
	return withConn(ctx, e, func(c *client.Conn) error {
		for _, a := range args {
			p, err := addPath(ctx, c, a)
			if err != nil {
				return err
			}
			printPaths(e, []messages.StorePath{p})
		}
		return nil
	})
}

// addPath adds one file or directory and returns its store path.
func addPath(ctx context.Context, c *client.Conn, file string) (messages.StorePath, error) {
	name := filepath.Base(file)
	h := nixhash.NewWriter(nixhash.SHA256)
	pr, pw := io.Pipe()
	dumped := make(chan error, 1)
	go func() {
		_, err := nar.DumpPath(io.MultiWriter(pw, h), file)
		pw.CloseWithError(err)
		dumped <- err
	}()
	info, err := c.AddToStore(ctx, name, client.MethodNAR, nil, false, pr)
	pr.CloseWithError(io.ErrClosedPipe) // stops the dump if the daemon gave up early
	if derr := <-dumped; derr != nil && err == nil {
		err = derr
	}
	if err != nil {
		return "", fmt.Errorf("adding %s: %w", file, err)
	}
	want, err := storepath.DefaultDir.Fixed(name, contentaddress.NAR, h.Sum(), nil, false)
	if err != nil {
		return "", err
	}
	if string(info.Path) != want.String() {
		return "", fmt.Errorf("adding %s: the daemon stored %s, but its NAR hashes to %s", file, info.Path, want)
	}
	return info.Path, nil
}
