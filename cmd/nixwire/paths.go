package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/storepath"
)

// storePathArg turns an argument into a store path, as Nix's CLI does: a
// store path, a path inside one (its top directory), or a symlink leading
// into the store (./result).
func storePathArg(arg string) (messages.StorePath, error) {
	s, err := followToStore(arg)
	if err != nil {
		return "", fmt.Errorf("%q is not a store path: %w", arg, err)
	}
	if rest, ok := strings.CutPrefix(s, string(storepath.DefaultDir)+"/"); ok {
		top, _, _ := strings.Cut(rest, "/")
		s = string(storepath.DefaultDir) + "/" + top
	}
	if _, err := storepath.Parse(s); err != nil {
		return "", fmt.Errorf("path %q is not in the Nix store: %w", arg, err)
	}
	return messages.StorePath(s), nil
}

// maxLinks bounds the symlinks followed from one argument.
const maxLinks = 40

// followToStore follows symlinks from s until it names something in the
// store, which need not exist on this machine (a store reached through a
// daemon may keep its files elsewhere).
func followToStore(s string) (string, error) {
	for range maxLinks {
		if strings.HasPrefix(s, string(storepath.DefaultDir)+"/") {
			return s, nil
		}
		target, err := os.Readlink(s)
		if err != nil {
			// Not a symlink itself: perhaps a path through linked
			// directories.
			return filepath.EvalSymlinks(s)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(s), target)
		}
		s = target
	}
	return "", fmt.Errorf("more than %d symlinks", maxLinks)
}

// storePathArgs is storePathArg of every argument.
func storePathArgs(args []string) ([]messages.StorePath, error) {
	out := make([]messages.StorePath, len(args))
	for i, a := range args {
		p, err := storePathArg(a)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// baseName is the part of a store path after the store directory, by
// which Nix orders sets of store paths.
func baseName(p messages.StorePath) string {
	return strings.TrimPrefix(string(p), string(storepath.DefaultDir)+"/")
}

// sortPaths sorts paths as Nix's StorePathSet does (by base name) and
// removes duplicates, in place.
func sortPaths(paths []messages.StorePath) []messages.StorePath {
	slices.SortFunc(paths, func(a, b messages.StorePath) int { return strings.Compare(baseName(a), baseName(b)) })
	return slices.Compact(paths)
}

// sorted returns a sorted copy of paths.
func sorted(paths []messages.StorePath) []messages.StorePath {
	return sortPaths(slices.Clone(paths))
}

// nixOrder returns the paths, without duplicates, in the order Nix prints
// a set of store paths (nix path-info, nix-store -q --references, …: the
// reverse of Store::topoSortPaths): depth first through the set in base
// name order, following each path's references (refs, in base name
// order) within the set, every path after those it refers to.
func nixOrder(paths []messages.StorePath, refs func(messages.StorePath) []messages.StorePath) []messages.StorePath {
	all := sorted(paths)
	in := make(map[messages.StorePath]bool, len(all))
	for _, p := range all {
		in[p] = true
	}
	out := make([]messages.StorePath, 0, len(all))
	visited := make(map[messages.StorePath]bool, len(all))
	var visit func(p messages.StorePath)
	visit = func(p messages.StorePath) {
		if visited[p] {
			return
		}
		visited[p] = true
		for _, r := range sorted(refs(p)) {
			if r != p && in[r] {
				visit(r)
			}
		}
		out = append(out, p)
	}
	for _, p := range all {
		visit(p)
	}
	return out
}

// refsIn returns the references of a path as infos records them (none
// for a path it lacks).
func refsIn(infos map[messages.StorePath]*messages.ValidPathInfo) func(messages.StorePath) []messages.StorePath {
	return func(p messages.StorePath) []messages.StorePath {
		if info := infos[p]; info != nil {
			return info.References
		}
		return nil
	}
}

// notValidError is a store path that is not valid.
type notValidError struct{ path messages.StorePath }

func (e *notValidError) Error() string { return fmt.Sprintf("path '%s' is not valid", e.path) }

// closure returns the metadata of every path in the closure of roots (the
// roots, what they refer to, and so on), querying one wave of new paths at
// a time, pipelined. A path that is not valid is an error.
func closure(ctx context.Context, c *client.Conn, roots []messages.StorePath, known map[messages.StorePath]*messages.ValidPathInfo) (map[messages.StorePath]*messages.ValidPathInfo, error) {
	infos := make(map[messages.StorePath]*messages.ValidPathInfo, len(roots))
	var wave []messages.StorePath
	want := func(p messages.StorePath) {
		if _, seen := infos[p]; seen {
			return
		}
		infos[p] = nil
		wave = append(wave, p)
	}
	for _, p := range roots {
		want(p)
	}
	for len(wave) > 0 {
		var ask []messages.StorePath
		for _, p := range wave {
			if info := known[p]; info != nil {
				infos[p] = info
			} else {
				ask = append(ask, p)
			}
		}
		got, err := c.QueryPathInfos(ctx, ask)
		if err != nil {
			return nil, err
		}
		for i, info := range got {
			if info == nil {
				return nil, &notValidError{ask[i]}
			}
			infos[ask[i]] = info
		}
		done := wave
		wave = nil
		for _, p := range done {
			for _, r := range infos[p].References {
				want(r)
			}
		}
	}
	return infos, nil
}

// closureOf returns the closure of p within infos (which must hold it).
func closureOf(p messages.StorePath, infos map[messages.StorePath]*messages.ValidPathInfo) []messages.StorePath {
	seen := map[messages.StorePath]bool{p: true}
	out := []messages.StorePath{p}
	for i := 0; i < len(out); i++ {
		if info := infos[out[i]]; info != nil {
			for _, r := range info.References {
				if !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		}
	}
	return out
}
