package main

import (
	"context"
	"flag"
	"io"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
)

func init() {
	register(&command{name: "nar", args: "PATH", store: true, minArgs: 1, maxArgs: 1,
		summary: "write the NAR of a store path to standard output (nix-store --dump); progress on a terminal",
		setup: func(fs *flag.FlagSet) body {
			var force bool
			fs.BoolVar(&force, "progress", false, "draw the progress bar even when stderr is not a terminal")
			return func(ctx context.Context, e *env, args []string) error { return narOf(ctx, e, args[0], force) }
		},
	})
}

// narOf writes the NAR of path to stdout, with a progress bar on stderr
// when it is a terminal (or with --progress).
func narOf(ctx context.Context, e *env, arg string, forceProgress bool) error {
	path, err := storePathArg(arg)
	if err != nil {
		return err
	}
	var bar *progress
	if forceProgress || isTerminal(e.stderrFile) {
		bar = startProgress(e.stderr, baseName(path), 0)
		defer bar.Stop()
		e.onFrame = func(f messages.Stderr) {
			if r, ok := f.(*messages.StderrResult); ok && r.Type == messages.ResultTypeProgress && len(r.Fields) >= 2 {
				done, ok1 := r.Fields[0].(*messages.FieldInt)
				expected, ok2 := r.Fields[1].(*messages.FieldInt)
				if ok1 && ok2 {
					bar.observe(done.Value, expected.Value)
				}
			}
		}
	}
	return withConn(ctx, e, func(c *client.Conn) error {
		var w io.Writer = e.stdout
		if bar != nil {
			// The size is known from the path's metadata.
			info, err := c.QueryPathInfo(ctx, path)
			if err != nil {
				return err
			}
			if info != nil {
				bar.total.Store(int64(info.NarSize))
			}
			w = bar.Writer(w)
		}
		_, err := c.NarFromPath(ctx, path, w)
		return err
	})
}
