package sqlitestore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
)

// AddTempRoot records path as a temporary root of owner, in memory.
func (s *Store) AddTempRoot(ctx context.Context, owner string, path messages.StorePath) error {
	done, err := s.enter("AddTempRoot", string(path))
	if err != nil {
		return err
	}
	defer done()
	if _, _, err := store.SplitPath(s.storeDir, path); err != nil {
		return err
	}
	s.rootsMu.Lock()
	defer s.rootsMu.Unlock()
	m := s.tempRoots[owner]
	if _, ok := m[path]; ok {
		return nil
	}
	// Roots are kept in memory: bounded, so that a client cannot grow it
	// without end (Nix writes them to a file per client).
	if len(m) >= s.maxTemp || s.nTemp >= 4*s.maxTemp {
		return &store.PathError{Op: "AddTempRoot", Path: string(path), Err: store.Reason(store.ErrLimit, fmt.Sprintf("too many temporary roots (%d for this client, %d in all; Options.MaxTempRoots)", len(m), s.nTemp))}
	}
	if m == nil {
		m = map[messages.StorePath]struct{}{}
		s.tempRoots[owner] = m
	}
	m[path] = struct{}{}
	s.nTemp++
	return nil
}

// RemoveTempRoots forgets the temporary roots of owner.
func (s *Store) RemoveTempRoots(ctx context.Context, owner string) error {
	s.rootsMu.Lock()
	defer s.rootsMu.Unlock()
	s.nTemp -= len(s.tempRoots[owner])
	delete(s.tempRoots, owner)
	return nil
}

// AddIndirectRoot records link as an indirect root.
func (s *Store) AddIndirectRoot(ctx context.Context, link string) error {
	done, err := s.enter("AddIndirectRoot", link)
	if err != nil {
		return err
	}
	defer done()
	if !filepath.IsAbs(link) || strings.IndexByte(link, 0) >= 0 || strings.HasPrefix(link, s.storeDir+"/") {
		return &store.PathError{Op: "AddIndirectRoot", Path: link, Err: store.Reason(store.ErrBadPath, "a root must be an absolute file name outside the store")}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO IndirectRoots(link) VALUES (?)`, filepath.Clean(link)); err != nil {
		return &store.PathError{Op: "AddIndirectRoot", Path: link, Err: err}
	}
	return nil
}

// FindRoots returns the indirect roots whose link points into a valid path
// now, and the temporary roots of valid paths.
func (s *Store) FindRoots(ctx context.Context) ([]store.Root, error) {
	done, err := s.enter("FindRoots", "")
	if err != nil {
		return nil, err
	}
	defer done()
	links, err := s.strings(ctx, `SELECT link FROM IndirectRoots ORDER BY link`)
	if err != nil {
		return nil, &store.PathError{Op: "FindRoots", Err: err}
	}
	var roots []store.Root
	add := func(link string, p messages.StorePath) error {
		ok, err := s.isValid(ctx, "FindRoots", p)
		if err != nil || !ok {
			return err
		}
		roots = append(roots, store.Root{Link: link, Path: p})
		return nil
	}
	for _, link := range links {
		target, err := os.Readlink(link)
		if err != nil {
			continue // gone or not a link: roots nothing, as in Nix
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(link), target)
		}
		p, ok := s.containingPath(target)
		if !ok {
			continue
		}
		if err := add(link, p); err != nil {
			return nil, err
		}
	}
	s.rootsMu.Lock()
	var temp []store.Root
	for owner, m := range s.tempRoots {
		for p := range m {
			temp = append(temp, store.Root{Link: "{temp:" + owner + "}", Path: p})
		}
	}
	s.rootsMu.Unlock()
	for _, r := range temp {
		if err := add(r.Link, r.Path); err != nil {
			return nil, err
		}
	}
	sort.Slice(roots, func(i, j int) bool {
		if roots[i].Link != roots[j].Link {
			return roots[i].Link < roots[j].Link
		}
		return roots[i].Path < roots[j].Path
	})
	return roots, nil
}

// containingPath returns the store path that file name f is in (f itself
// or a file below it), as Nix's toStorePath does.
func (s *Store) containingPath(f string) (messages.StorePath, bool) {
	rest, ok := strings.CutPrefix(filepath.Clean(f), s.storeDir+"/")
	if !ok {
		return "", false
	}
	base, _, _ := strings.Cut(rest, "/")
	p := messages.StorePath(s.storeDir + "/" + base)
	if _, _, err := store.SplitPath(s.storeDir, p); err != nil {
		return "", false
	}
	return p, true
}
