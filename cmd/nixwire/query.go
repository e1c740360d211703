package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/storepath"
)

// body is the type of a command's body.
type body = func(context.Context, *env, []string) error

// simple is the setup of a command without flags of its own.
func simple(f body) func(*flag.FlagSet) body {
	return func(*flag.FlagSet) body { return f }
}

func init() {
	register(&command{name: "is-valid", args: "PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "exit 0 if every path is valid; name those that are not on stderr and exit 1",
		setup:   simple(isValid)})
	register(&command{name: "query-valid", args: "PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "print those of the paths that are valid",
		setup:   simple(queryValid)})
	register(&command{name: "references", args: "PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "print the paths the paths refer to (nix-store -q --references)",
		setup:   simple(references)})
	register(&command{name: "referrers", args: "PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "print the valid paths that refer to the paths (nix-store -q --referrers)",
		setup:   simple(referrers)})
	register(&command{name: "hash-part", args: "HASH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "print the valid store path with this hash part (32 nix32 characters)",
		setup:   simple(hashPart)})
	register(&command{name: "outputs", args: "DRV", store: true, minArgs: 1, maxArgs: 1,
		summary: `print a derivation's outputs as "name path" lines`,
		setup:   simple(outputs)})
	register(&command{name: "missing", args: "DERIVED-PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "print what building the paths would build, fetch, and not know how to get",
		setup:   simple(missing)})
	register(&command{name: "gc-roots", store: true,
		summary: `print the garbage collector roots as "link -> path" (nix-store --gc --print-roots)`,
		setup:   simple(gcRoots)})
}

// withConn dials the store and runs f with the connection.
func withConn(ctx context.Context, e *env, f func(c *client.Conn) error) error {
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c)
}

// withPaths turns the arguments into store paths, dials the store and
// runs f.
func withPaths(ctx context.Context, e *env, args []string, f func(c *client.Conn, paths []messages.StorePath) error) error {
	paths, err := storePathArgs(args)
	if err != nil {
		return err
	}
	return withConn(ctx, e, func(c *client.Conn) error { return f(c, paths) })
}

// isValid checks every path, pipelined.
func isValid(ctx context.Context, e *env, args []string) error {
	return withPaths(ctx, e, args, func(c *client.Conn, paths []messages.StorePath) error {
		infos, err := c.QueryPathInfos(ctx, paths)
		if err != nil {
			return err
		}
		bad := 0
		for i, info := range infos {
			if info == nil {
				fmt.Fprintf(e.stderr, "path '%s' is not valid\n", paths[i])
				bad++
			}
		}
		if bad > 0 {
			return errReported
		}
		return nil
	})
}

// queryValid prints the valid ones of the paths, sorted.
func queryValid(ctx context.Context, e *env, args []string) error {
	return withPaths(ctx, e, args, func(c *client.Conn, paths []messages.StorePath) error {
		valid, err := c.QueryValidPaths(ctx, paths, false)
		if err != nil {
			return err
		}
		printPaths(e, sorted(valid))
		return nil
	})
}

// printPaths prints one path a line.
func printPaths(e *env, paths []messages.StorePath) {
	for _, p := range paths {
		e.stdout.WriteString(string(p))
		e.stdout.WriteByte('\n')
	}
}

// references prints the union of the paths' references in Nix's order
// (nixOrder), as `nix-store -q --references` does.
func references(ctx context.Context, e *env, args []string) error {
	return withPaths(ctx, e, args, func(c *client.Conn, paths []messages.StorePath) error {
		infos, err := c.QueryPathInfos(ctx, paths)
		if err != nil {
			return err
		}
		var out []messages.StorePath
		for i, info := range infos {
			if info == nil {
				return &notValidError{paths[i]}
			}
			out = append(out, info.References...)
		}
		return printInNixOrder(ctx, e, c, out)
	})
}

// referrers prints the union of the paths' referrers in Nix's order
// (nixOrder), as `nix-store -q --referrers` does.
func referrers(ctx context.Context, e *env, args []string) error {
	return withPaths(ctx, e, args, func(c *client.Conn, paths []messages.StorePath) error {
		var out []messages.StorePath
		for _, p := range paths {
			rs, err := c.QueryReferrers(ctx, p)
			if err != nil {
				return err
			}
			out = append(out, rs...)
		}
		return printInNixOrder(ctx, e, c, out)
	})
}

// printInNixOrder prints valid paths in nixOrder, which needs their
// references: one pipelined batch of QueryPathInfo.
func printInNixOrder(ctx context.Context, e *env, c *client.Conn, paths []messages.StorePath) error {
	paths = sorted(paths)
	got, err := c.QueryPathInfos(ctx, paths)
	if err != nil {
		return err
	}
	infos := make(map[messages.StorePath]*messages.ValidPathInfo, len(paths))
	for i, p := range paths {
		infos[p] = got[i]
	}
	printPaths(e, nixOrder(paths, refsIn(infos)))
	return nil
}

// hashPart prints the path of each hash part; one that no valid path has
// is reported and makes it fail.
func hashPart(ctx context.Context, e *env, args []string) error {
	for _, h := range args {
		h = strings.TrimPrefix(h, string(storepath.DefaultDir)+"/")
		if _, err := storepath.ParseBase(h + "-x"); err != nil || len(h) != storepath.HashLen {
			return usagef("%q is not a hash part (32 nix32 characters)", h)
		}
	}
	return withConn(ctx, e, func(c *client.Conn) error {
		bad := 0
		for _, h := range args {
			h = strings.TrimPrefix(h, string(storepath.DefaultDir)+"/")
			p, err := c.QueryPathFromHashPart(ctx, h)
			if err != nil {
				return err
			}
			if p == "" {
				fmt.Fprintf(e.stderr, "no valid path has hash part %s\n", h)
				bad++
				continue
			}
			printPaths(e, []messages.StorePath{p})
		}
		if bad > 0 {
			return errReported
		}
		return nil
	})
}

// outputs prints a derivation's outputs, by name, with their paths.
func outputs(ctx context.Context, e *env, args []string) error {
	drv, err := storePathArg(args[0])
	if err != nil {
		return err
	}
	return withConn(ctx, e, func(c *client.Conn) error {
		m, err := c.QueryDerivationOutputMap(ctx, drv)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, string(n))
		}
		slices.Sort(names)
		for _, n := range names {
			fmt.Fprintf(e.stdout, "%s %s\n", n, orNone(string(m[messages.OutputName(n)])))
		}
		return nil
	})
}

// derivedPathArgs turns arguments into deriving paths: "DRV!out,dev",
// "DRV!*", or an opaque store path (a symlink is followed).
func derivedPathArgs(args []string) ([]messages.DerivedPath, error) {
	out := make([]messages.DerivedPath, len(args))
	for i, a := range args {
		path, outs, hasOuts := strings.Cut(a, "!")
		p, err := storePathArg(path)
		if err != nil {
			return nil, err
		}
		if hasOuts {
			if !strings.HasSuffix(string(p), ".drv") || outs == "" {
				return nil, usagef("%q: only a derivation (.drv) has outputs to select with !", a)
			}
			out[i] = messages.DerivedPath(string(p) + "!" + outs)
		} else {
			out[i] = messages.DerivedPath(p)
		}
	}
	return out, nil
}

// missing prints what building the targets would take.
func missing(ctx context.Context, e *env, args []string) error {
	targets, err := derivedPathArgs(args)
	if err != nil {
		return err
	}
	return withConn(ctx, e, func(c *client.Conn) error {
		m, err := c.QueryMissing(ctx, targets)
		if err != nil {
			return err
		}
		for _, s := range []struct {
			what  string
			paths []messages.StorePath
		}{{"build", m.WillBuild}, {"fetch", m.WillSubstitute}, {"unknown", m.Unknown}} {
			for _, p := range sorted(s.paths) {
				fmt.Fprintf(e.stdout, "%s %s\n", s.what, p)
			}
		}
		if len(m.WillSubstitute) > 0 {
			fmt.Fprintf(e.stdout, "download-size %d\nnar-size %d\n", m.DownloadSize, m.NarSize)
		}
		return nil
	})
}

// gcRoots prints the roots sorted by link, then path, as
// `nix-store --gc --print-roots` does.
func gcRoots(ctx context.Context, e *env, _ []string) error {
	return withConn(ctx, e, func(c *client.Conn) error {
		roots, err := c.FindRoots(ctx)
		if err != nil {
			return err
		}
		slices.SortFunc(roots, func(a, b messages.GCRoot) int {
			if n := strings.Compare(a.Link, b.Link); n != 0 {
				return n
			}
			return strings.Compare(baseName(a.Path), baseName(b.Path))
		})
		roots = slices.Compact(roots)
		for _, r := range roots {
			fmt.Fprintf(e.stdout, "%s -> %s\n", r.Link, r.Path)
		}
		return nil
	})
}
