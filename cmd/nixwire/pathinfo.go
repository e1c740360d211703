package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nixwire/nixwire/messages"
)

func init() {
	register(&command{
		name: "path-info", args: "[--json] [-r] [-s] [-S] [-h] [--sigs] [--long] PATH...",
		summary: "print store paths' metadata as `nix path-info` does (--json: Nix 2.8's stable JSON)",
		store:   true, minArgs: 1, maxArgs: -1,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var o pathInfoOpts
			fs.BoolVar(&o.json, "json", false, "print Nix 2.8's `nix path-info --json` array (stable)")
			fs.BoolVar(&o.recursive, "recursive", false, "the closures of the paths")
			fs.BoolVar(&o.recursive, "r", false, "short for --recursive")
			fs.BoolVar(&o.size, "size", false, "print the NAR size")
			fs.BoolVar(&o.size, "s", false, "short for --size")
			fs.BoolVar(&o.closureSize, "closure-size", false, "print the sum of the NAR sizes of the closure")
			fs.BoolVar(&o.closureSize, "S", false, "short for --closure-size")
			fs.BoolVar(&o.human, "human-readable", false, "with -s and -S, sizes such as 5.7M")
			fs.BoolVar(&o.human, "h", false, "short for --human-readable")
			fs.BoolVar(&o.sigs, "sigs", false, "print ultimate, ca: and signatures")
			fs.BoolVar(&o.long, "long", false, `every field as "key: value" lines, paths separated by blank lines`)
			return func(ctx context.Context, e *env, args []string) error { return pathInfo(ctx, e, args, &o) }
		},
	})
}

// pathInfoOpts are path-info's flags.
type pathInfoOpts struct {
	json, recursive, size, closureSize, human, sigs, long bool
}

// pathInfo prints the metadata of store paths, in Nix's order (sorted by
// base name, duplicates removed), all queried in one pipelined batch.
func pathInfo(ctx context.Context, e *env, args []string, o *pathInfoOpts) error {
	if o.json && o.long {
		return usagef("--json and --long exclude each other")
	}
	paths, err := storePathArgs(args)
	if err != nil {
		return err
	}
	paths = sortPaths(paths)
	h := &helpers{}
	if !o.recursive {
		h = e.dialHelpers(ctx, len(paths))
	}
	c, err := e.dial(ctx)
	if err != nil {
		h.close()
		return err
	}
	defer c.Close()

	infos := make(map[messages.StorePath]*messages.ValidPathInfo, len(paths))
	if o.recursive {
		if infos, err = closure(ctx, c, paths, nil); err != nil {
			return err
		}
		paths = paths[:0]
		for p := range infos {
			paths = append(paths, p)
		}
		paths = sortPaths(paths)
	} else {
		got, err := e.pathInfos(ctx, c, paths, h)
		if err != nil {
			return err
		}
		var valid []messages.StorePath
		for i, p := range paths {
			infos[p] = got[i]
			if got[i] != nil {
				valid = append(valid, p)
			}
		}
		if o.closureSize && len(valid) > 0 {
			all, err := closure(ctx, c, valid, infos)
			if err != nil {
				return err
			}
			for p, info := range all {
				if infos[p] == nil {
					infos[p] = info
				}
			}
		}
	}
	sizeOf := func(p messages.StorePath) uint64 {
		var n uint64
		for _, q := range closureOf(p, infos) {
			n += infos[q].NarSize
		}
		return n
	}

	w := e.stdout
	switch {
	case o.json:
		b := []byte{'['}
		for i, p := range paths {
			if i > 0 {
				b = append(b, ',')
			}
			var cs *uint64
			if info := infos[p]; info != nil && o.closureSize {
				n := sizeOf(p)
				cs = &n
			}
			b = appendPathInfoJSON(b, p, infos[p], cs)
		}
		b = append(b, "]\n"...)
		_, err := w.Write(b)
		return err
	case o.long:
		printed := 0
		for _, p := range paths {
			info := infos[p]
			if info == nil {
				fmt.Fprintf(e.stderr, "nixwire: %s is not valid\n", p)
				continue
			}
			if printed > 0 {
				fmt.Fprintln(w)
			}
			printed++
			printPathInfo(w, info)
		}
		if invalid := len(paths) - printed; invalid > 0 {
			return fmt.Errorf("%d of %d paths are not valid", invalid, len(paths))
		}
		return nil
	}
	pathLen := 0
	for _, p := range paths {
		if infos[p] == nil {
			return &notValidError{p} // before anything is printed, as Nix
		}
		pathLen = max(pathLen, len(p))
	}
	// Text lists the paths as Nix does, every path after those it
	// refers to (JSON is sorted by name, also as Nix does).
	for _, p := range nixOrder(paths, refsIn(infos)) {
		info := infos[p]
		w.WriteString(string(p))
		if o.size || o.closureSize || o.sigs {
			w.WriteString(strings.Repeat(" ", pathLen-len(p)))
		}
		if o.size {
			writeSize(w, info.NarSize, o.human)
		}
		if o.closureSize {
			writeSize(w, sizeOf(p), o.human)
		}
		if o.sigs {
			var ss []string
			if info.Ultimate {
				ss = append(ss, "ultimate")
			}
			if info.CA != "" {
				ss = append(ss, "ca:"+string(info.CA))
			}
			for _, s := range info.Sigs {
				ss = append(ss, string(s))
			}
			w.WriteString("\t" + strings.Join(ss, " "))
		}
		w.WriteByte('\n')
	}
	return nil
}

// writeSize prints a size column as `nix path-info -s` does: a tab and the
// number right-aligned in 11 columns, or with -h a tab, "%6.1f" and a unit
// letter (a space for bytes), dividing by 1024 while above 1024.
func writeSize(w io.Writer, n uint64, human bool) {
	if !human {
		fmt.Fprintf(w, "\t%11d", n)
		return
	}
	const units = " KMGTPEZY"
	v, power := float64(n), 0
	for v > 1024 && power < len(units)-1 {
		power++
		v /= 1024
	}
	fmt.Fprintf(w, "\t%6.1f%c", v, units[power])
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
