package sqlitestore

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nixwire/nixwire/store"
)

// Verify checks the whole store: every registered path has its NAR file
// with the registered size and hash, every reference is registered, no NAR
// file is unregistered and tmp/ is empty. It reads every NAR, so it takes
// as long as reading the store. It returns nil or the problems found, each
// matching ErrCorrupt.
func (s *Store) Verify(ctx context.Context) error {
	done, err := s.enter("Verify", "")
	if err != nil {
		return err
	}
	defer done()
	paths, err := s.paths(ctx, "Verify", "", `SELECT path FROM ValidPaths ORDER BY path`)
	if err != nil {
		return err
	}
	var problems []error
	bad := func(p, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%w: %s: %s", ErrCorrupt, p, fmt.Sprintf(format, args...)))
	}
	registered := make(map[string]bool, len(paths))
	for _, p := range paths {
		registered[filepath.Base(string(p))+narExt] = true
		info, err := s.QueryPathInfo(ctx, p)
		if err != nil {
			return err
		}
		sum, size, err := hashFile(s.narFile(p))
		if err != nil {
			bad(string(p), "NAR: %v", err)
			continue
		}
		if size != info.NarSize || store.FormatNarHash(sum) != info.NarHash {
			bad(string(p), "NAR has %d bytes and hash %s, registered %d and %s", size, store.FormatNarHash(sum), info.NarSize, info.NarHash)
		}
	}
	var dangling int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM Refs WHERE reference NOT IN (SELECT id FROM ValidPaths)`).Scan(&dangling); err != nil {
		return err
	}
	if dangling != 0 {
		bad("Refs", "%d references to unregistered paths", dangling)
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, narDir))
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), narExt) && !registered[e.Name()] {
			bad(e.Name(), "NAR file of no registered path")
		}
	}
	ents, err = os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		return err
	}
	if len(ents) != 0 && !s.uploadsRunning() {
		bad(tmpDir, "%d leftover files", len(ents))
	}
	return errors.Join(problems...)
}

// uploadsRunning reports whether an upload may be writing to tmp/.
func (s *Store) uploadsRunning() bool {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	return len(s.uploads.m) != 0
}

// hashFile returns the SHA-256 and size of a file.
func hashFile(name string) ([sha256.Size]byte, uint64, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(name)
	if err != nil {
		return sum, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return sum, 0, err
	}
	h.Sum(sum[:0])
	return sum, uint64(n), nil
}
