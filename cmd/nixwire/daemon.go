package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
)

// info prints what the handshake negotiated and the number of valid paths.
func info(ctx context.Context, cf *connFlags, stdout, stderr io.Writer) error {
	c, err := cf.dial(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	paths, err := c.QueryAllValidPaths(ctx)
	if err != nil {
		return err
	}
	i := c.Info()
	features := i.Proto.Features.String()
	if features == "" {
		features = "(none)"
	}
	fmt.Fprintf(stdout, "protocol: %s\n", i.Proto.Version)
	fmt.Fprintf(stdout, "daemon protocol: %s\n", i.DaemonProtocol)
	fmt.Fprintf(stdout, "daemon version: %s\n", orNone(i.DaemonVersion))
	fmt.Fprintf(stdout, "trusted: %s\n", i.Trusted)
	fmt.Fprintf(stdout, "features: %s\n", features)
	fmt.Fprintf(stdout, "valid paths: %d\n", len(paths))
	return nil
}

// pathInfo prints the metadata of each path, separated by blank lines.
// Paths that are not valid are reported on stderr and make it fail.
func pathInfo(ctx context.Context, cf *connFlags, paths []string, stdout, stderr io.Writer) error {
	c, err := cf.dial(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	invalid := 0
	printed := 0
	for _, p := range paths {
		info, err := c.QueryPathInfo(ctx, messages.StorePath(p))
		if err != nil {
			return err
		}
		if info == nil {
			fmt.Fprintf(stderr, "nixwire: %s is not valid\n", p)
			invalid++
			continue
		}
		if printed > 0 {
			fmt.Fprintln(stdout)
		}
		printed++
		printPathInfo(stdout, info)
	}
	if invalid > 0 {
		return fmt.Errorf("%d of %d paths are not valid", invalid, len(paths))
	}
	return nil
}

// printPathInfo prints info as "key: value" lines; lists repeat their key.
func printPathInfo(w io.Writer, info *messages.ValidPathInfo) {
	fmt.Fprintf(w, "path: %s\n", info.Path)
	fmt.Fprintf(w, "deriver: %s\n", orNone(string(info.Deriver)))
	fmt.Fprintf(w, "nar-hash: %s\n", narHash(info.NarHash))
	fmt.Fprintf(w, "nar-size: %d\n", info.NarSize)
	for _, r := range info.References {
		fmt.Fprintf(w, "reference: %s\n", r)
	}
	fmt.Fprintf(w, "registration-time: %s\n", time.Unix(info.RegistrationTime, 0).UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "ultimate: %s\n", strconv.FormatBool(info.Ultimate))
	for _, s := range info.Sigs {
		fmt.Fprintf(w, "signature: %s\n", s)
	}
	fmt.Fprintf(w, "ca: %s\n", orNone(string(info.CA)))
}

// narHash prints a NAR hash as `nix-store --query --hash` and narinfo files
// do, "sha256:<nix32>", whatever form the daemon sent (base16 in the worker
// protocol); a value that is no hash is printed as it came.
func narHash(h messages.NarHash) string {
	parsed, err := nixhash.ParseAny(string(h), nixhash.SHA256)
	if err != nil {
		return string(h)
	}
	return parsed.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// narOf writes the NAR of path to stdout.
func narOf(ctx context.Context, cf *connFlags, path string, stdout, stderr io.Writer) error {
	c, err := cf.dial(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.NarFromPath(ctx, messages.StorePath(path), stdout)
	return err
}
