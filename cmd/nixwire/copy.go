package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
)

func init() {
	register(&command{name: "copy", args: "[--from URL] [--to URL] PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "copy the closures of the paths from one store to another (as nix copy)",
		setup: func(fs *flag.FlagSet) body {
			var o copyOpts
			fs.StringVar(&o.from, "from", "", "the source store `URL` (default: the --store one)")
			fs.StringVar(&o.to, "to", "", "the destination store `URL` (default: the --store one)")
			fs.BoolVar(&o.noCheckSigs, "no-check-sigs", false, "let the destination take paths without a valid signature (trusted clients)")
			return func(ctx context.Context, e *env, args []string) error { return copyPaths(ctx, e, args, &o) }
		},
	})
}

// copyOpts are copy's flags.
type copyOpts struct {
	from, to    string
	noCheckSigs bool
}

// copyPaths copies the closures of the paths that the destination lacks,
// in one AddMultipleToStore (per path AddToStoreNar below protocol 1.32),
// each NAR streamed from the source as the destination takes it.
func copyPaths(ctx context.Context, e *env, args []string, o *copyOpts) error {
	if o.from == "" && o.to == "" {
		return usagef("needs --from or --to")
	}
	if e.store.stdio != "" {
		return usagef("-stdio cannot be combined with copy; use --from/--to URLs")
	}
	paths, err := storePathArgs(args)
	if err != nil {
		return err
	}
	dialOr := func(url string) (*client.Conn, error) {
		if url == "" {
			return e.dial(ctx)
		}
		return e.dialURL(ctx, url)
	}
	src, err := dialOr(o.from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := dialOr(o.to)
	if err != nil {
		return err
	}
	defer dst.Close()

	infos, err := closure(ctx, src, paths, nil)
	if err != nil {
		return err
	}
	all := make([]messages.StorePath, 0, len(infos))
	for p := range infos {
		all = append(all, p)
	}
	order := nixOrder(all, refsIn(infos)) // every path after its references
	present, err := dst.QueryValidPaths(ctx, order, false)
	if err != nil {
		return err
	}
	have := make(map[messages.StorePath]bool, len(present))
	for _, p := range present {
		have[p] = true
	}
	var toAdd []client.PathToAdd
	var nars []*lazyNAR
	for _, p := range order {
		if have[p] {
			continue
		}
		info := *infos[p]
		info.Ultimate = false // a copy is not built here, as nix copy sets it
		n := &lazyNAR{ctx: ctx, src: src, path: p}
		nars = append(nars, n)
		toAdd = append(toAdd, client.PathToAdd{Info: &info, NAR: n})
	}
	if len(toAdd) == 0 {
		return nil
	}
	err = dst.AddMultipleToStore(ctx, toAdd, client.ImportOptions{DontCheckSigs: o.noCheckSigs})
	for _, n := range nars {
		if nerr := n.close(); nerr != nil && err == nil {
			err = nerr
		}
	}
	if err != nil {
		return fmt.Errorf("copying %d paths: %w", len(toAdd), err)
	}
	if e.store.verbose > 0 {
		fmt.Fprintf(e.stderr, "copied %d paths (%d already there)\n", len(toAdd), len(present))
	}
	return nil
}

// lazyNAR is the NAR of a path in the source store, fetched with
// NarFromPath once the destination starts reading it.
type lazyNAR struct {
	ctx  context.Context
	src  *client.Conn
	path messages.StorePath

	once    sync.Once
	pr      *io.PipeReader
	fetched chan error
}

// Read starts the fetch on first use and reads the NAR.
func (n *lazyNAR) Read(p []byte) (int, error) {
	n.once.Do(func() {
		pr, pw := io.Pipe()
		n.pr, n.fetched = pr, make(chan error, 1)
		go func() {
			_, err := n.src.NarFromPath(n.ctx, n.path, pw)
			pw.CloseWithError(err)
			n.fetched <- err
		}()
	})
	return n.pr.Read(p)
}

// close stops a fetch that is still running and returns its error.
func (n *lazyNAR) close() error {
	started := false
	n.once.Do(func() {}) // no fetch starts after this
	if n.pr != nil {
		started = true
		n.pr.CloseWithError(errCopyStopped)
	}
	if !started {
		return nil
	}
	if err := <-n.fetched; err != nil && !errors.Is(err, errCopyStopped) {
		return fmt.Errorf("reading the NAR of %s: %w", n.path, err)
	}
	return nil
}

// errCopyStopped stops a NAR fetch the destination no longer reads.
var errCopyStopped = errors.New("copy stopped")
